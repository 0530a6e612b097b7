"""Evaluation, the quarterly competition and the subsidy (SPEC §8).

A **framework** is data: dimensions → indicators, each with its maximum points, how it is scored (computed from a
named metric through a scoring curve, entered by an evaluator with evidence, or a survey's average) and the
evidence it needs. Frameworks are versioned: a framework row never changes once an assessment uses it; an edit is a
new version (``services.framework_new_version``), and an assessment keeps the version it was scored on.

An **assessment** scores one subject (a station over a period, or a project at mid-term or final) by one party
(self, third party, buyer, service users). Its scores are recomputed from live data until it is signed; at
sign-off the whole sheet is frozen into ``signed_sheet`` and never recomputed again.

A **bulletin** (季度排名通报) freezes a quarter's ranking when published; a correction is a new version that says
what it corrects. A **subsidy** is a share of a project's recorded spend, capped, both from local policy.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.money import money_field
from shegong.core.scoping import REGION_WIDE_ONLY, RegionOwned, by_organisation, by_user, every_row


class SubjectKind(models.TextChoices):
    STATION = "station", _("社工站")
    PROJECT = "project", _("购买服务项目")


class Framework(RegionOwned):
    code = models.CharField(_("框架代码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=120)
    subject = models.CharField(_("评估对象"), max_length=10, choices=SubjectKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    note = models.TextField(_("说明"), blank=True)
    # Four-party committee weights (percent): self, third party, buyer, service users (seed 001).
    party_weights = models.JSONField(_("四方评估权重"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "region"
    # A framework is no one's personal data: every role of the region reads it.
    relationship = {"evaluator": every_row, "operator": every_row, "supervisor": every_row}

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("评估指标框架")
        constraints = [
            models.UniqueConstraint(fields=["region", "code", "version"], name="framework_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def max_points(self) -> Decimal:
        return sum((i.max_points for d in self.dimensions.all() for i in d.indicators.all()), Decimal(0))


class Theme(models.TextChoices):
    """The four themes of the quarterly competition (一季一赛, seed 003)."""

    BLUEPRINT = "blueprint", _("蓝图")
    CAPABILITY = "capability", _("能力")
    PROGRESS = "progress", _("进度")
    RESULTS = "results", _("成果")


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(max_length=20)
    name = models.CharField(_("维度"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class RuleKind(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    ENTERED = "entered", _("评估人员评分")
    SURVEY = "survey", _("满意度调查")


class Indicator(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=20)
    name = models.CharField(_("指标"), max_length=120)
    max_points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    rule = models.CharField(_("评分方式"), max_length=10, choices=RuleKind.choices)
    metric = models.CharField(_("计算指标"), max_length=40, blank=True)
    # {"kind": "linear", "low": 0, "high": 100} or {"kind": "thresholds", "steps": [[value, share], ...]}
    curve = models.JSONField(_("评分曲线"), default=dict, blank=True)
    evidence = models.CharField(_("佐证材料"), max_length=200, blank=True)
    theme = models.CharField(_("竞赛主题"), max_length=12, choices=Theme.choices, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Party(models.TextChoices):
    SELF = "self", _("自评")
    THIRD_PARTY = "third_party", _("第三方评估")
    BUYER = "buyer", _("购买方评估")
    USERS = "users", _("服务对象评价")


class AssessmentStage(models.TextChoices):
    PERIODIC = "periodic", _("定期评估")
    QUARTER = "quarter", _("季度竞赛")
    MID = "mid", _("中期评估")
    FINAL = "final", _("末期评估")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("评分中")
    SIGNED = "signed", _("已签署")


class Assessment(RegionOwned):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    subject = models.CharField(_("评估对象"), max_length=10, choices=SubjectKind.choices)
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社工站"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("项目"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(_("评估类型"), max_length=10, choices=AssessmentStage.choices)
    party = models.CharField(_("评估方"), max_length=12, choices=Party.choices)
    period_start = models.DateField(_("评估期开始"))
    period_end = models.DateField(_("评估期结束"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估人员"),
    )
    status = models.CharField(_("状态"), max_length=8, choices=AssessmentStatus.choices, default="draft")
    total = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=Decimal(0))
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_sheet = models.JSONField(_("签署时的评分表"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # region_code is set by the service from the station's or the project's region.
    relationship = {
        "evaluator": by_user("evaluator_id"),
        "operator": by_organisation("organisation_id"),
    }

    class Meta:
        ordering = ["-period_end", "id"]
        verbose_name = _("评估")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="station", node__isnull=False) | Q(subject="project", project__isnull=False)
                ),
                name="assessment_has_its_subject",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="assessment_period"
            ),
        ]
        indexes = [models.Index(fields=["stage", "period_start", "region_code"])]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.get_stage_display()} {self.get_party_display()}"

    @property
    def subject_name(self) -> str:
        return self.node.name if self.node_id else self.project.name

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED


class Score(RegionOwned):
    """One indicator's score on one assessment: the measured value, the points, the evidence, the drill-down."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal(0))
    evidence = models.TextField(_("佐证"), blank=True)
    source = models.JSONField(default=dict, blank=True)

    region_from = "assessment"
    relationship = {
        "evaluator": by_user("assessment__evaluator_id"),
        "operator": by_organisation("assessment__organisation_id"),
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_score_per_indicator")
        ]


# Surveys --------------------------------------------------------------------------------------------------------


class SurveyChannel(models.TextChoices):
    LINK = "link", _("问卷链接")
    PHONE = "phone", _("电话回访")
    FORUM = "forum", _("座谈会")


class QuestionSet(RegionOwned):
    name = models.CharField(_("问卷名称"), max_length=120)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    # [{"key": "q1", "text": "…", "kind": "scale"|"text"}]; scales run 1–5.
    questions = models.JSONField(_("题目"), default=list)

    region_from = "region"
    relationship = {"evaluator": every_row, "operator": every_row, "supervisor": every_row}

    def __str__(self) -> str:
        return self.name

    @property
    def scale_keys(self) -> list[str]:
        return [q["key"] for q in self.questions if q.get("kind") == "scale"]


class SurveyInvite(RegionOwned):
    """A one-time link: only the token's digest is stored; used once, then it answers nothing."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invites")
    questions = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "assessment"
    relationship = {"evaluator": by_user("assessment__evaluator_id")}


class SurveyResponse(RegionOwned):
    """One answer sheet. It names no respondent and no invite, so it cannot be traced to a person."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    questions = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("渠道"), max_length=6, choices=SurveyChannel.choices)
    answers = models.JSONField(default=dict)
    received_on = models.DateField(_("日期"))

    region_from = "assessment"
    # The assessed station's operator never sees answers (anonymous to the station).
    relationship = {"evaluator": by_user("assessment__evaluator_id")}

    class Meta:
        ordering = ["-received_on", "id"]


# The quarterly competition ----------------------------------------------------------------------------------------


class Bulletin(RegionOwned):
    """A quarter's ranking bulletin (季度排名通报). ``rows`` freezes the ranking at publication."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审核")
        PUBLISHED = "published", _("已发布")

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    rows = models.JSONField(default=list)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    correction_note = models.CharField(_("更正说明"), max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "region"
    # Drafts are the bureau's; the published versions every role reads on the public pages.
    relationship = REGION_WIDE_ONLY

    class Meta:
        ordering = ["-year", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "quarter", "version"], name="bulletin_version_once"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="bulletin_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


# Subsidy ----------------------------------------------------------------------------------------------------------


class Subsidy(RegionOwned):
    class Status(models.TextChoices):
        COMPUTED = "computed", _("已核算")
        APPROVED = "approved", _("已批准")

    subject = models.CharField(_("对象"), max_length=10, choices=SubjectKind.choices)
    node = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    investment = money_field(_("实际投入（元）"))
    percent = models.PositiveSmallIntegerField(_("补贴比例（%）"))
    cap = money_field(_("补贴上限（元）"))
    amount = money_field(_("补贴金额（元）"))
    score = models.DecimalField(_("评估得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The projects and their spend the investment was summed from: the drill-down.
    sources = models.JSONField(default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.COMPUTED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    relationship = REGION_WIDE_ONLY

    class Meta:
        ordering = ["-year", "region_code"]
        verbose_name = _("运营补贴")

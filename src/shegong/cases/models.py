"""Casework (个案, MZ/T 094): a case through its stages 接案 → 预估 → 计划 → 介入 → 评估 → 结案, with 不予接案 and 转介.

A case belongs to a station (its region is the station's, so a worker of another station gets 404), a lead worker
and a recipient — or, for a resident not yet registered, a name that is later linked to the recipient registered
for them. What the case says about the person (presenting problem, assessment, plan, notes, summary) is encrypted
at rest; who may read it is decided in ``selectors.can_read_notes``.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, EncryptedJSONField, SensitiveModel
from shegong.core.scoping import RegionOwned, Relation, by_organisation
from shegong.people.relationships import supervised, supervised_node


class Stage(models.TextChoices):
    INTAKE = "intake", _("接案")
    ASSESSMENT = "assessment", _("预估")
    PLAN = "plan", _("计划")
    INTERVENTION = "intervention", _("介入")
    EVALUATION = "evaluation", _("评估")
    CLOSED = "closed", _("结案")
    DECLINED = "declined", _("不予接案")
    REFERRED = "referred", _("转介")


OPEN_STAGES = (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN, Stage.INTERVENTION, Stage.EVALUATION)
ENDED_STAGES = (Stage.CLOSED, Stage.DECLINED, Stage.REFERRED)
# The main line, in order (the case page shows one section per stage).
MAIN_LINE = (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN, Stage.INTERVENTION, Stage.EVALUATION, Stage.CLOSED)


class IntakeSource(models.TextChoices):
    WALK_IN = "walk_in", _("主动求助")
    VISIT = "visit", _("探访发现")
    REFERRAL_IN = "referral_in", _("机构转介")
    COMMUNITY = "community", _("社区（村）推荐")
    GOVERNMENT = "government", _("政府部门交办")
    HOTLINE = "hotline", _("热线/线上")
    OTHER = "other", _("其他")


class InterventionMethod(models.TextChoices):
    HOME = "home", _("上门面谈")
    OFFICE = "office", _("站内面谈")
    PHONE = "phone", _("电话")
    ONLINE = "online", _("线上")
    ACCOMPANY = "accompany", _("陪同办事")
    RESOURCE = "resource", _("链接资源")
    FAMILY = "family", _("家庭会议")


class PlanStatus(models.TextChoices):
    NONE = "", _("未制定")
    DRAFT = "draft", _("草拟中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class GoalResult(models.TextChoices):
    MET = "met", _("达成")
    PARTLY = "partly", _("部分达成")
    NOT_MET = "not_met", _("未达成")


class ClosingReason(models.TextChoices):
    GOALS_MET = "goals_met", _("目标达成")
    NO_LONGER_NEEDED = "no_longer_needed", _("服务对象不再需要服务")
    WITHDREW = "withdrew", _("服务对象主动退出")
    MOVED = "moved", _("服务对象迁出")
    DECEASED = "deceased", _("服务对象去世")
    OTHER = "other", _("其他")


def supervised_case(path_to_case: str = ""):
    """A supervisor sees the cases it supervises (``people.SupervisionAssignment``): those of a worker it supervises
    (directly, or in post at a station it supervises) and those held at a station it supervises."""
    prefix = f"{path_to_case}__" if path_to_case else ""
    by_worker, by_station = supervised(f"{prefix}worker"), supervised_node(f"{prefix}station")

    def rule(relation: Relation) -> Q:
        return by_worker(relation) | by_station(relation)

    return rule


CASE_RELATIONSHIP = {"operator": by_organisation("station__operator_id"), "supervisor": supervised_case()}
CHILD_RELATIONSHIP = {
    "operator": by_organisation("case__station__operator_id"),
    "supervisor": supervised_case("case"),
}


class CaseCounter(models.Model):
    """The last case number given per station and year: locked (select_for_update) while a case is numbered, so
    numbers are gap-free and unique under concurrent creation. Not personal data, not region-owned."""

    station = models.ForeignKey("network.ServiceNode", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="one_case_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.year}: {self.last}"


class Case(RegionOwned, SensitiveModel):
    number = models.CharField(_("个案编号"), max_length=24, unique=True)
    station = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="cases", verbose_name=_("社工站")
    )
    recipient = models.ForeignKey(
        "recipients.Recipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("服务对象"),
    )
    # A resident not yet in the registry: a name to call the case by until the recipient is registered and linked.
    resident_name = models.CharField(_("居民姓名"), max_length=50, blank=True)
    resident_birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    worker = models.ForeignKey(
        "people.SocialWorker", on_delete=models.PROTECT, related_name="cases", verbose_name=_("主责社工")
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INTAKE)
    # The intake record (接案): where the case came from and what the person brings.
    source = models.CharField(_("个案来源"), max_length=12, choices=IntakeSource.choices)
    presenting_problem = EncryptedField(_("求助问题"))
    guardian_consent = models.BooleanField(_("监护人已同意"), default=False)
    guardian_name = EncryptedField(_("监护人姓名"), blank=True, default="")
    opened_on = models.DateField(_("接案日期"), default=timezone.localdate)
    # The step dates the time rules read (kept on the case so lists filter without joins).
    assessed_on = models.DateField(_("预估日期"), null=True, blank=True)
    plan_status = models.CharField(
        _("计划状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.NONE, blank=True
    )
    plan_submitted_on = models.DateField(_("计划提交日期"), null=True, blank=True)
    plan_approved_on = models.DateField(_("计划批准日期"), null=True, blank=True)
    plan_reviewed_on = models.DateField(_("计划复核日期"), null=True, blank=True)
    closing_requested_on = models.DateField(_("申请结案日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    # Not-taken-on (不予接案): why, and where the person was pointed instead.
    decline_reason = EncryptedField(_("不予接案理由"), blank=True, default="")
    pointed_to = models.CharField(_("建议转往"), max_length=120, blank=True)
    # The region the opening was counted in (core.tallies "cases.opened"): a transfer moves the case, not the count.
    opened_region_code = models.CharField(max_length=12)
    # The purchased project this was done under, chosen by the write service (core.projectlinks, ADR 0008).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_cases",
        verbose_name=_("所属项目"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        indexes = [
            models.Index(fields=["worker", "stage"], name="case_worker_stage"),
            models.Index(fields=["station", "stage"], name="case_station_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(resident_name=""), name="case_has_a_person"
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=["closed", "declined", "referred"]) | Q(ended_on__isnull=False),
                name="case_ended_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(stage="closed") | Q(plan_status="approved"), name="case_closed_after_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person_name}"

    region_from = "station"
    relationship = CASE_RELATIONSHIP

    @property
    def person_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.resident_name

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def birth_date(self) -> datetime.date | None:
        return self.recipient.birth_date if self.recipient_id else self.resident_birth_date

    def age_on(self, day: datetime.date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CaseChild(RegionOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    region_from = "case"
    relationship = CHILD_RELATIONSHIP


class Assessment(CaseChild, SensitiveModel):
    """预估: a dated score per needs domain (the recipient file's domains, 0 no need … 4 urgent) and what it means."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("预估日期"), default=timezone.localdate)
    scores = EncryptedJSONField(_("各领域得分"), default=dict)
    text = EncryptedField(_("预估分析"))

    def score_rows(self) -> list[tuple[str, int]]:
        from shegong.recipients.models import NeedDomain

        return [(label, self.scores[value]) for value, label in NeedDomain.choices if value in self.scores]

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("个案预估")
        verbose_name_plural = _("个案预估")


class Plan(CaseChild, SensitiveModel):
    """计划: one per case, revised until approved; its goals each have an indicator and a target date."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    text = EncryptedField(_("服务计划"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务计划")
        verbose_name_plural = _("服务计划")


class Goal(CaseChild, SensitiveModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=1)
    title = EncryptedField(_("目标"))
    indicator = EncryptedField(_("衡量指标"))
    target_on = models.DateField(_("目标日期"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("服务目标")
        verbose_name_plural = _("服务目标")


class InterventionNote(CaseChild, SensitiveModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("服务日期"), default=timezone.localdate)
    method = models.CharField(_("介入方式"), max_length=10, choices=InterventionMethod.choices)
    content = EncryptedField(_("服务内容"))
    next_step = EncryptedField(_("下一步"), blank=True, default="")
    # Who was served, and where it was counted (core.tallies "served.people"): fixed when written, so a later
    # transfer or a move of the person does not change what was counted.
    recipient = models.ForeignKey(
        "recipients.Recipient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    served_region_code = models.CharField(max_length=12, blank=True)
    idempotency_key = models.UUIDField(unique=True)

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name = _("介入记录")
        verbose_name_plural = _("介入记录")


class InterventionNoteKey(models.Model):
    """PostgreSQL only: the idempotency key of every intervention note, one row each, in one unpartitioned table.

    The notes are partitioned by the month of ``noted_on``, where a unique key holds within a month only; this table
    keeps the key unique across all months. A trigger on the note table claims the key as a note is inserted (a
    second note with the same key, in any month, fails as a unique violation) and releases it when the note is
    deleted. SQLite keeps the plain note table, whose own unique index holds the rule (docs/adr/0010).
    """

    idempotency_key = models.UUIDField(primary_key=True)
    note_id = models.BigIntegerField()
    noted_on = models.DateField(db_index=True)

    class Meta:
        required_db_vendor = "postgresql"

    def __str__(self) -> str:
        return str(self.idempotency_key)


class GoalEvaluation(CaseChild, SensitiveModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    goal = models.OneToOneField(Goal, on_delete=models.CASCADE, related_name="evaluation")
    result = models.CharField(_("达成情况"), max_length=8, choices=GoalResult.choices)
    evidence = EncryptedField(_("依据"))
    evaluated_on = models.DateField(_("评估日期"), default=timezone.localdate)

    class Meta:
        ordering = ["goal__position", "id"]
        verbose_name = _("目标评估")
        verbose_name_plural = _("目标评估")


class Closing(CaseChild, SensitiveModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="closing")
    reason = models.CharField(_("结案原因"), max_length=20, choices=ClosingReason.choices)
    summary = EncryptedField(_("结案小结"))
    approved = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("结案")
        verbose_name_plural = _("结案")


class Approval(CaseChild):
    """One request for approval (of the plan or the closing) and its decision: the approval history."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("服务计划")
        CLOSING = "closing", _("结案")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("审批事项"), max_length=8, choices=Kind.choices)
    decision = models.CharField(_("结果"), max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="one_pending_approval_per_case"
            )
        ]


def supervised_transfer(relation: Relation) -> Q:
    """The receiving side's supervisors see the hand-off coming; the sending side's see it with the case."""
    return (
        supervised("to_worker")(relation)
        | supervised_node("to_station")(relation)
        | supervised_case("case")(relation)
    )


class Transfer(RegionOwned):
    """A hand-off to another worker (and station): the case stays with the sender until the receiver accepts.

    Lives in the receiving station's region, so the receiver sees it in its inbox before it can see the case.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已拒绝")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_worker = models.ForeignKey("people.SocialWorker", on_delete=models.PROTECT, related_name="+")
    from_station = models.ForeignKey("network.ServiceNode", on_delete=models.PROTECT, related_name="+")
    to_worker = models.ForeignKey(
        "people.SocialWorker", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收社工")
    )
    to_station = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收社工站")
    )
    reason = models.CharField(_("转移原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The case's number and person as the receiver's inbox shows them before it may open the case.
    case_number = models.CharField(max_length=24)
    person_name = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("个案转移")
        verbose_name_plural = _("个案转移")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_transfer_per_case"
            )
        ]

    region_from = "to_station"
    relationship = {
        "operator": by_organisation("to_station__operator_id"),
        "supervisor": supervised_transfer,
    }


class Referral(CaseChild, SensitiveModel):
    """转介: a referral to an organisation or a government department, and what came back."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待反馈")
        ACCEPTED = "accepted", _("已受理并提供服务")
        DECLINED = "declined", _("对方未受理")
        NO_REPLY = "no_reply", _("无回复")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转介机构"),
    )
    department = models.CharField(_("政府部门"), max_length=120, blank=True)
    service_asked = models.CharField(_("申请的服务"), max_length=200)
    letter = EncryptedField(_("转介函"))
    referred_on = models.DateField(_("转介日期"), default=timezone.localdate)
    ends_case = models.BooleanField(_("转介后本站不再跟进"), default=False)
    outcome = models.CharField(_("转介结果"), max_length=10, choices=Outcome.choices, default="", blank=True)
    outcome_note = models.CharField(_("结果说明"), max_length=300, blank=True)
    outcome_on = models.DateField(_("反馈日期"), null=True, blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(department=""), name="referral_has_a_receiver"
            )
        ]

    @property
    def receiver_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.department

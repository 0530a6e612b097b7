"""Service recipients (服务对象): one person, one file (一人一案, SPEC §4)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedField, EncryptedJSONField, SensitiveModel
from shegong.core.identity import normalise_id_number, normalise_phone
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scoping import RegionOwned, by_organisation
from shegong.people.relationships import supervised


class RecipientStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    MOVED = "moved", _("已迁出")
    DECEASED = "deceased", _("已故")
    CLOSED = "closed", _("已结案")


class RiskTier(models.IntegerChoices):
    """Lower is more urgent, so ordering by the tier puts high risk first."""

    HIGH = 1, _("高风险")
    KEY = 2, _("重点")
    GENERAL = 3, _("一般")


class NeedDomain(models.TextChoices):
    DAILY_CARE = "daily_care", _("生活照料")
    REHAB = "rehab", _("康复护理")
    COMFORT = "comfort", _("精神慰藉")
    AGEING_ADAPT = "ageing_adapt", _("适老化改造")
    ECONOMIC = "economic", _("经济")
    SAFETY = "safety", _("安全")


class Category(models.Model):
    """The editable dictionary of recipient categories (低保, 特困, 空巢老人 …). Not region-owned: one list."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    group = models.CharField(_("分组"), max_length=20, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("对象类别")
        verbose_name_plural = _("对象类别")

    def __str__(self) -> str:
        return self.name


class Recipient(RegionOwned, SensitiveModel):
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedField(_("身份证号"))
    # Unique across the whole registry (one file per person): see Meta.constraints.
    id_number_index = BlindIndexField(source="id_number", normaliser=normalise_id_number, db_index=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))])
    phone = EncryptedField(_("联系电话"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", normaliser=normalise_phone, db_index=False)
    address = models.CharField(_("居住地址"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在村（社区）"),
        db_index=False,
    )
    station = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("服务社工站"),
        db_index=False,  # recipient_station_due leads with it
    )
    worker = models.ForeignKey(
        "people.SocialWorker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recipients",
        verbose_name=_("责任社工"),
        db_index=False,  # recipient_worklist leads with it
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.ACTIVE
    )
    # Free text about the person (their health, family, a child's circumstances) is encrypted for every recipient:
    # which rows are children under 14 changes with time, and none of these is ever searched.
    status_note = EncryptedField(_("状态说明"), blank=True, default="")
    risk_tier = models.PositiveSmallIntegerField(
        _("风险等级"), choices=RiskTier.choices, default=RiskTier.GENERAL
    )
    risk_reason = EncryptedField(_("评定理由"), blank=True, default="")
    risk_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    notes = EncryptedField(_("备注"), blank=True, default="")
    registered_on = models.DateField(_("建档日期"), default=timezone.localdate)
    # Derived by the visit policy engine (shegong.recipients.care.policy) on every write that affects them.
    frequency = models.CharField(_("探访频次"), max_length=12, blank=True)
    last_visit_at = models.DateTimeField(_("最近探访"), null=True, blank=True)
    next_due_on = models.DateField(_("下次应访日期"), null=True, blank=True)
    event_due_at = models.DateTimeField(_("重大变故应访时限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        # Every index costs each write (a roster import writes 100,000 rows at once), so only what reads use:
        # blind indexes are matched by equality only and need no LIKE (pattern_ops) twin, and the worker and
        # station foreign keys are covered by the composite indexes that lead with them.
        indexes = [
            models.Index(fields=["worker", "status", "next_due_on"], name="recipient_worklist"),
            models.Index(fields=["station", "status", "next_due_on"], name="recipient_station_due"),
            models.Index(fields=["region"], name="recipient_region"),
            models.Index(fields=["phone_index"], name="recipient_phone_index"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="recipient_one_file_per_person"),
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the recipients served at the stations it operates.
    # A supervisor sees the recipients its supervisees are responsible for (their caseload).
    relationship = {"operator": by_organisation("station__operator_id"), "supervisor": supervised("worker")}

    @property
    def is_open(self) -> bool:
        return self.status == RecipientStatus.ACTIVE

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )


class RecipientChild(RegionOwned):
    """A row hanging off a recipient: it lives in the recipient's region."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    region_from = "recipient"
    relationship = {"operator": by_organisation("recipient__station__operator_id")}


class CategoryMembership(RecipientChild):
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="memberships")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    start_on = models.DateField(_("认定日期"), default=timezone.localdate)
    end_on = models.DateField(_("终止日期"), null=True, blank=True)
    authority = models.CharField(_("认定机关"), max_length=100, blank=True)

    class Meta:
        ordering = ["start_on"]
        verbose_name = _("类别认定")
        verbose_name_plural = _("类别认定")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="membership_end_after_start",
                violation_error_message=_("终止日期不能早于认定日期"),
            ),
        ]

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.start_on <= on and (self.end_on is None or self.end_on >= on)


class HouseholdMember(RecipientChild, SensitiveModel):
    class Kind(models.TextChoices):
        MEMBER = "member", _("同住家庭成员")
        GUARDIAN = "guardian", _("监护人")
        CONTACT = "contact", _("紧急联系人")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="household")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    # Nothing searches household members by ID number or phone, so neither has a blind index.
    id_number = EncryptedField(_("身份证号"), blank=True, default="")
    phone = EncryptedField(_("联系电话"), blank=True, default="")

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("家庭成员与联系人")
        verbose_name_plural = _("家庭成员与联系人")

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class NeedsAssessment(RecipientChild, SensitiveModel):
    """A dated assessment: a score 0 (no need) … 4 (urgent) per domain. Scores (rehabilitation, mental comfort)
    and the conclusion describe health: encrypted, never filtered on."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("评估日期"), default=timezone.localdate)
    scores = EncryptedJSONField(_("各领域得分"), default=dict)
    summary = EncryptedField(_("评估结论"), blank=True, default="")
    assessor_name = models.CharField(_("评估人"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("需求评估")
        verbose_name_plural = _("需求评估")

    def score_rows(self) -> list[tuple[str, int]]:
        return [
            (label, self.scores.get(value)) for value, label in NeedDomain.choices if value in self.scores
        ]


class MajorEvent(RecipientChild):
    """A major change in the person's life (重大变故): the policy demands a visit within hours."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件类型"), max_length=20, default="major")
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now)
    description = models.CharField(_("事件说明"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("重大变故")
        verbose_name_plural = _("重大变故")


class TimelineEntry(RecipientChild):
    """Everything that happened to the person besides visits (which the timeline reads from the visit table)."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30)
    # The line as its untranslated message and values (shown in the reader's language, see timeline.py), and as
    # written in the writer's language (exports, and entries written without a message).
    message = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=300)
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


# The visit-care records live beside the engine that owns them; importing them here registers them with the app.
from .care.models import (  # noqa: E402
    EventRule,
    Frequency,
    VisitObligation,
    VisitRollup,
    VisitRule,
)

__all__ = ["EventRule", "Frequency", "VisitObligation", "VisitRollup", "VisitRule"]

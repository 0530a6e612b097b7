"""Demand intake and dispatch (需求点单 / 派单, SPEC §5): the service catalogue, requests, their history, and the
region's dispatch rules (deadlines, working hours, holidays).

The catalogue and the dispatch rules are a region's own policy (no one's personal data): plain tables keyed by the
region that sets them, read through ``catalogue.items_for`` / ``policy.policy_for`` (the nearest region's, else the
shipped default). Requests and their events are region-owned and scoped.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedField, SensitiveModel
from shegong.core.identity import normalise_phone
from shegong.core.scoping import RegionOwned, by_user
from shegong.people.relationships import supervised


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


class ReceiverKind(models.TextChoices):
    STATION = "station", _("社工站")
    WORKER = "worker", _("社工")
    ORGANISATION = "organisation", _("社会组织")
    TEAM = "team", _("志愿服务队")


class CatalogueDomain(models.Model):
    """A domain of the catalogue (领域). ``region`` None: the shipped default; else that region's own copy."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区划"),
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("领域名称"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    objects = models.Manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("服务领域")
        verbose_name_plural = _("服务领域")
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="demands_domain_code_per_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="demands_domain_code_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueItem(models.Model):
    """A service item (服务事项) a resident may ask for. Retired items stay for the requests that name them."""

    domain = models.ForeignKey(CatalogueDomain, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("事项名称"), max_length=60)
    description = models.CharField(_("服务内容"), max_length=300, blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("以空格分隔；用于根据居民描述推荐事项")
    )
    receivers = models.JSONField(_("可承接方"), default=list)
    default_urgency = models.CharField(
        _("默认紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.GENERAL
    )
    # Blank: the region's deadline for the urgency (DispatchPolicy).
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = models.Manager()

    class Meta:
        ordering = ["domain__position", "position", "pk"]
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")

    def __str__(self) -> str:
        return self.name


class DispatchPolicy(models.Model):
    """A region's dispatch rules. Blank inherits from the nearest ancestor, else ``policy.SEED`` (12345 practice)."""

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区划")
    )
    accept_urgent_hours = models.PositiveSmallIntegerField(
        _("紧急诉求接单时限（工作小时）"), null=True, blank=True
    )
    accept_general_hours = models.PositiveSmallIntegerField(
        _("一般诉求接单时限（工作小时）"), null=True, blank=True
    )
    resolve_urgent_hours = models.PositiveSmallIntegerField(
        _("紧急诉求办结时限（小时）"), null=True, blank=True
    )
    resolve_general_days = models.PositiveSmallIntegerField(
        _("一般诉求办结时限（工作日）"), null=True, blank=True
    )
    resolve_complex_days = models.PositiveSmallIntegerField(
        _("复杂诉求办结时限（工作日）"), null=True, blank=True
    )
    remind_before_hours = models.PositiveSmallIntegerField(_("到期前催办（小时）"), null=True, blank=True)
    district_after_hours = models.PositiveSmallIntegerField(
        _("逾期后上报区级（小时）"), null=True, blank=True
    )
    work_start_hour = models.PositiveSmallIntegerField(_("上班时间（时）"), null=True, blank=True)
    work_end_hour = models.PositiveSmallIntegerField(_("下班时间（时）"), null=True, blank=True)

    objects = models.Manager()

    class Meta:
        verbose_name = _("派单时限")
        verbose_name_plural = _("派单时限")

    def __str__(self) -> str:
        return f"{self.region_id}"


class Holiday(models.Model):
    """A day of a region's holiday calendar: a day off (法定节假日) or a working weekend day (调休上班).
    ``region`` None is the shipped national calendar; a region's rows override it for its subtree."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区划"),
    )
    day = models.DateField(_("日期"))
    working = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=30, blank=True)

    objects = models.Manager()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="demands_holiday_day_per_region"),
            models.UniqueConstraint(
                fields=["day"], condition=Q(region__isnull=True), name="demands_holiday_day_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '*'} {self.day}"


class RequestChannel(models.TextChoices):
    ONLINE = "online", _("网上点单")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    VISIT = "visit", _("探访发现")
    CASE = "case", _("个案发现")
    VOLUNTEER = "volunteer", _("志愿者报告")
    GRID = "grid", _("网格员报告")


class Status(models.TextChoices):
    NEW = "new", _("待派单")
    RETURNED = "returned", _("已退单")
    DISPATCHED = "dispatched", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING = "waiting", _("等待居民")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已评价")
    CANCELLED = "cancelled", _("已作废")


AT_DESK = (Status.NEW, Status.RETURNED)
WITH_RECEIVER = (Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING)
OPEN = AT_DESK + WITH_RECEIVER
DONE = (Status.RESOLVED, Status.CLOSED)


class Clock(models.TextChoices):
    WORKING = "working", _("工作时间")
    CALENDAR = "calendar", _("自然时间")


class DemandRequest(RegionOwned, SensitiveModel):
    """One request (诉求/点单). The requester's name and phone are encrypted; the phone's blind index recognises a
    repeat caller."""

    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=RequestChannel.choices)
    description = EncryptedField(_("诉求内容"))
    requester_name = EncryptedField(_("联系人"), blank=True, default="")
    requester_phone = EncryptedField(_("联系电话"), blank=True, default="")
    phone_index = BlindIndexField(source="requester_phone", normaliser=normalise_phone)
    address = EncryptedField(_("详细地址"), blank=True, default="")
    consent_contact = models.BooleanField(_("同意联系"), default=False)
    recipient = models.ForeignKey(
        "recipients.Recipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务对象"),
    )
    # No database constraint: visits are partitioned on PostgreSQL; a trigger checks the reference (ADR 0010).
    visit = models.ForeignKey(
        "visits.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    source_ref = models.CharField(max_length=40, blank=True)  # e.g. "case:12": a higher app's record
    item = models.ForeignKey(
        CatalogueItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("服务事项"),
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.GENERAL)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    receiver_kind = models.CharField(_("承接方类型"), max_length=12, choices=ReceiverKind.choices, blank=True)
    station = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    worker = models.ForeignKey(
        "people.SocialWorker", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "people.VolunteerTeam", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("受理时间"))
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accept_due_at = models.DateTimeField(_("接单时限"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolve_clock = models.CharField(max_length=10, choices=Clock.choices, default=Clock.WORKING)
    resolve_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    paused_minutes_left = models.PositiveIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolved_on_time = models.BooleanField(null=True, blank=True)
    resolution = EncryptedField(_("办理情况"), blank=True, default="")
    # The day the requester was first served (set at the first resolution, kept through a reopening).
    served_on = models.DateField(null=True, blank=True)
    # The purchased project this was done under, chosen by the write service (core.projectlinks, ADR 0008).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_demands",
        verbose_name=_("所属项目"),
    )
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = EncryptedField(_("评价意见"), blank=True, default="")
    returns = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopened = models.BooleanField(_("曾重新办理"), default=False)
    escalation = models.PositiveSmallIntegerField(
        _("督办级别"), default=0
    )  # 0 none, 1 station head, 2 district
    reminded_due = models.DateTimeField(null=True, blank=True)  # the deadline a reminder (催办) was sent for
    # When the deadline check next has something to do (a reminder, an escalation); None: nothing pending.
    next_check_at = models.DateTimeField(null=True, blank=True)
    source_hash = models.CharField(
        max_length=64, blank=True, db_index=True
    )  # HMAC of a public submitter's address
    reported_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The client's key of a request reported from the field app: a resend is the same request.
    idempotency_key = models.UUIDField(_("提交编号"), unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "region"
    # Operators see what was dispatched to their organisation, their stations or their workers; a volunteer what
    # it reported.
    relationship = {
        "operator": lambda r: (
            Q(organisation_id__in=sorted(r.organisation_ids))
            | Q(station__operator_id__in=sorted(r.organisation_ids))
            | Q(worker__employer_id__in=sorted(r.organisation_ids))
        ),
        "volunteer": by_user("reported_by_id"),
        # A supervisor sees the requests assigned to a worker it supervises.
        "supervisor": supervised("worker"),
    }

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("服务诉求")
        verbose_name_plural = _("服务诉求")
        indexes = [
            models.Index(fields=["status", "region_code"], name="demand_status_region"),
            models.Index(fields=["region_code", "received_at"], name="demand_region_received"),
            models.Index(fields=["station", "status"], name="demand_station_status"),
            models.Index(fields=["next_check_at"], name="demand_next_check"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="demand_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def receiver(self):
        return {
            ReceiverKind.STATION: self.station,
            ReceiverKind.WORKER: self.worker,
            ReceiverKind.ORGANISATION: self.organisation,
            ReceiverKind.TEAM: self.team,
        }.get(self.receiver_kind)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class EventKind(models.TextChoices):
    RECEIVED = "received", _("受理")
    CLASSIFIED = "classified", _("分类")
    DISPATCHED = "dispatched", _("派单")
    ACCEPTED = "accepted", _("接单")
    RETURNED = "returned", _("退单")
    STARTED = "started", _("开始办理")
    PAUSED = "paused", _("等待居民")
    RESUMED = "resumed", _("恢复办理")
    RESOLVED = "resolved", _("办结")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("重新办理")
    REMINDED = "reminded", _("催办")
    ESCALATED = "escalated", _("督办上报")
    CANCELLED = "cancelled", _("作废")


class DemandEvent(RegionOwned, SensitiveModel):
    """A step in a request's history. ``note`` (a reason, what was done) is encrypted: it may name people."""

    request = models.ForeignKey(DemandRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    note = EncryptedField(blank=True, default="")
    # Values shown with the step that are no one's personal data (status, receiver kind, rating, level).
    params = models.JSONField(default=dict, blank=True)

    region_from = "request"
    relationship = {
        "operator": lambda r: (
            Q(request__organisation_id__in=sorted(r.organisation_ids))
            | Q(request__station__operator_id__in=sorted(r.organisation_ids))
            | Q(request__worker__employer_id__in=sorted(r.organisation_ids))
        ),
        "volunteer": by_user("request__reported_by_id"),
        "supervisor": supervised("request__worker"),
    }

    class Meta:
        ordering = ["at", "pk"]


class ProjectBasis(RegionOwned):
    """An official marks a catalogue item's demand in a region and period as the basis for a project design (需求
    清单 → 项目清单); the projects app links its designs to these rows."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    until = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    unmet = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    marked_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)

    region_from = "region"
    relationship = {}

    class Meta:
        ordering = ["-marked_at"]

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, SensitiveModel
from shegong.core.scoping import RegionOwned


class Activity(RegionOwned):
    """A community activity held by a node (社区活动, SPEC §5)."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区活动")
        GROUP = "group", _("小组活动")
        PUBLICITY = "publicity", _("宣传倡导")
        VOLUNTEER = "volunteer", _("志愿服务")
        TRAINING = "training", _("培训")

    node = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="activities", verbose_name=_("举办阵地")
    )
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.COMMUNITY)
    held_on = models.DateField(_("活动日期"), default=timezone.localdate)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")

    def __str__(self) -> str:
        return self.title

    region_from = "node"


# Visit care (探访关爱, SPEC §5) ----------------------------------------------------------------------------------


class Frequency(models.TextChoices):
    """How often a recipient must be visited: once in every calendar period of this kind."""

    WEEKLY = "weekly", _("每周至少 1 次")
    SEMIMONTHLY = "semimonthly", _("每月至少 2 次")
    MONTHLY = "monthly", _("每月至少 1 次")
    QUARTERLY = "quarterly", _("每季度至少 1 次")


# Strictness: the shorter the period, the stricter the rule.
FREQUENCY_DAYS = {
    Frequency.WEEKLY: 7,
    Frequency.SEMIMONTHLY: 15,
    Frequency.MONTHLY: 30,
    Frequency.QUARTERLY: 91,
}


class VisitRule(RegionOwned):
    """One row of a region's rule table: category × risk tier → frequency. Blank means "any".

    The table of the nearest region (the recipient's village, then its township, county …) that has any rules
    applies; with none, the defaults in ``shegong.services.policy.DEFAULT_RULES``.
    """

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    category = models.ForeignKey(
        "recipients.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对象类别"),
    )
    risk_tier = models.PositiveSmallIntegerField(
        _("风险等级"), null=True, blank=True, choices=[(1, _("高风险")), (2, _("重点")), (3, _("一般"))]
    )
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices)
    note = models.CharField(_("依据"), max_length=120, blank=True)

    class Meta:
        ordering = ["region_code", "risk_tier", "id"]
        verbose_name = _("探访规则")
        verbose_name_plural = _("探访规则")

    region_from = "region"


class EventRule(RegionOwned):
    """After a major event (重大变故) the recipient must be visited within ``within_hours``."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用区划")
    )
    event_kind = models.CharField(_("事件类型"), max_length=20, default="major")
    within_hours = models.PositiveSmallIntegerField(_("时限（小时）"), default=24)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = _("事件规则")
        verbose_name_plural = _("事件规则")

    region_from = "region"


class VisitMethod(models.TextChoices):
    HOME = "home", _("上门")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")
    THIRD_PARTY = "third_party", _("委托第三方")
    VOLUNTEER = "volunteer", _("志愿者结对")
    RELATIVES = "relatives", _("亲属邻里")
    SMART_ALERT = "smart_alert", _("智能预警")


# The findings checklist: each item is "ok", "issue" or "na" (not checked).
FINDINGS = [
    ("health", _("身体健康")),
    ("mental", _("精神状态")),
    ("gas", _("燃气安全")),
    ("water", _("用水安全")),
    ("power", _("用电安全")),
    ("heating", _("取暖安全")),
    ("hygiene", _("个人及居室卫生")),
    ("living", _("居住条件")),
]
FINDING_VALUES = {"ok": _("正常"), "issue": _("有问题"), "na": _("未查看")}


class Visit(RegionOwned, SensitiveModel):
    recipient = models.ForeignKey(
        "recipients.Recipient", on_delete=models.PROTECT, related_name="visits", verbose_name=_("服务对象")
    )
    worker = models.ForeignKey(
        "people.SocialWorker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("探访社工"),
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visited_at = models.DateTimeField(_("探访时间"), default=timezone.now)
    method = models.CharField(
        _("探访方式"), max_length=12, choices=VisitMethod.choices, default=VisitMethod.HOME
    )
    findings = models.JSONField(_("探访发现"), default=dict, blank=True)
    # Health and living details are sensitive personal information: encrypted.
    notes = EncryptedField(_("情况记录"), blank=True, default="")
    needs_found = models.TextField(_("发现需求"), blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)
    location_consent = models.BooleanField(_("对象同意记录位置"), default=False)
    location = EncryptedField(_("位置"), blank=True, default="")
    idempotency_key = models.UUIDField(_("提交编号"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        indexes = [models.Index(fields=["recipient", "visited_at"], name="visit_recipient_time")]

    def __str__(self) -> str:
        return f"{self.recipient} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    region_from = "recipient"

    def finding_rows(self) -> list[tuple[str, str, str]]:
        return [(key, label, self.findings.get(key, "na")) for key, label in FINDINGS]

    @property
    def issues(self) -> list[str]:
        return [str(label) for key, label in FINDINGS if self.findings.get(key) == "issue"]


class VisitPhoto(RegionOwned):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "visit"


class VisitObligation(RegionOwned):
    """A recipient due in a month (the denominator of 月探访率) and whether the requirement was met.

    Weekly, twice-monthly and monthly recipients are due every month; quarterly ones in the quarter's last month,
    met by a visit anywhere in the quarter. ``region_code`` is the recipient's village when the month opened.
    """

    recipient = models.ForeignKey("recipients.Recipient", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    visited = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "month"], name="one_obligation_per_month")
        ]
        indexes = [models.Index(fields=["month", "region_code"], name="obligation_month_region")]


class VisitRollup(RegionOwned):
    """Due and visited counts per village and month, kept current by the visit services; dashboards read this."""

    month = models.DateField()
    due = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "month"], name="one_rollup_per_region_month")
        ]
        indexes = [models.Index(fields=["month", "region_code"], name="rollup_month_region")]

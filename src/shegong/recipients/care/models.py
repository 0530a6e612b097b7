"""The visit-care records: rule tables, each recipient's monthly obligations and the (village × month) rollups.

Only ``shegong.recipients.care`` writes obligations and rollups (see its package docstring).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import REGION_WIDE_ONLY, RegionOwned, by_organisation, every_row


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
    applies; with none, the defaults in ``shegong.recipients.care.policy.DEFAULT_RULES``.
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
    # Policy, no one's personal data: an operator reads the rules its recipients are visited by.
    relationship = {"operator": every_row}


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
    relationship = {"operator": every_row}


class VisitObligation(RegionOwned):
    """A recipient due in a month (the denominator of 月探访率) and whether the requirement was met.

    Weekly, twice-monthly and monthly recipients are due every month; quarterly ones in the quarter's last month,
    met by a visit anywhere in the quarter. ``region_code`` is the recipient's village when the month opened.
    """

    recipient = models.ForeignKey("recipients.Recipient", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    visited = models.BooleanField(default=False)

    relationship = {"operator": by_organisation("recipient__station__operator_id")}

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

    # Whole villages' counts: region-wide roles only.
    relationship = REGION_WIDE_ONLY

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "month"], name="one_rollup_per_region_month")
        ]
        indexes = [models.Index(fields=["month", "region_code"], name="rollup_month_region")]

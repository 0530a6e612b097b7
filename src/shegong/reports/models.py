"""Reports on the seeds' cadence (seed 004, Fujian: 每周一报送、每月一通报、每季一调度).

A report is generated from live data as a draft, reviewed, then signed (the weekly one: submitted by the station
head); from then on its ``content`` — the figures as they stood — is frozen, and later corrections to the records
change nothing in it. A correction is a new version that says what it corrects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import REGION_WIDE_ONLY, RegionOwned


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("每周报送")
    MONTHLY = "monthly", _("每月通报")
    QUARTERLY = "quarterly", _("每季调度")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("待审核")
    SIGNED = "signed", _("已签发")


class Report(RegionOwned):
    """One version of one report: a station's week, or a district's month or quarter."""

    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    # The station a weekly report is sent up by (its township is ``region``); none for a district's reports.
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("社工站"),
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    content = models.JSONField(default=dict)
    remarks = models.TextField(_("情况说明"), blank=True, max_length=2000)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("更正")
    )
    correction_note = models.CharField(_("更正说明"), max_length=300, blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    region_from = "region"
    # Whole stations' and districts' figures: region-wide roles only.
    relationship = REGION_WIDE_ONLY

    class Meta:
        ordering = ["-period_start", "kind", "region_code", "-version"]
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "region", "period_start", "version"], name="report_version_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(signed_at__isnull=False), name="report_signed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["kind", "period_start", "region_code"], name="report_kind_period")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label} v{self.version}"

    @property
    def signed(self) -> bool:
        return self.state == ReportState.SIGNED

    @property
    def state_label(self) -> str:
        """A station's week is sent up (已报送); a district's report is signed (已签发)."""
        if self.signed and self.kind == ReportKind.WEEKLY:
            return str(_("已报送"))
        return str(self.get_state_display())

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.WEEKLY:
            return f"{self.period_start:%Y-%m-%d}～{self.period_end:%m-%d}"
        if self.kind == ReportKind.MONTHLY:
            return f"{self.period_start:%Y-%m}"
        return f"{self.period_start.year}Q{(self.period_start.month - 1) // 3 + 1}"

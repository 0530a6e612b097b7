"""Integrity findings (SPEC §10, seed 003): what a check found, who it is assigned to, and how it was decided.

A finding is never deleted: its rows are the supervision record. A check that finds the same problem again updates
the same row (one per check and subject); a problem that no longer holds closes its finding with a note.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.models import BackgroundJob
from shegong.core.scoping import REGION_WIDE_ONLY, RegionOwned


class FindingState(models.TextChoices):
    OPEN = "open", _("待处理")
    EXPLAINED = "explained", _("已说明")
    CONFIRMED = "confirmed", _("已确认问题")
    FALSE_ALARM = "false_alarm", _("误报")
    CLOSED = "closed", _("已自动关闭")


# The states a person decides; "closed" is set only by a run that no longer finds the problem.
DECIDED_STATES = (FindingState.EXPLAINED, FindingState.CONFIRMED, FindingState.FALSE_ALARM)


class AssignedTo(models.TextChoices):
    STATION = "station", _("社工站站长")
    BUREAU = "bureau", _("民政部门")


class Finding(RegionOwned):
    check_code = models.CharField(_("检查项"), max_length=40)
    # Stable per check: the same problem found again is the same subject (e.g. "worker:12", "visit:3|visit:4").
    subject = models.CharField(_("对象"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300)
    # [{"model": "visits.visit", "id": 3, "text": "…"}]: the records that show the problem, without personal data.
    evidence = models.JSONField(_("证据"), default=list)
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务阵地"),
    )
    assigned_to = models.CharField(_("责任方"), max_length=10, choices=AssignedTo.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=FindingState.choices, default=FindingState.OPEN
    )
    first_found_at = models.DateTimeField(_("首次发现"), auto_now_add=True)
    last_found_at = models.DateTimeField(_("最近一次发现"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("自动关闭时间"), null=True, blank=True)
    resolved_note = models.CharField(_("关闭说明"), max_length=300, blank=True)

    relationship = REGION_WIDE_ONLY

    class Meta:
        ordering = ["-last_found_at", "-pk"]
        verbose_name = _("诚信检查发现")
        verbose_name_plural = _("诚信检查发现")
        constraints = [
            models.UniqueConstraint(fields=["check_code", "subject"], name="one_finding_per_check_subject"),
            models.CheckConstraint(
                condition=~Q(state__in=[s.value for s in DECIDED_STATES])
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(reason="")),
                name="finding_decision_has_who_when_why",
                violation_error_message=_("处理须有处理人、时间和意见"),
            ),
            models.CheckConstraint(
                condition=~Q(state=FindingState.CLOSED) | Q(resolved_at__isnull=False),
                name="finding_closed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "state", "check_code"], name="finding_region_state"),
        ]

    def __str__(self) -> str:
        return f"{self.check_code} {self.subject}"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("诚信检查发现不能删除"))


def refuse_delete(sender, instance, **kwargs):
    raise ValidationError(_("诚信检查发现不能删除"))


class IntegritySetting(models.Model):
    """A region's choice for one check: off, or other thresholds. Inherited down the region tree: the nearest
    region with a setting for the check decides (``selectors.settings_resolver``); blank thresholds keep the
    check's defaults."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区划")
    )
    check_code = models.CharField(_("检查项"), max_length=40)
    enabled = models.BooleanField(_("启用"), default=True)
    thresholds = models.JSONField(_("阈值"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id", "check_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "check_code"], name="one_integrity_setting_per_region_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.check_code}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("检查中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class RunKind(models.TextChoices):
    FULL = "full", _("全面检查")
    INCREMENTAL = "incremental", _("增量检查")


class IntegrityRun(BackgroundJob):
    """One run of the checks over a region subtree: ``done`` of ``total`` checks, what it found and closed."""

    kind = models.CharField(max_length=12, choices=RunKind.choices, default=RunKind.FULL)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    check_code = models.CharField(max_length=40, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    found = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    current = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    relationship = REGION_WIDE_ONLY

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("诚信检查运行")
        verbose_name_plural = _("诚信检查运行")

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

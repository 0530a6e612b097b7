"""Writes: generate a report from live data, review its remarks, sign it (frozen), issue a corrected version."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.audit.services import record
from shegong.core.records import diff
from shegong.core.regioncodes import Level
from shegong.network.models import NodeLevel, NodeStatus

from . import figures, periods
from .models import Report, ReportKind, ReportState

# Who may generate and sign each kind: the station head sends its week up; the district publishes the rest.
PERMISSION = {
    ReportKind.WEEKLY: "reports.submit",
    ReportKind.MONTHLY: "reports.publish",
    ReportKind.QUARTERLY: "reports.publish",
}


def _check_target(*, kind: str, region, node) -> None:
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("报告类型无效")})
    if kind == ReportKind.WEEKLY:
        if node is None or node.level != NodeLevel.STATION or node.status == NodeStatus.CLOSED:
            raise ValidationError({"node": _("每周报送须选择一个运营中的乡镇（街道）社工站")})
    elif region is None or region.level != Level.COUNTY:
        raise ValidationError({"region": _("每月通报和每季调度须选择一个区县")})


def check_generate(*, actor, kind: str, region=None, node=None, day: datetime.date | None = None) -> None:
    """Refuse at once what ``report_generate`` would refuse (before a background job is queued for it)."""
    _check_target(kind=kind, region=region, node=node)
    code = node.region_code if kind == ReportKind.WEEKLY else region.code
    actor.require(PERMISSION[kind], code)
    if day is not None and day > timezone.localdate():
        raise ValidationError({"day": _("不能为尚未开始的期间生成报告")})


def _content(kind: str, region, node, start: datetime.date, end: datetime.date) -> dict:
    if kind == ReportKind.WEEKLY:
        return figures.weekly(node, start, end)
    if kind == ReportKind.MONTHLY:
        return figures.monthly(region, start, end)
    signed = dict(
        Report.objects.filter(
            kind=ReportKind.WEEKLY,
            state=ReportState.SIGNED,
            period_start__gte=start,
            period_start__lte=end,
            version=1,
        )
        .values("node_id")
        .annotate(n=Count("id"))
        .values_list("node_id", "n")
    )
    return figures.quarterly(region, start, end, weekly_signed=signed)


def report_generate(*, actor, kind: str, region=None, node=None, day: datetime.date) -> Report:
    """The period's draft, generated from the data as it stands (a draft again regenerated in place)."""
    check_generate(actor=actor, kind=kind, region=region, node=node, day=day)
    if kind == ReportKind.WEEKLY:
        region = node.region
    start, end = periods.bounds(kind, day)
    with transaction.atomic():
        versions = Report.objects.select_for_update().filter(kind=kind, region=region, period_start=start)
        latest = versions.order_by("-version").first()
        if latest is not None and latest.signed:
            raise ValidationError({"day": _("该期报告已签发；如需更正请发布更正版")})
        content = _content(kind, region, node, start, end)
        if latest is None:
            report = Report(
                kind=kind,
                region=region,
                region_code=region.code,
                node=node,
                period_start=start,
                period_end=end,
                content=content,
                generated_at=timezone.now(),
                created_by=actor.user,
            )
        else:
            report = latest
            report.content, report.generated_at = content, timezone.now()
        report.full_clean()
        report.save()
        record("reports.report.generate", actor=actor, obj=report, changes={"version": report.version})
    return report


def report_remarks(*, actor, report: Report, remarks: str) -> Report:
    actor.require(PERMISSION[report.kind], report.region_code)
    remarks = remarks.strip()
    if len(remarks) > 2000:
        raise ValidationError({"remarks": _("情况说明不能超过 2000 字")})
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.signed:
            raise ValidationError({"remarks": _("报告已签发，不能修改")})
        changes = diff({"remarks": report.remarks}, {"remarks": remarks})
        report.remarks = remarks
        report.save(update_fields=["remarks"])
        record("reports.report.remarks", actor=actor, obj=report, changes=changes)
    return report


def report_sign(*, actor, report: Report, now: datetime.datetime | None = None) -> Report:
    """Sign (a station's week: submit) the report: its content is frozen from now on."""
    actor.require(PERMISSION[report.kind], report.region_code)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.signed:
            raise ValidationError({"state": _("报告已签发，不能重复签发")})
        report.state = ReportState.SIGNED
        report.signed_at = now or timezone.now()
        report.signed_by = actor.user
        report.save(update_fields=["state", "signed_at", "signed_by"])
        record("reports.report.sign", actor=actor, obj=report, changes={"version": report.version})
    return report


def report_new_version(*, actor, report: Report, note: str) -> Report:
    """A correction: a new draft version generated from the data as it stands, saying what it corrects."""
    actor.require(PERMISSION[report.kind], report.region_code)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明更正的内容")})
    if len(note) > 300:
        raise ValidationError({"note": _("更正说明不能超过 300 字")})
    if not report.signed:
        raise ValidationError({"note": _("只有已签发的报告可以发布更正版")})
    with transaction.atomic():
        versions = Report.objects.select_for_update().filter(
            kind=report.kind, region_id=report.region_id, period_start=report.period_start
        )
        top = versions.aggregate(v=Max("version"))["v"]
        if versions.filter(version=top, state=ReportState.DRAFT).exists():
            raise ValidationError({"note": _("已有待审核的更正版")})
        correction = Report(
            kind=report.kind,
            region_id=report.region_id,
            region_code=report.region_code,
            node=report.node,
            period_start=report.period_start,
            period_end=report.period_end,
            version=top + 1,
            corrects=report,
            correction_note=note,
            remarks=report.remarks,
            content=_content(report.kind, report.region, report.node, report.period_start, report.period_end),
            generated_at=timezone.now(),
            created_by=actor.user,
        )
        correction.full_clean()
        correction.save()
        record("reports.report.correct", actor=actor, obj=correction, changes={"corrects": report.pk})
    return correction


def generate_in_background(job, actor, progress, *, kind: str, day: str, region_code: str = "", node_id=None):
    """The ``reports.generate`` job: the report's draft, then a link to it."""
    from shegong.core.scoping import get_scoped_or_404
    from shegong.network.models import ServiceNode
    from shegong.regions.models import Region

    progress(0, 2, gettext_noop("正在汇总数据"))
    node = get_scoped_or_404(ServiceNode, pk=node_id) if node_id else None
    region = Region.objects.get(code=region_code) if region_code and not node else None
    report = report_generate(
        actor=actor, kind=kind, region=region, node=node, day=datetime.date.fromisoformat(day)
    )
    progress(2, 2, gettext_noop("已生成"))
    return {"report": report.pk}, reverse("reports:detail", args=[report.pk])

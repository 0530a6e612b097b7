"""Pages: the reports per period and kind (with the stations' weekly submissions for the district), one report,
its actions, and its Excel and PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.audit.services import record
from shegong.core import jobs
from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.pagination import paginate
from shegong.core.params import as_int
from shegong.core.pdf import pdf_response
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import ServiceNode

from . import selectors, services
from .export import workbook_rows
from .models import ReportKind


def _report(request, pk: int):
    request.actor.require("reports.view")
    return get_scoped_or_404(selectors.reports(), pk=pk)


@login_required
def report_list(request):
    request.actor.require("reports.view")
    kind = request.GET.get("kind", "")
    kind = kind if kind in ReportKind.values else ""
    period = request.GET.get("period", "")
    try:
        period = datetime.date.fromisoformat(period).isoformat() if period else ""
    except ValueError:
        period = ""
    under = request.actor.regions_with("reports.view")
    now = timezone.now()
    statuses = selectors.week_statuses(selectors.stations(under), selectors.last_week(now))
    paged = paginate(request, selectors.reports(kind=kind, period=period), 50)
    page = paged["page"]
    context = {
        "kind": kind,
        "kinds": ReportKind.choices,
        "period": period,
        "reports": page.object_list,
        **paged,
        "statuses": [(s, s.overdue_at(now)) for s in statuses],
        "week_start": selectors.last_week(now),
        "stations": selectors.stations(request.actor.regions_with("reports.submit")),
        "districts": selectors.districts(request.actor.regions_with("reports.publish")),
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "reports/list.html", context)


@login_required
@require_POST
def report_generate(request):
    """Queue the report's generation as a background job and show its progress."""
    request.actor.require("reports.view")
    kind = request.POST.get("kind", "")
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, _("日期：请填写有效日期"))
        return redirect("reports:list")
    node = region = None
    if kind == ReportKind.WEEKLY:
        node_id = request.POST.get("node", "")
        node = get_scoped_or_404(ServiceNode, pk=pk) if (pk := as_int(node_id)) is not None else None
    else:
        code = request.POST.get("region", "")
        region = get_scoped_or_404(selectors.districts(request.actor.regions_with("reports.view")), code=code)
    try:
        services.check_generate(actor=request.actor, kind=kind, region=region, node=node, day=day)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:list")
    target = node.name if node else region.name
    job = jobs.start(
        "reports.generate",
        actor=request.actor,
        region_code=node.region_code if node else region.code,
        title=_("生成%(kind)s：%(target)s") % {"kind": ReportKind(kind).label, "target": target},
        params={
            "kind": kind,
            "day": day.isoformat(),
            "node_id": node.pk if node else None,
            "region_code": region.code if region else "",
        },
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
def report_detail(request, pk: int):
    report = _report(request, pk)
    actor = request.actor
    can_act = actor.can(services.PERMISSION[report.kind], report.region_code)
    return render(
        request,
        "reports/detail.html",
        {
            "r": report,
            "c": report.content,
            "versions": selectors.versions_of(report),
            "latest": selectors.is_latest(report),
            "can_act": can_act,
        },
    )


def _act(request, pk: int, action):
    report = _report(request, pk)
    try:
        result = action(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:detail", pk=report.pk)
    return redirect("reports:detail", pk=result.pk)


@login_required
@require_POST
def report_remarks(request, pk: int):
    return _act(
        request,
        pk,
        lambda r: services.report_remarks(
            actor=request.actor, report=r, remarks=request.POST.get("remarks", "")
        ),
    )


@login_required
@require_POST
def report_sign(request, pk: int):
    return _act(request, pk, lambda r: services.report_sign(actor=request.actor, report=r))


@login_required
@require_POST
def report_correct(request, pk: int):
    return _act(
        request,
        pk,
        lambda r: services.report_new_version(
            actor=request.actor, report=r, note=request.POST.get("note", "")
        ),
    )


@login_required
def report_xlsx(request, pk: int):
    report = _report(request, pk)
    title, headers, rows = workbook_rows(report)
    record(
        "reports.report.export",
        actor=request.actor,
        obj=report,
        changes={"format": "xlsx", "rows": len(rows)},
    )
    return xlsx_response(
        f"{title}-v{report.version}.xlsx", build_workbook(title, headers, rows, footer=str(report))
    )


@login_required
def report_pdf(request, pk: int):
    report = _report(request, pk)
    record("reports.report.export", actor=request.actor, obj=report, changes={"format": "pdf"})
    html = render_to_string("reports/print.html", {"r": report, "c": report.content})
    return pdf_response(html, f"report-{report.kind}-{report.period_start:%Y%m%d}-v{report.version}.pdf")

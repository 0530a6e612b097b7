"""Reads: the reports a user may see, per period and kind, and which stations' weeks are overdue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from shegong.core.regioncodes import Level, subtree_bounds
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.regions.models import Region
from shegong.regions.selectors import policies_for

from . import periods
from .models import Report, ReportKind, ReportState


def reports(*, kind: str = "", period: str = ""):
    """Every version of the reports in the actor's scope, newest period first (``period``: a YYYY-MM-DD start)."""
    queryset = Report.objects.select_related("region", "node", "signed_by")
    if kind:
        queryset = queryset.filter(kind=kind)
    if period:
        queryset = queryset.filter(period_start=period)
    return queryset


def versions_of(report: Report):
    return Report.objects.filter(
        kind=report.kind, region_id=report.region_id, period_start=report.period_start
    ).order_by("-version")


def is_latest(report: Report) -> bool:
    return not versions_of(report).filter(version__gt=report.version).exists()


def stations(under: list[str] | None):
    """Operating stations in the actor's regions (``under``: its region codes; None: the whole active scope)."""
    q = Q(pk__in=[]) if under is not None else Q()
    for code in under or []:
        low, high = subtree_bounds(code)
        q |= Q(region_code__gte=low, region_code__lte=high)
    return (
        ServiceNode.objects.filter(q, level=NodeLevel.STATION)
        .exclude(status=NodeStatus.CLOSED)
        .select_related("region")
        .order_by("region_code")
    )


def districts(under: list[str]):
    """The districts the actor's regions are in or contain."""
    q = Q(pk__in=[])
    for code in under:
        low, high = subtree_bounds(code)
        q |= Q(code__gte=low, code__lte=high)
    inside = Region.objects.filter(q, level=Level.COUNTY)
    return inside.order_by("code")


@dataclass
class WeekStatus:
    node: ServiceNode
    week_start: datetime.date
    deadline: datetime.datetime
    report: Report | None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.signed

    def overdue_at(self, now: datetime.datetime) -> bool:
        return not self.submitted and now > self.deadline


def last_week(now: datetime.datetime | None = None) -> datetime.date:
    """The Monday of the week before ``now``'s: the week whose report is due this Monday."""
    today = timezone.localtime(now or timezone.now()).date()
    return periods.week_of(today)[0] - datetime.timedelta(days=7)


def week_statuses(nodes, week_start: datetime.date) -> list[WeekStatus]:
    """Each station's report for the week (the first signed version, else the latest draft) and its deadline."""
    nodes = list(nodes)
    policies = policies_for([n.region_code for n in nodes]) if nodes else {}
    found: dict[int, Report] = {}
    for report in Report.objects.filter(
        kind=ReportKind.WEEKLY, period_start=week_start, node__in=nodes
    ).order_by("version"):
        held = found.get(report.node_id)
        if held is None or (not held.signed and report.signed) or (not held.signed and not report.signed):
            found[report.node_id] = report
    return [
        WeekStatus(
            node=node,
            week_start=week_start,
            deadline=periods.weekly_deadline(
                week_start, node.region_code, due_hours=policies[node.region_code].weekly_report_due_hours
            ),
            report=found.get(node.pk),
        )
        for node in nodes
    ]


def overdue(nodes, now: datetime.datetime | None = None) -> list[WeekStatus]:
    """The stations whose last week's report is past its deadline and not submitted."""
    now = now or timezone.now()
    return [s for s in week_statuses(nodes, last_week(now)) if s.overdue_at(now)]


def signed_weekly_count(start: datetime.date, end: datetime.date) -> dict[int, int]:
    rows = Report.objects.filter(
        kind=ReportKind.WEEKLY, state=ReportState.SIGNED, version=1, period_start__range=(start, end)
    ).values_list("node_id", flat=True)
    out: dict[int, int] = {}
    for node_id in rows:
        out[node_id] = out.get(node_id, 0) + 1
    return out

"""The computed indicators' metrics: each reads live figures — the visit-care rollups, the counted tallies
(``core.tallies``), the projects' spending and targets — for a subject over a period, and returns the value with
the cells it came from (the drill-down). Nothing here scans raw service records.

A tally metric that no installed app registers yet measures nothing (``counted`` False): the indicator shows
"not counted yet" and earns no points, rather than a made-up zero being scored as a fact.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from shegong.core import tallies
from shegong.core.regioncodes import subtree_bounds
from shegong.core.scoping import region_wide
from shegong.projects import selectors as project_selectors
from shegong.recipients.models import VisitRollup

WIDE = "an assessment's figures are its subject's counted totals, no one's personal data"
FOUR = Decimal("0.0001")

TALLY_METRICS = {
    "cases.opened": _("开案数"),
    "cases.closed": _("结案数"),
    "groups.sessions": _("小组活动节数"),
    "activities.held": _("社区活动场次"),
    "volunteers.hours": _("志愿服务时长"),
    "served.people": _("服务人数"),
    "demands.received": _("受理需求数"),
    "demands.completed": _("办结需求数"),
    "supervision.sessions": _("督导次数"),
}
OTHER_METRICS = {
    "visits.rate": _("探访完成率（%）"),
    "demands.completion_rate": _("需求办结率（%）"),
    "projects.spend_share": _("预算执行率（%）"),
    "projects.pace": _("指标完成进度（%）"),
}
METRICS = {**OTHER_METRICS, **TALLY_METRICS}


@dataclass
class Subject:
    """What is measured: the regions it covers, and the project when it is one."""

    codes: list[str]
    project: object | None = None


@dataclass
class Measure:
    value: Decimal | None
    counted: bool = True
    cells: list = field(default_factory=list)  # [[label, value], ...] the figures behind the value


def _subtrees(codes) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        low, high = subtree_bounds(code)
        q |= Q(region_code__gte=low, region_code__lte=high)
    return q


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(FOUR, rounding=ROUND_HALF_UP)


def measure(metric: str, subject: Subject, since: datetime.date, until: datetime.date) -> Measure:
    with region_wide(WIDE):
        return _measure(metric, subject, since, until)


def _measure(metric, subject, since, until) -> Measure:
    if metric == "visits.rate":
        rows = (
            VisitRollup.objects.filter(
                _subtrees(subject.codes),
                month__gte=tallies.month_of(since),
                month__lte=tallies.month_of(until),
            )
            .values("month")
            .annotate(due=Sum("due"), visited=Sum("visited"))
            .order_by("month")
        )
        due = sum(r["due"] for r in rows)
        visited = sum(r["visited"] for r in rows)
        cells = [[r["month"].strftime("%Y-%m"), f"{r['visited']}/{r['due']}"] for r in rows]
        return Measure(_percent(visited, due), cells=cells)
    if metric in TALLY_METRICS:
        if metric not in tallies.metrics():
            return Measure(None, counted=False)
        months = tallies.by_month(subject.codes, [metric], since=since, until=until)
        cells = [[m.strftime("%Y-%m"), str(v[metric])] for m, v in months.items()]
        return Measure(sum((v[metric] for v in months.values()), Decimal(0)), cells=cells)
    if metric == "demands.completion_rate":
        names = ["demands.received", "demands.completed"]
        if any(n not in tallies.metrics() for n in names):
            return Measure(None, counted=False)
        got = tallies.totals(subject.codes, names, since=since, until=until)
        return Measure(
            _percent(got["demands.completed"], got["demands.received"]),
            cells=[[n, str(got[n])] for n in names],
        )
    if metric in ("projects.spend_share", "projects.pace"):
        if subject.project is None:
            return Measure(None, counted=False)
        project = subject.project
        if metric == "projects.spend_share":
            view = project_selectors.budget(project, today=until)
            cells = [[line.get_category_display(), f"{line.spent}/{line.amount}"] for line in view.lines]
            value = None if view.share_spent is None else (view.share_spent * 100).quantize(FOUR)
            return Measure(value, cells=cells)
        rows = project_selectors.progress(project, today=until)
        shares = [
            r.share_done / r.share_expected
            for r in rows
            if r.counted and r.share_done is not None and r.share_expected
        ]
        cells = [[r.target.get_indicator_display(), f"{r.actual}/{r.expected}"] for r in rows if r.counted]
        if not shares:
            return Measure(None, counted=bool(cells), cells=cells)
        value = min(Decimal(100), sum(shares) * 100 / len(shares)).quantize(FOUR, rounding=ROUND_HALF_UP)
        return Measure(value, cells=cells)
    return Measure(None, counted=False)


def score_on_curve(value: Decimal | None, curve: dict, max_points: Decimal) -> Decimal:
    """Points for a value: linear between two points (``low`` earns 0, ``high`` full marks), or the share of
    the highest threshold reached (``steps``: [[value, share], …]). No value earns nothing."""
    if value is None:
        return Decimal("0.00")
    value = Decimal(value)
    kind = (curve or {}).get("kind", "linear")
    if kind == "thresholds":
        earned = Decimal(0)
        for threshold, portion in sorted(
            (Decimal(str(t)), Decimal(str(s))) for t, s in curve.get("steps", [])
        ):
            if value >= threshold:
                earned = portion
        fraction = earned
    else:
        low, high = Decimal(str(curve.get("low", 0))), Decimal(str(curve.get("high", 100)))
        fraction = Decimal(1) if high == low else (value - low) / (high - low)
    fraction = max(Decimal(0), min(Decimal(1), fraction))
    return (fraction * max_points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

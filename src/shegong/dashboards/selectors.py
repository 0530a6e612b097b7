"""Reads for the dashboards: figures computed from rollups and registries, each drillable to its records."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from shegong.core.charts import month_labels
from shegong.core.grouping import child_prefix_length, grouped_by_child
from shegong.core.regioncodes import Level, subtree_bounds
from shegong.recipients.care import due_candidates, policy
from shegong.recipients.models import Recipient, VisitRollup
from shegong.regions.models import Region


@dataclass
class RatePoint:
    due: int = 0
    visited: int = 0

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.visited / self.due, 1) if self.due else None


@dataclass
class RateRow:
    code: str
    name: str
    points: dict[datetime.date, RatePoint]

    def at(self, month: datetime.date) -> RatePoint:
        return self.points.get(month, RatePoint())


@dataclass
class VisitRate:
    region_code: str
    region_name: str
    months: list[datetime.date]
    total: RateRow
    children: list[RateRow]

    @property
    def month(self) -> datetime.date:
        return self.months[-1]

    def chart(self, series_names: tuple[str, str]) -> dict:
        # The months before the region had anyone due (the platform not yet in use there) are left off, rather
        # than drawn as empty points at the start of the trend.
        months = self.months
        while len(months) > 1 and not self.total.at(months[0]).due:
            months = months[1:]
        return {
            "labels": [f"{m:%Y-%m}" for m in months],
            "series": [{"name": self.region_name, "data": [self.total.at(m).rate for m in months]}],
            "max": 100,
            "unit": "%",
        }


def visit_rate(region, *, month: datetime.date | None = None, months: int = 12) -> VisitRate:
    """月探访率 of ``region`` and each of its children over ``months`` months, read from the rollups only."""
    month = (month or timezone.localdate()).replace(day=1)
    window = policy.months_back(month, months)
    low, high = subtree_bounds(region.code)
    child_length = child_prefix_length(region.level)
    rows = grouped_by_child(
        VisitRollup.objects.filter(
            region_code__gte=low, region_code__lte=high, month__gte=window[0], month__lte=window[-1]
        ),
        region.level,
        by=("month",),
        due=Sum("due"),
        visited=Sum("visited"),
    )
    current = timezone.localdate().replace(day=1)
    if window[0] <= current <= window[-1]:
        rows += _unopened_due(low, high, current, region.level)
    total = RateRow(region.code, region.name, {})
    by_child: dict[str, dict[datetime.date, RatePoint]] = {}
    for row in rows:
        point = by_child.setdefault(row["bucket"], {}).setdefault(row["month"], RatePoint())
        point.due += row["due"]
        point.visited += row["visited"]
        overall = total.points.setdefault(row["month"], RatePoint())
        overall.due += row["due"]
        overall.visited += row["visited"]
    children = []
    if region.level < Level.VILLAGE:
        for child in Region.objects.filter(parent_id=region.code).order_by("code"):
            children.append(RateRow(child.code, child.name, by_child.get(child.code[:child_length], {})))
    return VisitRate(region.code, region.name, window, total, children)


def _unopened_due(low: str, high: str, month: datetime.date, level: int) -> list[dict]:
    """Rollup-shaped rows for the villages under ``low``–``high`` whose ``month`` ledger has not opened yet.

    Until the month-start run (or a first visit) opens a village's month, its rollup is missing; the figures it
    will open with are known: the recipients due in it, none visited yet (a visit opens the ledger). Counting them
    here keeps the dashboard right on the 1st instead of showing an empty month.
    """
    opened = VisitRollup.objects.filter(month=month, region_code__gte=low, region_code__lte=high).values(
        "region_code"
    )
    # The villages not open yet, from the region table: once the month-start run has opened every village with
    # recipients, only villages without any are left, and the recipients are looked up by village code (index
    # probes) rather than scanned across the whole subtree on every load.
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__gte=low, code__lte=high)
        .exclude(code__in=opened)
        .values_list("code", flat=True)
    )
    limit = connection.features.max_query_params
    size = max(1, limit - 50) if limit else max(1, len(villages))  # room for due_candidates' own parameters
    due: dict[str, int] = {}
    for start in range(0, len(villages), size):
        rows = grouped_by_child(
            due_candidates(month, Recipient.objects.filter(region_code__in=villages[start : start + size])),
            level,
            due=Count("id"),
        )
        for row in rows:
            due[row["bucket"]] = due.get(row["bucket"], 0) + row["due"]
    return [{"bucket": bucket, "month": month, "due": count, "visited": 0} for bucket, count in due.items()]


@dataclass
class MonthProgress:
    """The current month so far against the pace it needs: ``expected`` visits by today if the month's due
    visits were spread evenly over its days (due × days elapsed ÷ days in the month)."""

    month: datetime.date
    point: RatePoint
    elapsed: int
    days: int

    @property
    def expected(self) -> int:
        return round(self.point.due * self.elapsed / self.days)

    @property
    def expected_rate(self) -> float:
        return round(100.0 * self.elapsed / self.days, 1)

    @property
    def behind(self) -> bool:
        return self.point.visited < self.expected


def previous_month(today: datetime.date | None = None) -> datetime.date:
    """The last complete month: the default of every visit-rate figure (the current one is still in progress)."""
    first = (today or timezone.localdate()).replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def month_progress(rate: VisitRate, today: datetime.date | None = None) -> MonthProgress | None:
    """The current month's progress, if ``rate``'s window holds it."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    if current not in rate.months:
        return None
    days = calendar.monthrange(current.year, current.month)[1]
    return MonthProgress(current, rate.total.at(current), today.day, days)


# Service work on the station page: counted figures (core.tallies), a few index reads whatever the volume.
SERVICE_METRICS = ["groups.sessions", "activities.held", "served.people", "volunteers.hours"]
# The casework figures join when the cases app registers them (it counts opened and closed cases).
CASE_METRICS = ["cases.opened", "cases.closed"]


@dataclass
class ServiceWork:
    month: datetime.date
    now: dict
    chart: dict
    has_cases: bool


def service_work(region_code: str, *, today: datetime.date | None = None, months: int = 6) -> ServiceWork:
    """This month's sessions, activities, people served and confirmed volunteer hours under ``region_code`` (and
    cases opened and closed when casework counts them), with the last ``months`` months for the chart."""
    from django.utils.translation import gettext

    from shegong.core import tallies

    today = today or timezone.localdate()
    month = today.replace(day=1)
    known = tallies.metrics()
    names = [m for m in SERVICE_METRICS + CASE_METRICS if m in known]
    first = month
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    series = tallies.by_month([region_code], names, since=first, until=month)
    now = {name.replace(".", "_"): series[month][name] for name in names}
    charted = [
        m for m in ("groups.sessions", "activities.held", "served.people", "cases.opened") if m in known
    ]
    chart = {
        "labels": month_labels(series),
        "series": [
            {
                "name": gettext(str(known[name].label)),
                "data": [int(series[m][name]) for m in series],
                # People served run to hundreds a month against a handful of sessions and activities: a line on
                # an axis of its own, so the small bars stay readable.
                **({"axis": 1} if name == "served.people" else {}),
            }
            for name in charted
        ],
    }
    return ServiceWork(month, now, chart, has_cases="cases.opened" in known)

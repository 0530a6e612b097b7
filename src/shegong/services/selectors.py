"""Reads on services: activities, visits, worklists and the monthly visit rate (from rollups only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from .models import Activity, Visit, VisitRollup


def activity_counts_by_node(node_ids: list[int], *, since: datetime.date) -> dict[int, int]:
    rows = (
        Activity.objects.filter(node_id__in=node_ids, held_on__gte=since)
        .values("node_id")
        .annotate(n=Count("id"))
    )
    return {r["node_id"]: r["n"] for r in rows}


# Visit care ------------------------------------------------------------------------------------------------------


@dataclass
class WorkItem:
    recipient: object
    due_on: datetime.date
    days_late: int
    event_due_at: datetime.datetime | None
    escalated: bool


@dataclass
class Worklist:
    overdue: list[WorkItem] = field(default_factory=list)
    today: list[WorkItem] = field(default_factory=list)
    week: list[WorkItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)


def _work_items(queryset, today: datetime.date, now: datetime.datetime) -> Worklist:
    result = Worklist()
    for recipient in queryset:
        late = (today - recipient.next_due_on).days
        event_late = recipient.event_due_at is not None and recipient.event_due_at < now
        item = WorkItem(
            recipient,
            recipient.next_due_on,
            max(late, 0),
            recipient.event_due_at,
            escalated=recipient.risk_tier == 1 and (late > 0 or event_late),
        )
        if late > 0 or event_late:
            result.overdue.append(item)
        elif late == 0:
            result.today.append(item)
        else:
            result.week.append(item)
    # Risk first, then the most overdue.
    for bucket in (result.overdue, result.today, result.week):
        bucket.sort(key=lambda i: (i.recipient.risk_tier, i.due_on, i.recipient.pk))
    return result


def worklist(
    *,
    worker_id: int | None = None,
    station_id: int | None = None,
    today: datetime.date | None = None,
    overdue_only: bool = False,
    limit: int = 500,
) -> Worklist:
    """A worker's worklist (or a station's): overdue, due today, due by Sunday, ordered by risk and lateness."""
    from shegong.recipients.models import Recipient, RecipientStatus

    today = today or timezone.localdate()
    now = timezone.now()
    horizon = today if overdue_only else today + datetime.timedelta(days=6 - today.weekday())
    queryset = Recipient.objects.filter(status=RecipientStatus.ACTIVE, next_due_on__lte=horizon)
    if worker_id is not None:
        queryset = queryset.filter(worker_id=worker_id)
    if station_id is not None:
        queryset = queryset.filter(station_id=station_id)
    queryset = (
        queryset.select_related("region", "worker")
        .only(
            "pk",
            "name",
            "risk_tier",
            "next_due_on",
            "event_due_at",
            "last_visit_at",
            "frequency",
            "address",
            "region__name",
            "region__code",
            "worker__name",
            "region_code",
            "worker_id",
            "station_id",
            "status",
        )
        .order_by("risk_tier", "next_due_on", "pk")[:limit]
    )
    result = _work_items(queryset, today, now)
    if overdue_only:
        result.today, result.week = [], []
    return result


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
        return {
            "labels": [f"{m:%Y-%m}" for m in self.months],
            "series": [{"name": self.region_name, "data": [self.total.at(m).rate for m in self.months]}],
            "max": 100,
            "unit": "%",
        }


def months_back(end: datetime.date, count: int) -> list[datetime.date]:
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def visit_rate(region, *, month: datetime.date | None = None, months: int = 12) -> VisitRate:
    """月探访率 of ``region`` and each of its children over ``months`` months, read from the rollups only."""
    from shegong.regions.codes import PREFIX_LENGTH, Level, subtree_bounds
    from shegong.regions.models import Region

    month = (month or timezone.localdate()).replace(day=1)
    window = months_back(month, months)
    low, high = subtree_bounds(region.code)
    child_length = PREFIX_LENGTH[Level(region.level + 1)] if region.level < Level.VILLAGE else 12
    rows = (
        VisitRollup.objects.filter(
            region_code__gte=low, region_code__lte=high, month__gte=window[0], month__lte=window[-1]
        )
        .annotate(bucket=Substr("region_code", 1, child_length))
        .values("bucket", "month")
        .annotate(due=Sum("due"), visited=Sum("visited"))
    )
    rows = list(rows)
    current = timezone.localdate().replace(day=1)
    if window[0] <= current <= window[-1]:
        rows += _unopened_due(low, high, current, child_length)
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


def _unopened_due(low: str, high: str, month: datetime.date, child_length: int) -> list[dict]:
    """Rollup-shaped rows for the villages under ``low``–``high`` whose ``month`` ledger has not opened yet.

    Until the month-start run (or a first visit) opens a village's month, its rollup is missing; the figures it
    will open with are known: the recipients due in it, none visited yet (a visit opens the ledger). Counting them
    here keeps the dashboard right on the 1st instead of showing an empty month.
    """
    from django.db import connection

    from shegong.recipients.models import Recipient
    from shegong.regions.codes import Level
    from shegong.regions.models import Region

    from .care import due_candidates

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
        rows = (
            due_candidates(month, Recipient.objects.filter(region_code__in=villages[start : start + size]))
            .annotate(bucket=Substr("region_code", 1, child_length))
            .values("bucket")
            .annotate(due=Count("id"))
            .order_by()
        )
        for row in rows:
            due[row["bucket"]] = due.get(row["bucket"], 0) + row["due"]
    return [{"bucket": bucket, "month": month, "due": count, "visited": 0} for bucket, count in due.items()]


def visits_of(recipient, limit: int = 50):
    return Visit.objects.filter(recipient=recipient).select_related("worker").order_by("-visited_at")[:limit]

"""Reads: the settings in force per region, the findings list with its filters, counts by check and station, and
the monthly trend."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shegong.core.params import as_int
from shegong.core.regioncodes import ancestors_of, subtree_bounds

from . import checks
from .models import Finding, FindingState, IntegrityRun, IntegritySetting


class SettingsResolver:
    """The thresholds and on/off of every check per region: the nearest region up the tree with a setting for the
    check decides; thresholds it leaves out keep the check's defaults."""

    def __init__(self, rows=None):
        rows = IntegritySetting.objects.all() if rows is None else rows
        self.rows = {(row.region_id, row.check_code): row for row in rows}
        self._cache: dict[tuple[str, str], tuple[bool, dict]] = {}

    def resolve(self, check_code: str, region_code: str) -> tuple[bool, dict]:
        key = (check_code, region_code)
        if key not in self._cache:
            check = checks.get(check_code)
            enabled, values = True, dict(check.defaults)
            for code in [region_code, *reversed(ancestors_of(region_code))]:
                row = self.rows.get((code, check_code))
                if row is not None:
                    enabled = row.enabled
                    values.update({k: v for k, v in row.thresholds.items() if k in check.defaults})
                    break
            self._cache[key] = (enabled, values)
        return self._cache[key]

    def params_for(self, check_code: str):
        return lambda region_code: self.resolve(check_code, region_code)[1]

    def enabled(self, check_code: str, region_code: str) -> bool:
        return self.resolve(check_code, region_code)[0]


FILTERS = ("check", "state", "node", "assigned", "month", "under")


def finding_list(*, check="", state="", node="", assigned="", month="", under=""):
    queryset = Finding.objects.select_related("node", "decided_by")
    if under.isdigit() and len(under) == 12:
        low, high = subtree_bounds(under)
        queryset = queryset.filter(region_code__range=(low, high))
    if check in checks.REGISTRY:
        queryset = queryset.filter(check_code=check)
    if state in FindingState.values:
        queryset = queryset.filter(state=state)
    elif state == "":
        queryset = queryset.exclude(state=FindingState.CLOSED)
    if (node_id := as_int(node)) is not None:
        queryset = queryset.filter(node_id=node_id)
    if assigned in ("station", "bureau"):
        queryset = queryset.filter(assigned_to=assigned)
    if len(month) == 7:
        try:
            first = datetime.date.fromisoformat(month + "-01")
        except ValueError:
            first = None
        if first:
            queryset = queryset.filter(occurred_on__year=first.year, occurred_on__month=first.month)
    return queryset.order_by("-last_found_at", "-pk")


def counts_by_check(queryset) -> list[dict]:
    rows = {r["check_code"]: r["n"] for r in queryset.order_by().values("check_code").annotate(n=Count("pk"))}
    return [{"check": c, "count": rows.get(c.code, 0)} for c in checks.all_checks()]


def counts_by_station(queryset) -> list[dict]:
    rows = (
        queryset.order_by()
        .values("node_id", "node__name", "assigned_to")
        .annotate(n=Count("pk"))
        .order_by("-n", "node__name")
    )
    return list(rows)


def trend(queryset, months: int = 12) -> dict:
    """Findings first found per month over the last ``months`` months, by state now (for the chart)."""
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    cells = defaultdict(int)
    for row in (
        queryset.order_by()
        .filter(first_found_at__date__gte=start)
        .annotate(month=TruncMonth("first_found_at"))
        .values("month", "state")
        .annotate(n=Count("pk"))
    ):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        cells[(month.strftime("%Y-%m"), row["state"])] += row["n"]
    labels = []
    month = start
    while month <= today:
        labels.append(month.strftime("%Y-%m"))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return {
        "labels": labels,
        "series": [
            {"state": state, "name": str(label), "data": [cells[(m, state)] for m in labels]}
            for state, label in FindingState.choices
        ],
    }


def latest_runs(limit: int = 5):
    return IntegrityRun.objects.order_by("-created_at", "-pk")[:limit]


def last_finished_run_start(kind: str | None = None) -> datetime.datetime | None:
    runs = IntegrityRun.objects.filter(status="done", started_at__isnull=False)
    if kind:
        runs = runs.filter(kind=kind)
    run = runs.order_by("-started_at").first()
    return run.started_at if run else None


def open_counts(under: str, *, station_id: int | None = None) -> dict:
    """Open findings in a region's subtree (or at one station): how many, how many with the bureau, and the three
    checks with the most. One query."""
    low, high = subtree_bounds(under)
    queryset = Finding.objects.filter(region_code__range=(low, high), state=FindingState.OPEN)
    if station_id is not None:
        queryset = queryset.filter(node_id=station_id)
    rows = list(queryset.order_by().values("check_code", "assigned_to").annotate(n=Count("pk")))
    by_check: dict[str, int] = {}
    for row in rows:
        by_check[row["check_code"]] = by_check.get(row["check_code"], 0) + row["n"]
    return {
        "open": sum(r["n"] for r in rows),
        "bureau": sum(r["n"] for r in rows if r["assigned_to"] == "bureau"),
        "top": sorted(by_check.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
    }

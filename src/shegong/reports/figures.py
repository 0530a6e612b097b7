"""What a report holds, computed from live data: the lower apps' counted figures (``core.tallies``), the visit
ledger's rollups and, for a week (shorter than the tallies' month), the lower apps' records of those seven days.

Every builder returns plain JSON (numbers as strings), which the report freezes at sign-off.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_noop

from shegong.activities.models import Activity
from shegong.cases.models import Case
from shegong.core import tallies
from shegong.core.grouping import child_prefix_length
from shegong.core.regioncodes import subtree_bounds
from shegong.demands.models import DemandRequest
from shegong.groups.models import GroupSession
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.people.models import VolunteerHours
from shegong.projects.models import Project
from shegong.projects.selectors import progress as project_progress
from shegong.recipients.care.models import VisitRollup
from shegong.visits.models import Visit

# The month's key figures a bulletin ranks stations on, in ranking order after the visit rate (ties: the next
# figure, then the region code, so the same data always gives the same order).
METRICS = [
    ("cases.opened", gettext_noop("个案开案")),
    ("cases.closed", gettext_noop("个案结案")),
    ("groups.sessions", gettext_noop("小组活动节数")),
    ("activities.held", gettext_noop("社区活动场次")),
    ("demands.received", gettext_noop("受理诉求")),
    ("demands.completed", gettext_noop("办结诉求")),
    ("volunteers.hours", gettext_noop("志愿服务时长（小时）")),
]
RANKED_BY = ["visit_rate", "cases.closed", "demands.completed", "activities.held", "groups.sessions"]
RANK_RULE = gettext_noop(
    "按探访率排序；同率时依次比较结案数、办结诉求数、社区活动场次、小组活动节数，再按区划代码排序"
)
RED_FLAGS = 3
PERCENT = Decimal("0.1")


def _num(value) -> str:
    """A count or an amount as plain digits: 170, 1.5 (never 1.7E+2)."""
    return format(Decimal(value).normalize(), "f")


def _in(code: str, field: str = "region_code") -> Q:
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def _rate(visited: int, due: int) -> str | None:
    if not due:
        return None
    return str((Decimal(visited) * 100 / Decimal(due)).quantize(PERCENT, rounding=ROUND_HALF_UP))


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time(), tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return since, until


def visits_of_months(code: str, months: list[datetime.date]) -> tuple[int, int]:
    """(due, visited) of the visit ledger for the months, summed over ``code``'s subtree."""
    row = VisitRollup.objects.filter(_in(code), month__in=months).aggregate(
        due=Sum("due"), visited=Sum("visited")
    )
    return row["due"] or 0, row["visited"] or 0


def stations_under(code: str):
    return (
        ServiceNode.objects.filter(_in(code), level=NodeLevel.STATION)
        .exclude(status=NodeStatus.CLOSED)
        .select_related("region")
        .order_by("region_code")
    )


# What a station's week counts: (key, label, model, date field, is the field a datetime, extra filter, summed field).
WEEKLY = [
    ("visits.done", gettext_noop("完成探访"), Visit, "visited_at", True, {}, None),
    ("cases.opened", gettext_noop("个案开案"), Case, "opened_on", False, {}, None),
    ("cases.closed", gettext_noop("个案结案"), Case, "ended_on", False, {"stage": "closed"}, None),
    ("groups.sessions", gettext_noop("小组活动节数"), GroupSession, "held_on", False, {}, None),
    ("activities.held", gettext_noop("社区活动场次"), Activity, "held_on", False, {}, None),
    ("demands.received", gettext_noop("受理诉求"), DemandRequest, "received_at", True, {}, None),
    ("demands.completed", gettext_noop("办结诉求"), DemandRequest, "resolved_at", True, {}, None),
    (
        "volunteers.hours",
        gettext_noop("志愿服务时长（小时）"),
        VolunteerHours,
        "served_on",
        False,
        {"status": "confirmed"},
        "hours",
    ),
]


def _period_q(field: str, is_datetime: bool, start: datetime.date, end: datetime.date) -> Q:
    if is_datetime:
        since, until = _day_bounds(start, end)
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})
    return Q(**{f"{field}__range": (start, end)})


def _week_content(node: ServiceNode, start: datetime.date, values: dict, due: int, visited: int) -> dict:
    return {
        "station": node.name,
        "township": node.region.name,
        "figures": [
            {"key": key, "label": label, "value": _num(values.get(key, 0))} for key, label, *_rest in WEEKLY
        ],
        "visit_month": {
            "month": f"{start:%Y-%m}",
            "due": due,
            "visited": visited,
            "rate": _rate(visited, due),
        },
    }


def weekly(node: ServiceNode, start: datetime.date, end: datetime.date) -> dict:
    """A station's week: services done and received in its township during the seven days."""
    code = node.region_code
    values = {}
    for key, _label, model, field, is_datetime, extra, summed in WEEKLY:
        rows = model.objects.filter(_in(code), _period_q(field, is_datetime, start, end), **extra)
        values[key] = (rows.aggregate(total=Sum(summed))["total"] or Decimal(0)) if summed else rows.count()
    due, visited = visits_of_months(code, [start.replace(day=1)])
    return _week_content(node, start, values, due, visited)


def weekly_many(district, nodes, first: datetime.date, last: datetime.date) -> dict:
    """``weekly`` for every station and week from ``first`` to ``last`` (Mondays), a few grouped queries in all
    (the demo's year of reports)."""
    length = child_prefix_length(district.level)
    end = last + datetime.timedelta(days=6)
    found: dict[tuple[str, datetime.date], dict] = defaultdict(dict)
    for key, _label, model, field, is_datetime, extra, summed in WEEKLY:
        rows = (
            model.objects.filter(_in(district.code), _period_q(field, is_datetime, first, end), **extra)
            .annotate(bucket=Substr("region_code", 1, length), week=TruncWeek(field))
            .values("bucket", "week")
            .annotate(total=Sum(summed) if summed else Count("pk"))
            .order_by()
        )
        for row in rows:
            week = row["week"]
            week = timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week
            found[(row["bucket"], week)][key] = row["total"] or 0
    ledger = {
        (row["bucket"], row["month"]): (row["due"] or 0, row["visited"] or 0)
        for row in VisitRollup.objects.filter(
            _in(district.code), month__gte=first.replace(day=1), month__lte=end
        )
        .annotate(bucket=Substr("region_code", 1, length))
        .values("bucket", "month")
        .annotate(due=Sum("due"), visited=Sum("visited"))
        .order_by()
    }
    out = {}
    for node in nodes:
        bucket = node.region_code[:length]
        week = first
        while week <= last:
            due, visited = ledger.get((bucket, week.replace(day=1)), (0, 0))
            out[(node.pk, week)] = _week_content(node, week, found.get((bucket, week), {}), due, visited)
            week += datetime.timedelta(days=7)
    return out


def _station_rows(district, months: list[datetime.date]) -> list[dict]:
    """Each station of the district with its figures for the months, ranked (``RANK_RULE``)."""
    names = [name for name, _label in METRICS]
    per_child = tallies.by_child(district.code, district.level, names, months=months)
    length = child_prefix_length(district.level)
    rows = []
    for node in stations_under(district.code):
        bucket = per_child.get(node.region_code[:length], {})
        due, visited = visits_of_months(node.region_code, months)
        values = {name: _num(bucket.get(name, Decimal(0))) for name in names}
        rows.append(
            {
                "node_id": node.pk,
                "name": node.name,
                "region_code": node.region_code,
                "due": due,
                "visited": visited,
                "visit_rate": _rate(visited, due),
                "values": values,
                "rank": None,
                "red_flag": False,
            }
        )

    def key(row):
        rate = Decimal(row["visit_rate"]) if row["visit_rate"] is not None else Decimal(-1)
        return (-rate, *(-Decimal(row["values"][m]) for m in RANKED_BY[1:]), row["region_code"])

    rows.sort(key=key)
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        row["red_flag"] = position <= RED_FLAGS
    return rows


def _totals(district, months: list[datetime.date]) -> list[dict]:
    names = [name for name, _label in METRICS]
    found = tallies.totals([district.code], names, months=months)
    due, visited = visits_of_months(district.code, months)
    rows = [{"key": "visit_rate", "label": gettext_noop("探访率（%）"), "value": _rate(visited, due) or "—"}]
    rows += [{"key": name, "label": label, "value": _num(found[name])} for name, label in METRICS]
    return rows


def monthly(district, start: datetime.date, end: datetime.date) -> dict:
    months = [start]
    return {
        "district": district.name,
        "metrics": [{"key": name, "label": label} for name, label in METRICS],
        "rank_rule": RANK_RULE,
        "totals": _totals(district, months),
        "rows": _station_rows(district, months),
    }


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def quarterly(
    district, start: datetime.date, end: datetime.date, *, weekly_signed: dict | None = None
) -> dict:
    """The quarter's figures beside the year so far, each project's targets against its pace at the quarter's end,
    and each station's weekly submissions."""
    quarter_months = _months(start, end)
    year_months = _months(datetime.date(start.year, 1, 1), end)
    names = [name for name, _label in METRICS]
    quarter = tallies.totals([district.code], names, months=quarter_months)
    year = tallies.totals([district.code], names, months=year_months)
    q_due, q_visited = visits_of_months(district.code, quarter_months)
    y_due, y_visited = visits_of_months(district.code, year_months)
    figures = [
        {
            "key": "visit_rate",
            "label": gettext_noop("探访率（%）"),
            "quarter": _rate(q_visited, q_due) or "—",
            "year": _rate(y_visited, y_due) or "—",
        }
    ] + [
        {"key": n, "label": label, "quarter": _num(quarter[n]), "year": _num(year[n])} for n, label in METRICS
    ]
    projects = []
    as_of = min(end, timezone.localdate())
    live = (
        Project.objects.filter(
            _in(district.code), starts_on__lte=end, ends_on__gte=datetime.date(start.year, 1, 1)
        )
        .prefetch_related("targets")
        .order_by("region_code", "pk")
    )
    for project in live:
        targets = [
            {
                "indicator": str(item.target.get_indicator_display()),
                "quantity": str(item.target.quantity),
                "expected": str(item.expected),
                "actual": _num(item.actual) if item.counted else "—",
                "percent": item.percent if item.counted else None,
                "behind": item.behind,
            }
            for item in project_progress(project, today=as_of)
        ]
        if targets:
            projects.append({"id": project.pk, "name": project.name, "targets": targets})
    # The weeks a station owed a report for: those starting in the quarter that ended before today.
    first_monday = start + datetime.timedelta(days=-start.weekday() % 7)
    weeks = 0
    while first_monday <= end and first_monday + datetime.timedelta(days=6) < timezone.localdate():
        weeks += 1
        first_monday += datetime.timedelta(days=7)
    stations = [
        {
            "name": node.name,
            "region_code": node.region_code,
            "weeks": weeks,
            "submitted": (weekly_signed or {}).get(node.pk, 0),
        }
        for node in stations_under(district.code)
    ]
    return {
        "district": district.name,
        "figures": figures,
        "projects": projects,
        "stations": stations,
        "as_of": f"{as_of:%Y-%m-%d}",
    }

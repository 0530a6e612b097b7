"""Reads on demand intake and dispatch: the desk's board, a receiver's list, the demand list that feeds project
design, and the recounts behind the tallies.

``demand_summary(codes, since, until)`` is the demand list's public surface for the oversight layer (the projects
app reads it when an official designs a project from the demand list, 需求清单 → 项目清单): one row per catalogue
item with requests received in the period under the regions ``codes``, how many were completed, how many are
still open, and the average rating. It runs in the caller's scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import standing
from shegong.core.regioncodes import subtree_bounds
from shegong.core.tallies import month_of

from .models import AT_DESK, DONE, OPEN, WITH_RECEIVER, DemandEvent, DemandRequest, EventKind, Status

TZ = ZoneInfo("Asia/Shanghai")


def in_regions(codes) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        low, high = subtree_bounds(code)
        q |= Q(region_code__gte=low, region_code__lte=high)
    return q


def _bounds(since: datetime.date | None, until: datetime.date | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(received_at__gte=datetime.datetime.combine(since, datetime.time(0), tzinfo=TZ))
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(0), tzinfo=TZ)
        q &= Q(received_at__lt=end)
    return q


def overdue_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=Status.DISPATCHED, accept_due_at__lt=now) | Q(
        status__in=[Status.ACCEPTED, Status.IN_PROGRESS], resolve_due_at__lt=now
    )


BOARD_TABS = ("new", "unaccepted", "overdue", "returned", "open")


def board_filter(tab: str, now=None) -> Q:
    return {
        "new": Q(status=Status.NEW),
        "unaccepted": Q(status=Status.DISPATCHED),
        "overdue": overdue_q(now),
        "returned": Q(status=Status.RETURNED),
        "open": Q(status__in=OPEN),
    }[tab]


def board_counts(queryset=None, now=None) -> dict[str, int]:
    """The desk's tab counts in one query, over open requests only (every tab is a subset of them: the index on
    status and region keeps it small however many requests were ever closed)."""
    queryset = DemandRequest.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN).aggregate(
        **{tab: Count("pk", filter=board_filter(tab, now)) for tab in BOARD_TABS}
    )


def board(tab: str, now=None):
    """The desk's list for a tab: oldest deadline first where there is one, else oldest first. It joins only
    what the rows show (each join more costs the planner more than the rows: an 8-way join planned in 60 ms)."""
    queryset = DemandRequest.objects.filter(board_filter(tab, now)).select_related("region", "item")
    if tab in ("overdue", "unaccepted"):
        return queryset.order_by("accept_due_at", "resolve_due_at", "pk")
    return queryset.order_by("received_at", "pk")


OPEN_METRIC = "demands.open"


def _open_positions(values: dict) -> dict:
    """An open request is counted in its region, due when its current deadline passes (``overdue_q``): the
    acceptance deadline while dispatched, the resolution deadline once accepted; none at the desk or waiting."""
    status = values["status"]
    if status not in OPEN:
        return {}
    due = None
    if status == Status.DISPATCHED:
        due = values["accept_due_at"]
    elif status in (Status.ACCEPTED, Status.IN_PROGRESS):
        due = values["resolve_due_at"]
    return {OPEN_METRIC: (values["region_code"], due)}


# Where a request is counted (``core.standing``): what the dashboards read for open and overdue requests.
OPEN_COUNTED = standing.Counted(("status", "region_code", "accept_due_at", "resolve_due_at"), _open_positions)


def recount_open() -> dict:
    out: dict = defaultdict(int)
    rows = DemandRequest.objects.filter(status__in=OPEN).values(*OPEN_COUNTED.fields)
    for row in rows.order_by():
        for position in _open_positions(row).values():
            out[position] += 1
    return dict(out)


def open_counts(codes, now=None) -> dict[str, int]:
    """Open and overdue requests under the regions ``codes``, read from the standing counts (an index read of the
    regions' rows, never the requests). The dashboards read it; ``requests`` lists the same requests."""
    count = standing.counts(codes, [OPEN_METRIC], now=now or timezone.now())[OPEN_METRIC]
    return {"open": count.counted, "overdue": count.overdue}


def _month_bounds(raw: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    try:
        first = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return None
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time(0), tzinfo=TZ),
        datetime.datetime.combine(after, datetime.time(0), tzinfo=TZ),
    )


REQUEST_FILTERS = ("under", "state", "received", "resolved")


def requests(*, under: str = "", state: str = "", received: str = "", resolved: str = "", now=None):
    """The requests a figure counts: under a region, open or overdue now, received or completed in a month (the
    months the "demands.received" and "demands.completed" tallies count them in)."""
    queryset = DemandRequest.objects.select_related("region", "item")
    if under.isdigit() and len(under) == 12:
        queryset = queryset.filter(in_regions([under]))
    if state == "open":
        queryset = queryset.filter(status__in=OPEN)
    elif state == "overdue":
        queryset = queryset.filter(status__in=OPEN).filter(overdue_q(now))
    window = _month_bounds(received)
    if window:
        queryset = queryset.filter(received_at__gte=window[0], received_at__lt=window[1])
    window = _month_bounds(resolved)
    if window:
        queryset = queryset.filter(status__in=DONE, resolved_at__gte=window[0], resolved_at__lt=window[1])
    return queryset.order_by("-received_at", "-pk")


def assigned(actor, *, worker=None):
    """What waits for a receiver: dispatched to its worker record, or (station heads, operators) everything with a
    receiver that the actor may see."""
    queryset = DemandRequest.objects.filter(status__in=WITH_RECEIVER).select_related("region", "item")
    if worker is not None and not actor.can("demands.dispatch"):
        queryset = queryset.filter(worker=worker)
    elif worker is not None and "township" not in actor.roles:
        queryset = queryset.filter(worker=worker)
    return queryset.order_by("resolve_due_at", "accept_due_at", "pk")


def repeat_count(req) -> int:
    """How many other requests came from the same phone (the blind index recognises a repeat caller)."""
    if not req.phone_index:
        return 0
    return DemandRequest.objects.filter(phone_index=req.phone_index).exclude(pk=req.pk).count()


@dataclass
class SummaryRow:
    domain: str
    item: str
    item_id: int | None
    requests: int
    completed: int
    open: int
    average_rating: float | None


def demand_summary(codes, since: datetime.date | None, until: datetime.date | None) -> list[SummaryRow]:
    """The demand list per catalogue item (domain, item, requests, completed, open, average rating), busiest
    first, for requests received from ``since`` to ``until`` (inclusive, local dates) under ``codes``."""
    rows = (
        DemandRequest.objects.filter(in_regions(codes), _bounds(since, until))
        .exclude(status=Status.CANCELLED)
        .values("item_id", "item__name", "item__domain__name")
        .annotate(
            requests=Count("pk"),
            completed=Count("pk", filter=Q(status__in=DONE)),
            open=Count("pk", filter=Q(status__in=OPEN)),
            rating=Avg("rating"),
        )
        .order_by("-requests", "item_id")
    )
    return [
        SummaryRow(
            domain=row["item__domain__name"] or "",
            item=row["item__name"] or _("未分类"),
            item_id=row["item_id"],
            requests=row["requests"],
            completed=row["completed"],
            open=row["open"],
            average_rating=round(row["rating"], 2) if row["rating"] is not None else None,
        )
        for row in rows
    ]


@dataclass
class ListRow:
    summary: SummaryRow
    months: list[int] = field(default_factory=list)  # requests per month, oldest first
    unmet: int = 0

    @property
    def recent(self) -> list[int]:
        """The last twelve months' counts, for the page's compact column."""
        return self.months[-12:]

    @property
    def trend(self) -> str:
        """up / down / flat: the second half of the period against the first."""
        half = len(self.months) // 2
        if half == 0:
            return "flat"
        first, second = sum(self.months[:half]), sum(self.months[half:])
        if second > first * 1.2 and second - first >= 2:
            return "up"
        if second < first * 0.8 and first - second >= 2:
            return "down"
        return "flat"


def months_between(since: datetime.date, until: datetime.date) -> list[datetime.date]:
    months, month = [], month_of(since)
    while month <= month_of(until):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def demand_list(
    codes, since: datetime.date, until: datetime.date
) -> tuple[list[datetime.date], list[ListRow]]:
    """The demand list (需求清单): per item, the summary, requests per month and the unmet count (still open)."""
    months = months_between(since, until)
    summary = demand_summary(codes, since, until)
    per_month: dict[tuple[int | None, datetime.date], int] = defaultdict(int)
    monthly = (
        DemandRequest.objects.filter(in_regions(codes), _bounds(since, until))
        .exclude(status=Status.CANCELLED)
        .annotate(month=TruncMonth("received_at", tzinfo=TZ))
        .values("item_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in monthly:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month, TZ).date() if timezone.is_aware(month) else month.date()
        per_month[(row["item_id"], month_of(month))] += row["n"]
    rows = [
        ListRow(summary=s, months=[per_month.get((s.item_id, m), 0) for m in months], unmet=s.open)
        for s in summary
    ]
    return months, rows


def station_figures(codes, since, until) -> list[dict]:
    """Per station: open, overdue, resolved, resolved on time, average rating (requests dispatched to a station)."""
    now = timezone.now()
    return list(
        DemandRequest.objects.filter(in_regions(codes), _bounds(since, until), station__isnull=False)
        .values("station_id", "station__name")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=overdue_q(now)),
            resolved=Count("pk", filter=Q(status__in=DONE)),
            on_time=Count("pk", filter=Q(status__in=DONE, resolved_on_time=True)),
            rating=Avg("rating"),
        )
        .order_by("station__name")
    )


# Tallies --------------------------------------------------------------------------------------------------------


def recount_received() -> dict:
    counts: dict = defaultdict(int)
    for code, at in DemandRequest.objects.values_list("region_code", "received_at").iterator(chunk_size=5000):
        counts[(code, month_of(at))] += 1
    return dict(counts)


def recount_completed() -> dict:
    counts: dict = defaultdict(int)
    done = DemandRequest.objects.filter(status__in=DONE, resolved_at__isnull=False)
    for code, at in done.values_list("region_code", "resolved_at").iterator(chunk_size=5000):
        counts[(code, month_of(at))] += 1
    return dict(counts)


def served_members():
    rows = DemandRequest.objects.filter(recipient__isnull=False, served_on__isnull=False).values_list(
        "region_code", "served_on", "recipient_id"
    )
    for code, day, recipient_id in rows.iterator(chunk_size=5000):
        yield code, day, f"recipient:{recipient_id}"


# Hooks ----------------------------------------------------------------------------------------------------------


def timeline_events(recipient, limit: int):
    """The recipient's requests, step by step, on its timeline (``recipients.selectors.TIMELINE_SOURCES``)."""
    from shegong.recipients.selectors import Event

    events = (
        DemandEvent.objects.filter(request__recipient=recipient)
        .select_related("request", "request__item")
        .order_by("-at")[:limit]
    )
    return [
        Event(
            e.at,
            "demand",
            _("诉求 %(code)s：%(step)s%(item)s")
            % {
                "code": e.request.tracking_code,
                "step": EventKind(e.kind).label,
                "item": f"（{e.request.item.name}）" if e.request.item else "",
            },
            e.actor_name,
        )
        for e in events
    ]


def nav_badges(actor, shown: set[str]) -> dict[str, int]:
    """The desk's badge: requests waiting at the desk (new or handed back); one COUNT query."""
    if "demands:board" not in shown or not actor.can("demands.dispatch"):
        return {}
    return {"demands:board": DemandRequest.objects.filter(status__in=AT_DESK).count()}


def worklist_section(actor, worker, station=None) -> list:
    """The worker's "today" list (``visits.selectors.WORKLIST_SECTIONS``): requests dispatched to it, by deadline."""
    from django.urls import reverse

    from shegong.visits.selectors import WorkSection

    if worker is None or not actor.can("demands.handle"):
        return []
    now = timezone.now()
    rows = []
    for req in DemandRequest.objects.filter(worker=worker, status__in=WITH_RECEIVER).select_related(
        "item", "region"
    )[:30]:
        due = req.accept_due_at if req.status == Status.DISPATCHED else req.resolve_due_at
        rows.append(
            (
                f"{req.item.name if req.item else _('待分类')} · {req.region.name}",
                f"{req.get_status_display()} · {timezone.localtime(due):%m-%d %H:%M}"
                if due
                else req.get_status_display(),
                reverse("demands:detail", args=[req.pk]),
                bool(due and due < now and req.status != Status.WAITING),
            )
        )
    if not rows:
        return []
    rows.sort(key=lambda row: not row[3])
    return [WorkSection("demands", _("派给我的诉求"), reverse("demands:mine"), rows)]


def visit_actions(request, visit) -> list:
    """The visit page's "转为需求" button (``visits.selectors.VISIT_ACTIONS``): a visit that found a need becomes a
    request in one step (``POST /demands/from-visit/<id>/``); once it has, a link to that request."""
    from django.urls import reverse

    from shegong.visits.selectors import VisitAction

    if not (visit.needs_found or "").strip() or not request.actor.can(
        "demands.report", visit.recipient.region_code
    ):
        return []
    existing = DemandRequest.objects.filter(visit=visit).only("pk", "tracking_code").first()
    if existing is not None:
        return [
            VisitAction(
                label=_("已转为诉求 %(code)s") % {"code": existing.tracking_code},
                url=reverse("demands:detail", args=[existing.pk]),
                method="get",
            )
        ]
    return [VisitAction(label=_("转为需求"), url=reverse("demands:from_visit", args=[visit.pk]))]

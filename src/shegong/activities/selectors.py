"""Reads on community activities: lists, the five-haves count, the counted figures and the recipients' timeline."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.recipients.selectors import Event
from shegong.regions.selectors import region_subtree_q

from .models import Activity, ActivityParticipant

HELD_METRIC = "activities.held"
LIST_FILTERS = ("under", "kind", "month", "q")


def activity_counts_by_node(node_ids: list[int], *, since: datetime.date) -> dict[int, int]:
    """Activities each node held since ``since`` (the "has activities" part of the five-haves check)."""
    rows = (
        Activity.objects.filter(node_id__in=node_ids, held_on__gte=since)
        .values("node_id")
        .annotate(n=Count("id"))
    )
    return {r["node_id"]: r["n"] for r in rows}


def _month(raw: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return None


def activities(*, under: str = "", kind: str = "", month: str = "", q: str = "") -> QuerySet[Activity]:
    queryset = Activity.objects.select_related("node").annotate(
        volunteer_count=Count("volunteer_hours", distinct=True)
    )
    if under.isdigit():
        queryset = queryset.filter(region_subtree_q(under))
    if kind in Activity.Kind.values:
        queryset = queryset.filter(kind=kind)
    first = _month(month)
    if first is not None:
        last = (first + datetime.timedelta(days=32)).replace(day=1)
        queryset = queryset.filter(held_on__gte=first, held_on__lt=last)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(place__icontains=q))
    return queryset.order_by("-held_on", "-pk")


# Counted figures (core.tallies) ---------------------------------------------------------------------------------


def held_by_month() -> dict:
    """Activities held per (region of the node that held it, month): the recount of "activities.held"."""
    out: dict = defaultdict(int)
    for code, day in Activity.objects.values_list("region_code", "held_on").iterator(chunk_size=5000):
        out[(code, tallies.month_of(day))] += 1
    return dict(out)


def served_members():
    """Named participants as people served, in the recipient's own region (as visits and groups count them)."""
    rows = ActivityParticipant.objects.values_list(
        "recipient__region_code", "activity__held_on", "recipient_id"
    )
    return ((code, day, f"recipient:{rid}") for code, day, rid in rows.iterator(chunk_size=5000))


def region_figures(parent_level: int, codes: list[str]) -> list:
    """The regions page's column: activities held this month per region (``FIGURES_BY_REGION``)."""
    from shegong.core.grouping import child_prefix_length
    from shegong.core.regioncodes import parent_code_of
    from shegong.regions.selectors import RegionFigure

    if not codes:
        return []
    parent = parent_code_of(codes[0])
    month = timezone.localdate().replace(day=1)
    counts = tallies.by_child(parent, parent_level, [HELD_METRIC], months=[month]) if parent else {}
    length = child_prefix_length(parent_level)
    return [
        RegionFigure(
            _("本月社区活动"),
            {c: int(counts.get(c[:length], {}).get(HELD_METRIC, 0)) for c in codes},
            url_name="activities:list",
            query=f"month={month:%Y-%m}",
            permission="activities.view",
            order=61,
        )
    ]


def timeline_events(recipient, limit: int) -> list[Event]:
    rows = (
        ActivityParticipant.objects.filter(recipient=recipient)
        .select_related("activity__node")
        .order_by("-activity__held_on")[:limit]
    )
    events = []
    for p in rows:
        a = p.activity
        at = timezone.make_aware(datetime.datetime.combine(a.held_on, a.starts_at or datetime.time(12)))
        events.append(Event(at, "activity", _("参加社区活动“%(t)s”") % {"t": a.title}, a.node.name))
    return events

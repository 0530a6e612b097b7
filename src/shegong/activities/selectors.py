"""Reads on community activities."""

from __future__ import annotations

import datetime

from django.db.models import Count

from .models import Activity


def activity_counts_by_node(node_ids: list[int], *, since: datetime.date) -> dict[int, int]:
    """Activities each node held since ``since`` (the "has activities" part of the five-haves check)."""
    rows = (
        Activity.objects.filter(node_id__in=node_ids, held_on__gte=since)
        .values("node_id")
        .annotate(n=Count("id"))
    )
    return {r["node_id"]: r["n"] for r in rows}

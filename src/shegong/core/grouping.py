"""Grouped counts by child region: the one way any region-owned queryset is summed per child of a region.

A row belongs to the child whose code is a prefix of the row's ``region_code``, so grouping is a ``Substr`` on the
indexed column, one query whatever the number of children.
"""

from __future__ import annotations

from django.db.models.functions import Substr

from .regioncodes import PREFIX_LENGTH, Level


def child_prefix_length(level: int) -> int:
    """How many leading digits name a child of a region at ``level`` (a village's "children" are itself)."""
    return PREFIX_LENGTH[Level(level + 1)] if level < Level.VILLAGE else 12


def grouped_by_child(
    queryset, level: int, *, field: str = "region_code", by: tuple[str, ...] = (), **aggregates
):
    """Rows of ``aggregates`` per child of a region at ``level`` (and per each of ``by``); each has ``bucket``,
    the child's code prefix (``child.code[:child_prefix_length(level)]``)."""
    length = child_prefix_length(level)
    return list(
        queryset.annotate(bucket=Substr(field, 1, length))
        .values("bucket", *by)
        .annotate(**aggregates)
        .order_by()
    )


def grouped_by_child_map(
    queryset, level: int, *, field: str = "region_code", **aggregates
) -> dict[str, dict]:
    """``grouped_by_child`` keyed by bucket, for callers that look children up one by one."""
    return {row["bucket"]: row for row in grouped_by_child(queryset, level, field=field, **aggregates)}

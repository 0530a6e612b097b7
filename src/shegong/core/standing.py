"""Standing counts: how many records of a region are in a state now (``core.models.Standing``).

A month's figures are tallies (``core.tallies``): what happened in the month. A dashboard also shows the present:
cases in each stage, requests open, requests past their deadline. Those are kept here, as the tallies are, by the
services that move a record in or out of the state, in the transaction that writes it:

    standing.save(req, COUNTED)      # instead of req.save(): reads where the row was counted, saves, moves it

where ``COUNTED`` (a ``Counted``) names the fields that place a record and maps their values to the metrics it is
counted in (``{"demands.open": (region_code, due)}``; an empty dict when it is in none). Reading the stored row
first, not the instance, keeps the count right whatever the instance was loaded as.

``due`` is when a counted record becomes overdue (``NEVER`` for a record without a deadline); ``counts`` returns
how many are counted and how many of them are due before a moment, both index reads of a region's rows. Each
metric is registered once by the app that owns it with a ``recount`` from its records; ``reconcile`` (run with the
tallies' by ``shegong tallies reconcile``, and by the demo after it loads) compares and repairs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum

from .scoping import region_wide
from .tallies import increment, regions_q

# The due moment of a record that has none: never overdue.
NEVER = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)

Position = tuple[str, datetime.datetime | None]


@dataclass(frozen=True)
class Metric:
    """A standing count one app keeps. ``recount()`` returns ``{(region_code, due or None): n}`` from its records."""

    name: str
    label: str
    recount: Callable[[], dict[Position, int]]


_metrics: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.name in _metrics and _metrics[metric.name] != metric:
        raise ValueError(f"standing metric {metric.name!r} registered twice")
    _metrics[metric.name] = metric
    return metric


def metrics() -> dict[str, Metric]:
    return dict(_metrics)


def _due(due: datetime.datetime | None) -> datetime.datetime:
    return NEVER if due is None else due


def _add(metric: str, region_code: str, due: datetime.datetime, delta: int) -> None:
    from .models import Standing

    key = {"metric": metric, "region_code": region_code, "due": due}
    increment(Standing, key, delta)
    Standing.objects.filter(**key, value=0).delete()  # a row counts something or is not there


def move(metric: str, before: Position | None, after: Position | None) -> None:
    """A record counted at ``before`` is now counted at ``after`` (``None``: not counted, on either side)."""
    if metric not in _metrics:
        raise KeyError(f"unknown standing metric {metric!r}; register it in the owning app's ready()")
    if before is not None:
        before = (before[0], _due(before[1]))
    if after is not None:
        after = (after[0], _due(after[1]))
    if before == after:
        return
    with region_wide("standing counts are whole regions' totals, whoever records"):
        if before is not None:
            _add(metric, before[0], before[1], -1)
        if after is not None:
            _add(metric, after[0], after[1], 1)


@dataclass(frozen=True)
class Counted:
    """Where a model's rows are counted: ``positions(values)`` maps the ``fields``' values to ``{metric: Position}``."""

    fields: tuple[str, ...]
    positions: Callable[[dict], dict[str, Position]]


def save(obj, counted: Counted, **save_kwargs) -> None:
    """Save ``obj`` and move it between the standing counts its stored and its new values place it in.

    Call it inside the transaction that writes the record (every service's ``transaction.atomic()``).
    """
    fields = save_kwargs.get("update_fields")
    if fields is not None and not set(fields) & set(counted.fields):
        obj.save(**save_kwargs)  # nothing that places it changes
        return
    model = type(obj)
    before: dict[str, Position] = {}
    if obj.pk is not None:
        with region_wide("a record's standing count is moved by whoever writes the record"):
            row = model.objects.filter(pk=obj.pk).values(*counted.fields).first()
        if row is not None:
            before = counted.positions(row)
    obj.save(**save_kwargs)
    after = counted.positions({name: getattr(obj, name) for name in counted.fields})
    for metric in sorted(set(before) | set(after)):
        move(metric, before.get(metric), after.get(metric))


@dataclass(frozen=True)
class Count:
    counted: int
    overdue: int


def counts(codes: Iterable[str], names: Iterable[str], *, now: datetime.datetime) -> dict[str, Count]:
    """Each metric under the subtrees of ``codes``: how many are counted, and how many were due before ``now``."""
    from .models import Standing

    names = list(names)
    totals = {name: [0, 0] for name in names}
    rows = (
        Standing.objects.filter(regions_q(codes), metric__in=names)
        .values("metric")
        .annotate(counted=Sum("value"), overdue=Sum("value", filter=Q(due__lt=now)))
        .order_by()
    )
    for row in rows:
        totals[row["metric"]] = [row["counted"] or 0, row["overdue"] or 0]
    return {name: Count(*values) for name, values in totals.items()}


@dataclass(frozen=True)
class Drift:
    metric: str
    region_code: str
    due: datetime.datetime
    stored: int
    actual: int


def reconcile(*, fix: bool = True, only: Iterable[str] | None = None) -> list[Drift]:
    """Compare every registered metric (or ``only`` those) with its records; repair unless ``fix`` is False."""
    from .models import Standing

    names = list(only) if only is not None else sorted(_metrics)
    drifts: list[Drift] = []
    for name in names:
        actual: dict[tuple[str, datetime.datetime], int] = {}
        for (code, due), n in _metrics[name].recount().items():
            if n:
                key = (code, _due(due))
                actual[key] = actual.get(key, 0) + n
        stored = {
            (row.region_code, row.due): row.value
            for row in Standing.objects.filter(metric=name).only("region_code", "due", "value")
        }
        found = [
            Drift(name, key[0], key[1], stored.get(key, 0), actual.get(key, 0))
            for key in sorted(set(actual) | set(stored))
            if stored.get(key, 0) != actual.get(key, 0)
        ]
        drifts += found
        if fix and found:
            with transaction.atomic():
                for d in found:
                    if d.actual:
                        Standing.objects.update_or_create(
                            metric=name, region_code=d.region_code, due=d.due, defaults={"value": d.actual}
                        )
                    else:
                        Standing.objects.filter(metric=name, region_code=d.region_code, due=d.due).delete()
    return drifts

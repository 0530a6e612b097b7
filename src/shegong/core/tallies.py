"""Counted figures per region × month, kept current as records are written (ARCHITECTURE "Data rules").

The service-work apps (cases opened and closed, group sessions held, activities held, people served, volunteer
hours) each write their records through their own services; in the same transaction they call ``add`` (a count or
an amount) or ``add_member`` (a distinct count: a person served counts once per region and month, however many
services they had). Pages and higher layers read ``totals``, ``by_month`` and ``by_child``, a few index reads,
never the raw records.

Every metric is declared once with ``register(Metric(...))`` by the app that owns it, with a ``recount`` function
that computes the same figures from its records; ``reconcile`` (the ``shegong tallies reconcile`` command, and the
demo after it loads) compares and, unless asked not to, repairs, so a figure that drifted is found.

Distinct counts are distinct within the region and month they were recorded in: summing a township's villages or a
year's months counts a person served in two villages, or in two months, twice. That is the stated meaning of the
figure ("person-months served"), and ``by_month`` / ``totals`` say nothing else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Substr

from .grouping import child_prefix_length
from .regioncodes import subtree_bounds
from .scoping import region_wide


def month_of(day: datetime.date | datetime.datetime) -> datetime.date:
    """The first day of ``day``'s month (a datetime is taken in the local time zone)."""
    if isinstance(day, datetime.datetime):
        from django.utils import timezone

        day = timezone.localtime(day).date()
    return day.replace(day=1)


@dataclass(frozen=True)
class Metric:
    """A figure one app counts.

    A summed metric (``distinct=False``) gives ``recount``: ``{(region_code, month): value}`` computed from its
    records (a missing key means zero). A distinct metric counts members (``add_member``); any app that serves
    people contributes the members its records hold with ``contribute``, and the recount is the number of distinct
    (region, month, member) over all contributions.
    """

    name: str
    label: str
    recount: Callable[[], dict[tuple[str, datetime.date], Decimal | int]] | None = None
    distinct: bool = False


Members = Callable[[], Iterable[tuple[str, datetime.date, str]]]

_metrics: dict[str, Metric] = {}
_contributions: dict[str, list[Members]] = defaultdict(list)


def register(metric: Metric) -> Metric:
    if metric.name in _metrics and _metrics[metric.name] != metric:
        raise ValueError(f"tally metric {metric.name!r} registered twice")
    if (metric.recount is None) != metric.distinct:
        raise ValueError(f"tally metric {metric.name!r}: a summed metric needs recount, a distinct one none")
    _metrics[metric.name] = metric
    return metric


def contribute(name: str, members: Members) -> None:
    """Add a source of a distinct metric's members: ``members()`` yields ``(region_code, day, member)``."""
    if members not in _contributions[name]:
        _contributions[name].append(members)


def metrics() -> dict[str, Metric]:
    return dict(_metrics)


# People served by any service (a visit, a case, a group session, an activity): one member per person, region and
# month, e.g. "recipient:17". The apps that serve people contribute their members.
SERVED = register(Metric("served.people", "服务人次（人·月）", distinct=True))


def _members_of(name: str) -> set[tuple[str, datetime.date, str]]:
    return {
        (code, month_of(day), member) for source in _contributions[name] for code, day, member in source()
    }


def _known(name: str) -> None:
    if name not in _metrics:
        raise KeyError(f"unknown tally metric {name!r}; register it in the owning app's ready()")


# Writes ---------------------------------------------------------------------------------------------------------


def add(region_code: str, on: datetime.date, metric: str, delta: Decimal | int = 1) -> None:
    """Add ``delta`` (negative to take back) to ``metric`` of ``region_code`` in ``on``'s month.

    Call it inside the transaction that writes the record counted. Safe under concurrency: an existing row is
    updated in place (the database serialises the increments); the first writer of a (metric, region, month)
    inserts it, and a concurrent second inserter falls back to the update.
    """
    from .models import Tally

    _known(metric)
    if not delta:
        return
    with region_wide("counted figures are whole regions' totals, whoever records"):
        increment(Tally, {"metric": metric, "region_code": region_code, "month": month_of(on)}, delta)


def increment(model, key: dict, delta) -> None:
    """Add ``delta`` to the ``value`` of ``model``'s row at ``key`` (unique), creating it: an existing row is updated
    in place (the database serialises the increments); the first writer inserts it, and a concurrent second
    inserter falls back to the update. Shared by the tallies and the standing counts (``core.standing``)."""
    rows = model.objects.filter(**key)
    if rows.update(value=F("value") + delta):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, value=delta)
            return
    except IntegrityError:
        pass  # a concurrent writer inserted it first
    rows.update(value=F("value") + delta)


def add_member(region_code: str, on: datetime.date, metric: str, member: str) -> bool:
    """Count ``member`` (e.g. ``"recipient:17"``) once in ``metric`` for the region and month; True if new."""
    from .models import TallyMember

    _known(metric)
    month = month_of(on)
    with region_wide("counted figures are whole regions' totals, whoever records"):
        try:
            with transaction.atomic():
                TallyMember.objects.create(metric=metric, region_code=region_code, month=month, member=member)
        except IntegrityError:
            return False
    add(region_code, month, metric, 1)
    return True


# Reads ----------------------------------------------------------------------------------------------------------


def regions_q(codes: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        low, high = subtree_bounds(code)
        q |= Q(region_code__gte=low, region_code__lte=high)
    return q


def _months_q(months: Iterable[datetime.date] | None, since=None, until=None) -> Q:
    q = Q()
    if months is not None:
        q &= Q(month__in=[month_of(m) for m in months])
    if since is not None:
        q &= Q(month__gte=month_of(since))
    if until is not None:
        q &= Q(month__lte=month_of(until))
    return q


def totals(
    codes: Iterable[str],
    metrics: Iterable[str],
    *,
    months: Iterable[datetime.date] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> dict[str, Decimal]:
    """Each metric summed over the subtrees of ``codes`` and the months asked (all months when none)."""
    from .models import Tally

    names = list(metrics)
    out = {name: Decimal(0) for name in names}
    rows = (
        Tally.objects.filter(regions_q(codes), _months_q(months, since, until), metric__in=names)
        .values("metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        out[row["metric"]] = row["total"] or Decimal(0)
    return out


def by_month(
    codes: Iterable[str], metrics: Iterable[str], *, since: datetime.date, until: datetime.date
) -> dict[datetime.date, dict[str, Decimal]]:
    """Each month from ``since`` to ``until`` (inclusive, every month present) → metric → value."""
    from .models import Tally

    names = list(metrics)
    first, last = month_of(since), month_of(until)
    out: dict[datetime.date, dict[str, Decimal]] = {}
    month = first
    while month <= last:
        out[month] = {name: Decimal(0) for name in names}
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    # The months as a list, not a range: with the metrics' list it makes the (metric, month, region) index read one
    # contiguous run of the area's codes per metric and month, not every region's rows in between.
    rows = (
        Tally.objects.filter(regions_q(codes), month__in=list(out), metric__in=names)
        .values("month", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        out[row["month"]][row["metric"]] = row["total"] or Decimal(0)
    return out


def by_child(
    code: str,
    level: int,
    metrics: Iterable[str],
    *,
    months: Iterable[datetime.date] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> dict[str, dict[str, Decimal]]:
    """Child-region prefix (as ``core.grouping``'s ``bucket``) → metric → value, under region ``code``."""
    from .models import Tally

    names = list(metrics)
    length = child_prefix_length(level)
    rows = (
        Tally.objects.filter(regions_q([code]), _months_q(months, since, until), metric__in=names)
        .annotate(bucket=Substr("region_code", 1, length))
        .values("bucket", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: {name: Decimal(0) for name in names})
    for row in rows:
        out[row["bucket"]][row["metric"]] = row["total"] or Decimal(0)
    return dict(out)


# Reconcile ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    metric: str
    region_code: str
    month: datetime.date
    stored: Decimal
    actual: Decimal


def reconcile(*, fix: bool = True, only: Iterable[str] | None = None) -> list[Drift]:
    """Compare every registered metric (or ``only`` those) with its records; repair unless ``fix`` is False.

    Runs with whatever scope is active; the command and the demo run it unscoped.
    """
    from .models import Tally, TallyMember

    names = list(only) if only is not None else sorted(_metrics)
    drifts: list[Drift] = []
    for name in names:
        metric = _metrics[name]
        members = _members_of(name) if metric.distinct else set()
        if metric.distinct:
            counted: dict[tuple[str, datetime.date], int] = defaultdict(int)
            for code, month, _member in members:
                counted[(code, month)] += 1
            actual = {key: Decimal(value) for key, value in counted.items()}
        else:
            actual = {key: Decimal(value) for key, value in metric.recount().items() if value}
        stored = {
            (row.region_code, row.month): row.value
            for row in Tally.objects.filter(metric=name).only("region_code", "month", "value")
        }
        for key in sorted(set(actual) | set(stored)):
            want, have = actual.get(key, Decimal(0)), stored.get(key, Decimal(0))
            if want != have:
                drifts.append(Drift(name, key[0], key[1], have, want))
        if not fix:
            continue
        with transaction.atomic():
            for d in (d for d in drifts if d.metric == name):
                if d.actual:
                    Tally.objects.update_or_create(
                        metric=name, region_code=d.region_code, month=d.month, defaults={"value": d.actual}
                    )
                else:
                    Tally.objects.filter(metric=name, region_code=d.region_code, month=d.month).delete()
            if metric.distinct:
                TallyMember.objects.filter(metric=name).delete()
                TallyMember.objects.bulk_create(
                    [
                        TallyMember(metric=name, region_code=code, month=month_of(month), member=member)
                        for code, month, member in members
                    ],
                    batch_size=2000,
                    ignore_conflicts=True,
                )
    return drifts

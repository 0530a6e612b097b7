"""Visit care upkeep that needs the raw visits: reconciling the ledger, nightly and on demand.

The ledger itself (obligations, rollups) belongs to ``shegong.recipients.care``; this module only feeds it the
visits, which this app owns.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator

from shegong.audit.services import record
from shegong.core import partitioning, schedules
from shegong.core.tasks import scoped_task
from shegong.recipients import care

from .models import Visit

logger = logging.getLogger(__name__)

RECONCILE = "visits.reconcile"


def visits_for(months: list[datetime.date] | None = None):
    """(recipient id, visited at, frequency) of the visits that decide ``months``' obligations (default: all).

    A quarterly recipient's visit anywhere in the quarter meets it, so a month needs its whole quarter's visits:
    bounded by time, the query reads only those months' partitions on PostgreSQL (docs/adr/0010).
    """
    queryset = Visit.objects.all()
    if months:
        first = care.policy.quarter_months(min(months))[0]
        after = care.policy.month_end(care.policy.quarter_months(max(months))[2]) + datetime.timedelta(days=1)
        queryset = queryset.filter(
            visited_at__gte=partitioning.bound(first), visited_at__lt=partitioning.bound(after)
        )
    return queryset.values_list("recipient_id", "visited_at", "recipient__frequency")


def _visits(months: list[datetime.date] | None) -> Iterator[tuple[int, datetime.datetime, str]]:
    return visits_for(months).iterator(chunk_size=20000)


def held_months() -> list[datetime.date] | None:
    """The months whose visits the table still holds, or None for all of them.

    On PostgreSQL old months can be detached for the archive (docs/adr/0010): their visits are gone from the table
    but their obligations and rollups stay final, so a reconcile must not recompute them from nothing. The months
    held are those from the oldest month partition on; without partitions, all.
    """
    held = [p.month for p in partitioning.partitions(Visit._meta.db_table) if p.month is not None]
    if not held:
        return None
    months, month = [], min(held)
    while month <= max(held):
        months.append(month)
        month = partitioning.add_months(month, 1)
    return months


def reconcile(*, months: Iterable[datetime.date] | None = None, fix: bool = True) -> list[care.Difference]:
    """Recompute every obligation and rollup (or those of ``months``) from the visits on record; return (and, with
    ``fix``, repair) drift. Months detached for the archive are left as they are."""
    months = held_months() if months is None else sorted(months)
    return care.reconcile(_visits(months), months=months, fix=fix)


@scoped_task
def reconcile_nightly(*, actor_id: int | None) -> dict:
    """Repair any drift between the rollups and the visits, and say so in the operations log and the audit log."""
    differences = reconcile(fix=True)
    for d in differences:
        logger.warning(
            "visit ledger drift repaired: %s %s stored due/visited %d/%d, actual %d/%d",
            d.region_code,
            f"{d.month:%Y-%m}",
            *d.stored,
            *d.actual,
        )
    if differences:
        record(
            "visits.reconcile",
            actor_name="task:reconcile_nightly",
            object_type="recipients.visitrollup",
            changes={"fixed": len(differences)},
        )
    schedules.mark_done(RECONCILE)
    logger.info("visit ledger reconciled: %d difference(s) repaired", len(differences))
    return {"fixed": len(differences)}


NIGHTLY = schedules.Schedule(
    RECONCILE,
    reconcile_nightly,
    lambda: not schedules.ran_today(RECONCILE),
    "recomputes the visit-rate rollups from raw visits once a day and repairs drift",
)

"""Background work of visit care, run by the task worker (`shegong db_worker`) or inline by `shegong scheduler`."""

from __future__ import annotations

import logging

from shegong.core.tasks import scoped_task

logger = logging.getLogger(__name__)


@scoped_task
def open_visit_month(*, actor_id: int | None) -> dict:
    """Open the current month's visit ledger (obligations and rollups) in every village; idempotent.

    Enqueued with ``actor_id=None`` by the scheduler at the start of each month: it runs as the system.
    """
    from shegong.audit.services import record

    from . import care

    opened = care.open_month()
    logger.info("visit ledger %s: opened %d village(s), %d due", opened.month, opened.villages, opened.due)
    if opened.villages:
        record(
            "visits.month.open",
            actor_name="task:open_visit_month",
            object_type="recipients.visitrollup",
            object_id=f"{opened.month:%Y-%m}",
            changes={"villages": opened.villages, "due": opened.due},
        )
    return {"month": f"{opened.month:%Y-%m}", "villages": opened.villages, "due": opened.due}

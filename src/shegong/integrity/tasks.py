"""Background runs of the checks: a run the page starts (its progress on its ``IntegrityRun`` row), the short
incremental run over what was written since the last one, and the full nightly run (docs/adr/0009)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from shegong.core import schedules
from shegong.core.actors import system_actor
from shegong.core.scoping import across_regions
from shegong.core.tasks import scoped_task

from .models import IntegrityRun, RunKind, RunStatus
from .selectors import last_finished_run_start
from .services import run_checks, run_start

logger = logging.getLogger(__name__)

NIGHTLY = "integrity.nightly"
INCREMENTAL = "integrity.incremental"
# How often the scheduler's tick may start an incremental run.
INCREMENTAL_EVERY = datetime.timedelta(minutes=5)


def execute(run: IntegrityRun) -> IntegrityRun:
    """Do a recorded run in the active scope; a failure is kept on the row for the page, then raised."""
    try:
        run_checks(
            under=run.region_code if len(run.region_code) == 12 else "",
            codes=[run.check_code] if run.check_code else None,
            since=run.since,
            run=run,
        )
    except Exception as exc:
        run.status, run.error, run.finished_at = RunStatus.FAILED, str(exc)[:300], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        logger.exception("integrity run %s failed", run.pk)
        raise
    return run


@scoped_task
def integrity_run(*, actor_id: int | None, run_id: int) -> dict:
    run = IntegrityRun.objects.get(pk=run_id)
    # The run was allowed for its region (``run_start``); its checks must also read the records of other regions
    # that decide a problem here (a worker's post on a project bought elsewhere), and write only under the region.
    with across_regions(
        "an integrity run judges its region's records against the records they touch elsewhere"
    ):
        execute(run)
    return {"found": run.found, "opened": run.opened, "closed": run.closed}


@scoped_task
def nightly_run(*, actor_id: int | None) -> dict:
    run = run_start(actor=system_actor("schedule:integrity.nightly"), region_code="", kind=RunKind.FULL)
    execute(run)
    schedules.mark_done(NIGHTLY)
    return {"found": run.found, "closed": run.closed}


@scoped_task
def incremental_run(*, actor_id: int | None) -> dict:
    since = last_finished_run_start()
    if since is None:  # never ran: the nightly run does the first full pass
        return {"found": 0}
    run = run_start(
        actor=system_actor("schedule:integrity.incremental"),
        region_code="",
        kind=RunKind.INCREMENTAL,
        since=since,
    )
    execute(run)
    return {"found": run.found, "opened": run.opened}


def _incremental_due() -> bool:
    last = IntegrityRun.objects.filter(kind=RunKind.INCREMENTAL).order_by("-created_at").first()
    return last is None or timezone.now() - last.created_at >= INCREMENTAL_EVERY


NIGHTLY_SCHEDULE = schedules.Schedule(
    NIGHTLY,
    nightly_run,
    lambda: not schedules.ran_today(NIGHTLY),
    "runs every integrity check over every region once a day; findings that no longer hold close themselves",
)
INCREMENTAL_SCHEDULE = schedules.Schedule(
    INCREMENTAL,
    incremental_run,
    _incremental_due,
    "every few minutes, runs the integrity checks over the records written since the last run",
)

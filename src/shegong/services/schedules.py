"""Periodic work and the step that starts it: `shegong scheduler run-due`, called every few minutes by a systemd
timer or cron (docs/operations.md).

For each schedule whose work is due, run-due enqueues its task for the worker (`shegong db_worker`), or with
``inline=True`` runs it in the calling process. A schedule decides "due" from the data, not from a clock table:
the month-start ledger is due while some village lacks the current month's rollup. A missed tick, a restart or two
schedulers at once cannot skip a run or make it count twice, because the tasks are idempotent and due-ness is
checked again on every call; a task already waiting in the queue is not enqueued a second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.tasks import Task, TaskResultStatus
from django.utils import timezone

from shegong.audit.tasks import checkpoint_due, take_checkpoint

from . import care, policy
from .tasks import open_visit_month

# A task started longer ago than this is presumed lost with its worker; the schedule may enqueue it again.
STALE_AFTER = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Task
    is_due: Callable[[], bool]
    description: str


def visit_month_due() -> bool:
    return care.villages_to_open(policy.month_start(timezone.localdate())).exists()


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "visits.open-month",
        open_visit_month,
        visit_month_due,
        "opens the current month's visit ledger (obligations, rollups) in every village",
    ),
    Schedule(
        "audit.checkpoint", take_checkpoint, checkpoint_due, "signs a daily checkpoint of the audit chain"
    ),
)


def waiting(task: Task) -> bool:
    """Whether the task is already queued or running in the database backend (other backends keep no queue)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    return (
        DBTaskResult.objects.filter(backend_name=backend.alias, task_path=task.module_path)
        .filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - STALE_AFTER)
        )
        .exists()
    )


@dataclass
class Outcome:
    schedule: Schedule
    action: str  # "not due", "waiting", "enqueued" or "ran"
    detail: Any = None  # the task result id when enqueued, the task's return value when run inline


def run_due(*, inline: bool = False, schedules: tuple[Schedule, ...] = SCHEDULES) -> list[Outcome]:
    outcomes = []
    for schedule in schedules:
        if not schedule.is_due():
            outcomes.append(Outcome(schedule, "not due"))
        elif inline:
            outcomes.append(Outcome(schedule, "ran", schedule.task.call(actor_id=None)))
        elif waiting(schedule.task):
            outcomes.append(Outcome(schedule, "waiting"))
        else:
            result = schedule.task.enqueue(actor_id=None)
            outcomes.append(Outcome(schedule, "enqueued", result.id))
    return outcomes

"""Periodic work and the step that starts it: `shegong scheduler run-due`, called every few minutes by a systemd
timer or cron (docs/operations.md).

For each schedule whose work is due, run-due enqueues its task for the worker (`shegong db_worker`), or with
``inline=True`` runs it in the calling process. A schedule decides "due" from the data, not from a clock table:
the month-start ledger is due while some village lacks the current month's rollup, the nightly reconcile while no
run has finished today. A missed tick, a restart or two
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

# A task started longer ago than this is presumed lost with its worker; the schedule may enqueue it again.
STALE_AFTER = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Task
    is_due: Callable[[], bool]
    description: str


# The schedules the apps register in their ``AppConfig.ready()``, in registration order (lowest layer first).
SCHEDULES: list[Schedule] = []


def register(schedule: Schedule) -> Schedule:
    if all(existing.name != schedule.name for existing in SCHEDULES):
        SCHEDULES.append(schedule)
    return schedule


def ran_today(name: str) -> bool:
    """Whether the named daily work finished today (local date); its task calls ``mark_done`` when it does."""
    from .models import ScheduleRun

    return ScheduleRun.objects.filter(name=name, finished_on__gte=timezone.localdate()).exists()


def mark_done(name: str) -> None:
    from .models import ScheduleRun

    ScheduleRun.objects.update_or_create(name=name, defaults={"finished_on": timezone.localdate()})


def record_finish(name: str) -> None:
    """Stamp when the named schedule's task last finished (/readyz reports the month-start's age)."""
    from .models import ScheduleFinish

    ScheduleFinish.objects.update_or_create(name=name, defaults={"finished_at": timezone.now()})


def task_finished(sender, task_result, **kwargs) -> None:
    """Receiver of ``django.tasks.signals.task_finished``: a scheduled task the worker finished successfully."""
    if task_result.status != TaskResultStatus.SUCCESSFUL:
        return
    path = task_result.task.module_path
    for schedule in SCHEDULES:
        if schedule.task.module_path == path:
            record_finish(schedule.name)


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


def run_due(*, inline: bool = False, schedules: list[Schedule] | None = None) -> list[Outcome]:
    outcomes = []
    for schedule in SCHEDULES if schedules is None else schedules:
        if not schedule.is_due():
            outcomes.append(Outcome(schedule, "not due"))
        elif inline:
            outcomes.append(Outcome(schedule, "ran", schedule.task.call(actor_id=None)))
            record_finish(schedule.name)
        elif waiting(schedule.task):
            outcomes.append(Outcome(schedule, "waiting"))
        else:
            result = schedule.task.enqueue(actor_id=None)
            outcomes.append(Outcome(schedule, "enqueued", result.id))
    return outcomes

"""Long work in the background, with a progress bar the user can leave and come back to.

Imports (``importjobs``, ``ImportJob``) and large exports (``exports``, ``ExportJob``) keep their own rows, since
they carry a file; every other long piece of work is a ``Job``. An app registers the work once, in its
``AppConfig.ready()``::

    jobs.register("reports.generate", generate_report, permission="reports.view")

and starts it for a user with ``jobs.start("reports.generate", actor=…, region_code=…, title=…, params={…})``. The
work runs through ``core.tasks.dispatch`` (a task for ``shegong db_worker``, a thread, or inline in tests) inside
the user's scope: ``work(job, actor, progress, **params)`` calls ``progress(done, total, message)`` as it goes and
returns ``(result, result_url)`` — a small JSON-able dict and a link to what it made, or "". The job's page
(``/jobs/<id>/``) polls ``/jobs/<id>/status`` every second; ``/jobs/`` lists the user's jobs of all three kinds.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from . import schedules, tasks
from .actors import actor_of_user
from .models import ExportJob, ImportJob, Job, JobState
from .tasks import scoped_task

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Work:
    kind: str
    work: Callable
    permission: str


_works: dict[str, Work] = {}


def register(kind: str, work: Callable, *, permission: str) -> None:
    _works[kind] = Work(kind=kind, work=work, permission=permission)


def start(kind: str, *, actor, region_code: str, title: str, params: dict | None = None) -> Job:
    """Queue ``kind`` for ``actor`` (who must hold its permission in ``region_code``) and hand it to the runner."""
    registered = _works[kind]
    actor.require(registered.permission, region_code)
    job = Job.objects.create(
        kind=kind, title=str(title)[:120], params=params or {}, user=actor.user, region_code=region_code
    )
    tasks.dispatch(run_job_task, actor_id=actor.user.pk, job_id=job.pk)
    return job


@scoped_task
def run_job_task(*, actor_id: int, job_id: int) -> None:
    run(job_id, actor_of_user(actor_id))


def run(job_id: int, actor) -> None:
    # Claim the job: a task delivered twice never does the work twice.
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        log.warning("job %s is not queued; not run again", job_id)
        return
    job = Job.objects.get(pk=job_id)

    def progress(done: int, total: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total, message=str(message)[:200])

    try:
        result, url = _works[job.kind].work(job, actor, progress, **job.params)
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(state=JobState.FAILED, finished_at=timezone.now())
        return
    job.refresh_from_db(fields=["total"])
    Job.objects.filter(pk=job_id).update(
        state=JobState.DONE,
        result=result or {},
        result_url=url or "",
        done=job.total or 1,
        total=job.total or 1,
        finished_at=timezone.now(),
    )


@dataclass(frozen=True)
class JobLine:
    """One row of "my jobs", whatever kind of job it is."""

    title: str
    state: str
    percent: int
    finished: bool
    created_at: object
    url: str


def my_jobs(user, limit: int = 50) -> list[JobLine]:
    """The user's recent jobs of every kind (generic jobs, imports, exports), newest first."""
    lines = [
        JobLine(
            j.title,
            j.get_state_display(),
            j.percent,
            j.finished,
            j.created_at,
            reverse("jobs:detail", args=[j.pk]),
        )
        for j in Job.objects.filter(user=user)[:limit]
    ]
    lines += [
        JobLine(
            f"{j.filename}",
            j.get_status_display(),
            j.percent,
            j.finished,
            j.created_at,
            reverse("imports:status", args=[j.pk]),
        )
        for j in ImportJob.objects.filter(user=user).defer("content", "marked")[:limit]
    ]
    lines += [
        JobLine(
            j.title,
            j.get_status_display(),
            j.percent,
            j.finished,
            j.created_at,
            reverse("exports:job", args=[j.pk]),
        )
        for j in ExportJob.objects.filter(requested_by=user).defer("content")[:limit]
    ]
    lines.sort(key=lambda line: line.created_at, reverse=True)
    return lines[:limit]


# A job still queued or running this long after it was started lost its worker or thread (a restart, a crash); the
# sweep says so on its page instead of leaving it "in progress" forever.
STALLED_AFTER = datetime.timedelta(hours=2)


def stalled_jobs():
    return Job.objects.filter(
        state__in=(JobState.QUEUED, JobState.RUNNING), created_at__lt=timezone.now() - STALLED_AFTER
    )


@scoped_task
def sweep_stalled(*, actor_id: int | None) -> dict:
    count = stalled_jobs().update(
        state=JobState.FAILED,
        message=gettext_noop("任务中断（处理进程已停止），请重新提交"),
        finished_at=timezone.now(),
    )
    if count:
        log.warning("marked %d stalled job(s) failed", count)
    return {"failed": count}


SWEEP = schedules.Schedule(
    "jobs.sweep",
    sweep_stalled,
    lambda: stalled_jobs().exists(),
    "marks background jobs whose worker stopped mid-run as failed",
)

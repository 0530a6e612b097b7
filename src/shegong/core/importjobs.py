"""Spreadsheet imports as background jobs, for every registry.

An app registers its importer once, in its ``AppConfig.ready()``::

    importjobs.register("people.workers", importer=import_workers, permission="people.import",
                        noun=gettext_lazy("社工"), title=gettext_lazy("导入社工"),
                        upload_url="people:workers_import", back_url="people:workers", spec=WORKER_SPEC)

The upload page (``importpage``) only stores the file as an ``ImportJob`` and hands it to the runner chosen by
``settings.IMPORT_RUNNER`` — a task for ``shegong db_worker``, a thread of the web process, or inline — then
redirects to the job's status page, which polls the row. The importer itself is unchanged:
``importer(actor=…, content=…, region_code=…, progress=…, mapping=…, header_row=…)`` checks every row and writes all of them in one
transaction or raises ``ImportRejected`` and writes nothing; it returns the number of rows created, or an object
with ``created``, ``existing`` and ``total``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from . import rosters, schedules, tasks
from . import xlsx_import as x
from .actors import actor_of_user
from .models import ImportJob, ImportStatus
from .tasks import scoped_task

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
MAX_STORED_ERRORS = 2000


@dataclass(frozen=True)
class Importer:
    kind: str
    importer: Callable[..., Any]
    permission: str
    noun: Any  # a lazy string: "社工"
    title: Any  # a lazy string: "导入社工"
    upload_url: str  # URL names
    back_url: str
    pass_filename: bool = False  # the importer takes ``filename=`` (for its audit entry)
    # The import's sheet: an ImportSpec, or a function returning one (built when needed). Its header tells a file
    # uploaded to the wrong import apart (``xlsx_import.parse_workbook``).
    spec: x.ImportSpec | Callable[[], x.ImportSpec] | None = None


_importers: dict[str, Importer] = {}


def register(kind: str, **options) -> None:
    _importers[kind] = Importer(kind=kind, **options)


def importer_for(kind: str) -> Importer:
    return _importers[kind]


def template_specs() -> list[x.ImportSpec]:
    """Every registered import's sheet."""
    specs = []
    for registered in _importers.values():
        spec = registered.spec
        if spec is not None:
            specs.append(spec if isinstance(spec, x.ImportSpec) else spec())
    return specs


def spec_of(kind: str) -> x.ImportSpec:
    spec = importer_for(kind).spec
    return spec if isinstance(spec, x.ImportSpec) or spec is None else spec()


def start(*, kind: str, actor, region_code: str, filename: str, content: bytes) -> ImportJob:
    """Store the upload as a job. A file in the import's own template is queued and handed to the runner at once
    (returns at once, except inline); any other waits on its status page for the user to confirm the column
    mapping (``confirm``)."""
    registered = importer_for(kind)
    actor.require(registered.permission, region_code)
    layout = None
    if registered.spec is not None:
        layout = rosters.layout_of(
            spec_of(kind),
            content,
            synonyms=rosters.synonyms_for(kind, region_code),
            user=actor.user,
            kind=kind,
        )
    needs_mapping = layout is not None and not (layout.own_template or layout.other_template)
    job = ImportJob.objects.create(
        kind=kind,
        region_code=region_code,
        filename=filename[:200],
        content=content,
        user=actor.user,
        status=ImportStatus.MAPPING if needs_mapping else ImportStatus.QUEUED,
    )
    if not needs_mapping:
        dispatch(job.pk, actor.user.pk)
    return job


def confirm(job: ImportJob, *, actor, header_row: int, mapping: list[str], check: bool = True) -> None:
    """The user confirmed ``job``'s column mapping: remember it for the sheet's shape and queue the import.
    Raises ValueError (a message for the page) when a required field has no column."""
    registered = importer_for(job.kind)
    actor.require(registered.permission, job.region_code)
    spec = spec_of(job.kind)
    missing = rosters.missing_fields(spec, mapping) if check else ""
    if missing:
        raise ValueError(missing)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.MAPPING).update(
        status=ImportStatus.QUEUED,
        header_row=header_row if check else None,
        mapping=list(mapping) if check else None,
    )
    if not claimed:
        return  # confirmed twice (a double click): queued once
    if check:
        content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
        header = rosters.header_at(spec, bytes(content), header_row)
        rosters.remember_mapping(actor.user, job.kind, header, mapping)
    dispatch(job.pk, actor.user.pk)


def dispatch(job_id: int, user_id: int) -> None:
    """Hand the import to the background runner (``core.tasks.dispatch``, by ``settings.IMPORT_RUNNER``)."""
    tasks.dispatch(run_import, actor_id=user_id, job_id=job_id)


@scoped_task
def run_import(*, actor_id: int, job_id: int) -> None:
    """The task: runs in the uploader's scope, as the uploader."""
    run_job(job_id, actor_of_user(actor_id))


def run_job(job_id: int, actor) -> None:
    # Claim the job: a task delivered twice, or a stale thread, never imports the file a second time.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING
    )
    if not claimed:
        log.warning("import job %s is not queued; not run again", job_id)
        return
    job = ImportJob.objects.get(pk=job_id)
    spec = importer_for(job.kind)

    def progress(done: int, total: int, status: str) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=total, status=status)

    extra = {"filename": job.filename} if spec.pass_filename else {}
    if job.mapping is not None:
        extra.update(mapping=list(job.mapping), header_row=job.header_row)
    try:
        outcome = spec.importer(
            actor=actor, content=bytes(job.content), region_code=job.region_code, progress=progress, **extra
        )
    except x.ImportRejected as rejected:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.REJECTED,
            errors=[e.as_dict() for e in rejected.errors[:MAX_STORED_ERRORS]],
            marked=rejected.marked,
            finished_at=timezone.now(),
        )
    except Exception:
        log.exception("import job %s (%s) failed; nothing was written", job_id, job.kind)
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, finished_at=timezone.now())
    else:
        created = getattr(outcome, "created", outcome)
        total = getattr(outcome, "total", created)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.DONE,
            created=created,
            existing=getattr(outcome, "existing", 0),
            ignored=list(getattr(outcome, "ignored", []))[:50],
            skipped=getattr(outcome, "skipped", 0),
            total=total,
            done=total,
            finished_at=timezone.now(),
        )


# A job still checking or writing this long after its upload lost its worker or thread (a restart, a crash): its
# transaction rolled back, so nothing was written; the sweep says so instead of leaving it "in progress" forever.
STALLED_AFTER = datetime.timedelta(hours=2)
STALLED_STATUSES = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.WRITING)


def stalled_jobs():
    return ImportJob.objects.filter(
        status__in=STALLED_STATUSES, created_at__lt=timezone.now() - STALLED_AFTER
    )


@scoped_task
def sweep_stalled(*, actor_id: int | None) -> dict:
    """Mark stalled jobs failed, with a message the uploader reads on the job's page."""
    message = gettext_noop("导入中断（处理进程已停止），未写入任何数据，请重新上传文件")
    count = stalled_jobs().update(
        status=ImportStatus.FAILED,
        errors=[{"row": None, "column": "", "message": message}],
        finished_at=timezone.now(),
    )
    if count:
        log.warning("marked %d stalled import job(s) failed", count)
    return {"failed": count}


SWEEP = schedules.Schedule(
    "imports.sweep",
    sweep_stalled,
    lambda: stalled_jobs().exists(),
    "marks imports whose worker stopped mid-run as failed (nothing of them was written)",
)

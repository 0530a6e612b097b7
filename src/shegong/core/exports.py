"""The one audited export: masked for everyone unless an actor holding the reveal permission gives a reason.

An app describes its export once as an ``ExportSpec`` (columns, where the rows come from, which permissions) and
registers it; its page view calls ``export_page`` and an API endpoint can call ``run_export``. The rules:

* sensitive columns are masked unless ``reveal`` is asked for, the actor holds the spec's reveal permission in the
  row's region, and a reason is typed; asking without the permission is ``PermissionDenied`` (403);
* every export is audited (``record("export", …)``) with its filters and row count, a plain one with the reason;
* the file names who exported it and when (workbook author, a footer line, the printed page footer);
* a plain export of more than ``SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS`` rows becomes an ``ExportRequest`` that
  another holder of the same permission in that region approves; the requester then downloads it once;
* an export of more than ``SHEGONG_BACKGROUND_EXPORT_ROWS`` rows (from a page) becomes an ``ExportJob`` built by a
  background task (the runner of ``core.tasks.dispatch``) while its page shows progress; the file is kept
  encrypted for ``SHEGONG_EXPORT_KEEP_HOURS`` and its requester downloads it once.

Speed: the rows are read in chunks (``.iterator(chunk_size=…)``) and streamed by ``core.excel.write_workbook``; the
number of queries does not depend on the number of rows (beyond one prefetch per chunk, for specs that prefetch).
A spec that names its ``values`` gets each row as a named tuple of just those values (``row.region__name``: the
joins are in the one query, no model instance is built per row), which is what a large register needs: building
a model instance per row cost as much as the rest of the export. Its columns read encrypted values through
``sealed_value`` and choice labels through ``choice_label`` (translated once per value, not once per row). A spec
of model instances names the foreign keys its columns read in ``select_related`` instead.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shegong.core import crypto
from shegong.core.auditing import record
from shegong.core.excel import write_workbook
from shegong.core.fields import opener

from . import schedules
from .actors import actor_of_user
from .dbrouting import replica_reads
from .models import ExportJob, ExportJobStatus, ExportRequest, ExportStatus
from .tasks import dispatch, scoped_task

log = logging.getLogger(__name__)

DEFAULT_APPROVAL_ROWS = 1000
DEFAULT_BACKGROUND_ROWS = 5000
DEFAULT_KEEP_HOURS = 24
CHUNK_ROWS = 2000


def approval_rows() -> int:
    return int(getattr(settings, "SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS", DEFAULT_APPROVAL_ROWS))


def background_rows() -> int:
    """An export of more rows than this is built by a background task, not while the browser waits."""
    return int(getattr(settings, "SHEGONG_BACKGROUND_EXPORT_ROWS", DEFAULT_BACKGROUND_ROWS))


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "SHEGONG_EXPORT_KEEP_HOURS", DEFAULT_KEEP_HOURS)))


@dataclass(frozen=True)
class Column:
    """One column: ``label`` is translated when the file is written (pass a ``gettext_lazy`` string); ``value``
    reads the cell from a row; ``mask`` (from ``core.masking``) marks the column sensitive."""

    label: Any
    value: Callable[[Any], object]
    mask: Callable[[str | None], str] | None = None
    width: int | None = None  # in characters; a streamed sheet fixes its widths before the rows

    @property
    def sensitive(self) -> bool:
        return self.mask is not None


@dataclass(frozen=True)
class ExportSpec:
    key: str  # registry key, also the audit object type, e.g. "recipients.recipient"
    title: Any  # sheet title and file name stem (lazy)
    columns: Sequence[Column]
    rows: Callable[[dict, Any], Iterable[Any]]  # (filters, actor) -> rows, read under the active scope
    permission: str  # needed to export at all
    reveal_permission: str | None = None  # None: the export has nothing to reveal
    filters: Callable[[Any], dict] = field(default=lambda request: {})
    limit: int = 50000
    # The region a row belongs to, for the reveal permission check; None: the actor's permission anywhere.
    region_of: Callable[[Any], str | None] = field(default=lambda row: getattr(row, "region_code", None))
    # Foreign keys the columns read, fetched with the rows (applied by the core to a queryset's rows).
    select_related: Sequence[str] = ()
    # The values the columns read (field names, ``fk__field`` joins, annotations): a queryset's rows are then read
    # as ``values_list(*values, named=True)``, so a column gets a named tuple, not a model instance.
    values: Sequence[str] = ()

    @property
    def has_sensitive(self) -> bool:
        return bool(self.reveal_permission) and any(c.sensitive for c in self.columns)


def choice_label(model, name: str) -> Callable[[object], str]:
    """The label of a choice field's stored value (for a spec's ``values`` rows: ``choice_label(M, "status")(
    row.status)``), translated once per value and language: a lazy label is translated again on every use, which at
    province scale cost more than writing the file. An unknown value is shown as stored."""
    return choices_label(model._meta.get_field(name).flatchoices)


def choices_label(choices) -> Callable[[object], str]:
    """``choice_label`` for a list of ``(value, label)`` choices not tied to one field (the items of a JSON list)."""
    choices = dict(choices)
    labels: dict[tuple[str | None, object], str] = {}

    def label(value) -> str:
        key = (get_language(), value)
        text = labels.get(key)
        if text is None:
            text = labels[key] = str(choices.get(value, "" if value is None else value))
        return text

    return label


def sealed_value(model, name: str) -> Callable[[Any], str]:
    """A column value for an encrypted field of a spec's ``values`` rows: decrypts ``row.<name>`` with the row's
    ``uid`` (so ``uid`` must be among the values), as reading the attribute of an instance would."""
    return opener(model, name)


_REGISTRY: dict[str, ExportSpec] = {}


def register(spec: ExportSpec) -> ExportSpec:
    """Make an export known by its key, so an approved request can be built again later."""
    _REGISTRY[spec.key] = spec
    return spec


def spec_for(key: str) -> ExportSpec:
    return _REGISTRY[key]


@dataclass
class Export:
    content: bytes
    filename: str
    rows: int
    revealed: bool


class ExportQueued(Exception):
    """An export above ``background_rows()``: ``job`` is being built by a background task."""

    def __init__(self, job: ExportJob):
        super().__init__(job.pk)
        self.job = job


class ApprovalRequired(Exception):
    """A plain export above the threshold: ``request`` waits for a second person's approval."""

    def __init__(self, export_request: ExportRequest):
        super().__init__(export_request.pk)
        self.export_request = export_request


def exporter_name(actor) -> str:
    user = getattr(actor, "user", None)
    if user is None:
        return str(actor)
    return getattr(user, "label", "") or user.get_username()


def can_reveal(actor, spec: ExportSpec) -> bool:
    return spec.has_sensitive and actor.can(spec.reveal_permission)


def clean_filters(filters: dict) -> dict:
    """The filters as the audit log shows them: the ones set, as text."""
    return {k: str(v) for k, v in filters.items() if v}


def _stored_filters(filters: dict) -> dict:
    """The filters as a request keeps them to run the query again: every key, JSON values."""
    return json.loads(json.dumps(filters, ensure_ascii=False, default=str))


def _rows(spec: ExportSpec, filters: dict, actor) -> tuple[Iterable[Any], int]:
    """The rows to write (a queryset is read in chunks, never held whole) and how many there are."""
    rows = spec.rows(filters, actor)
    if isinstance(rows, QuerySet):
        if spec.values:
            rows = rows.values_list(*spec.values, named=True)
        elif spec.select_related:
            rows = rows.select_related(*spec.select_related)
        rows = rows[: spec.limit]
        return rows, rows.count()
    rows = list(rows)[: spec.limit]
    return rows, len(rows)


def _stream(rows: Iterable[Any]) -> Iterable[Any]:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_ROWS)
    return iter(rows)


def _reveal_region(actor, permission: str) -> str:
    regions = actor.regions_with(permission)
    home = actor.home_region_code
    return home if home in regions else (regions[0] if regions else home)


def check_reveal(actor, spec: ExportSpec, reason: str) -> str:
    """Raise unless ``actor`` may ask for a plain export of ``spec``; returns the cleaned reason."""
    if not can_reveal(actor, spec):
        raise PermissionDenied(spec.reveal_permission or "reveal")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("导出完整证件号和电话须填写事由")})
    return reason


# The rows (count and file) are read from the replica while it is fresh; the audit entry is written last.
@replica_reads()
def run_export(
    *,
    actor,
    spec: ExportSpec,
    filters: dict,
    reveal: bool = False,
    reason: str = "",
    request=None,
    approved: ExportRequest | None = None,
    background: bool = False,
) -> Export:
    """Build the file and audit it. Raises ``PermissionDenied``, ``ValidationError`` (no reason),
    ``ApprovalRequired`` (a plain export above the threshold that no one has approved yet) or, with
    ``background=True`` (a page, which can show a job's progress), ``ExportQueued`` for a large export."""
    actor.require(spec.permission)
    if reveal:
        reason = check_reveal(actor, spec, reason)
    rows, count = _rows(spec, filters, actor)
    if reveal and approved is None and count > approval_rows():
        raise ApprovalRequired(
            _request_approval(
                actor=actor, spec=spec, filters=filters, reason=reason, rows=count, request=request
            )
        )
    if background and count > background_rows():
        raise ExportQueued(
            queue_export(
                actor=actor,
                spec=spec,
                filters=filters,
                reveal=reveal,
                reason=reason,
                rows=count,
                approved=approved,
                request=request,
            )
        )
    buffer = io.BytesIO()
    export = write_export(
        buffer,
        actor=actor,
        spec=spec,
        filters=filters,
        rows=rows,
        count=count,
        reveal=reveal,
        reason=reason,
        request=request,
        approved=approved,
    )
    export.content = buffer.getvalue()
    return export


def _masked(mask: Callable[[Any], str], value: Callable[[Any], object]) -> Callable[[Any], str]:
    return lambda row: mask(value(row))


def write_export(
    stream,
    *,
    actor,
    spec: ExportSpec,
    filters: dict,
    rows: Iterable[Any],
    count: int,
    reveal: bool,
    reason: str,
    request=None,
    approved: ExportRequest | None = None,
    progress: Callable[[int], None] | None = None,
) -> Export:
    """Write the rows into ``stream`` as a workbook, masking what is not revealed, and audit the export."""
    now = timezone.localtime()
    who = exporter_name(actor)
    footer = _("导出人：%(name)s  导出时间：%(at)s") % {"name": who, "at": f"{now:%Y-%m-%d %H:%M}"}
    if reveal:
        footer += "  " + _("含完整证件号和电话，事由：%(reason)s") % {"reason": reason}
        if approved is not None:
            footer += "  " + _("审批人：%(name)s") % {"name": approved.approved_by}
    columns = list(spec.columns)
    plain_in: dict[Any, bool] = {}  # region -> may this actor see it plain (asked once per region)
    revealed_rows = 0
    sensitive = spec.has_sensitive

    # Each column's cell as one function of the row, masked and plain, so a row costs one call per cell.
    plain_cells = [column.value for column in columns]
    masked_cells = [
        column.value if column.mask is None else _masked(column.mask, column.value) for column in columns
    ]

    def body():
        nonlocal revealed_rows
        for n, row in enumerate(_stream(rows), start=1):
            plain = False
            if reveal:
                region = spec.region_of(row)
                plain = plain_in.get(region)
                if plain is None:
                    plain = plain_in[region] = actor.can(spec.reveal_permission, region)
                revealed_rows += plain and sensitive
            yield [cell(row) for cell in (plain_cells if plain else masked_cells)]
            if progress is not None and n % CHUNK_ROWS == 0:
                progress(n)

    title = str(spec.title)
    written = write_workbook(
        stream,
        title,
        [str(c.label) for c in columns],
        body(),
        footer=footer,
        creator=who,
        widths=[c.width for c in columns],
    )
    changes = {"filters": clean_filters(filters), "rows": written, "revealed": bool(revealed_rows)}
    if reveal:
        changes["revealed_rows"] = revealed_rows
    if approved is not None:
        changes["export_request"] = approved.pk
        changes["approved_by"] = str(approved.approved_by)
    record(
        "export",
        actor=actor,
        object_type=spec.key,
        region_code=actor.home_region_code,
        changes=changes,
        reason=reason if reveal else "",
        request=request,
    )
    return Export(
        content=b"",
        filename=f"{title}-{now:%Y%m%d}.xlsx",
        rows=written,
        revealed=bool(revealed_rows),
    )


# Background exports ------------------------------------------------------------------------------------------


def queue_export(
    *, actor, spec: ExportSpec, filters, reveal, reason, rows, approved=None, request=None
) -> ExportJob:
    """Store the export's query as a job and hand it to the background runner; the page then follows the job."""
    with transaction.atomic():
        job = ExportJob(
            region_code=actor.home_region_code,
            export_key=spec.key,
            title=str(spec.title)[:100],
            filters=_stored_filters(filters),
            reveal=reveal,
            reason=reason if reveal else "",
            export_request=approved,
            requested_by=actor.user,
            total=rows,
        )
        job.full_clean()
        job.save()
        record(
            "export.queue",
            actor=actor,
            obj=job,
            changes={"export": spec.key, "filters": clean_filters(filters), "rows": rows, "reveal": reveal},
            reason=job.reason,
            request=request,
        )
        dispatch(build_export_job, actor_id=actor.user.pk, job_id=job.pk)
    return job


@scoped_task
def build_export_job(*, actor_id: int, job_id: int) -> None:
    """The task: builds the file in its requester's scope, as its requester."""
    run_export_job(job_id, actor_of_user(actor_id))


def run_export_job(job_id: int, actor) -> None:
    # Claim the job: a task delivered twice never builds (and audits) the file a second time.
    if not ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.QUEUED).update(
        status=ExportJobStatus.RUNNING
    ):
        log.warning("export job %s is not queued; not run again", job_id)
        return
    job = ExportJob.objects.select_related("export_request__approved_by").get(pk=job_id)
    try:
        spec = spec_for(job.export_key)
        actor.require(spec.permission)
        # A unit of its own: claiming the job wrote, but not the rows the file holds. They are read from the
        # replica while it is fresh, pinned to the database chosen now (the progress updates below are writes).
        with replica_reads(fresh=True):
            rows, count = _rows(spec, job.filters, actor)
            if isinstance(rows, QuerySet):
                rows = rows.using(rows.db)
        ExportJob.objects.filter(pk=job_id).update(total=count)
        buffer = io.BytesIO()
        # Not in one transaction: the progress updates must reach the job's page while the file is written.
        export = write_export(
            buffer,
            actor=actor,
            spec=spec,
            filters=job.filters,
            rows=rows,
            count=count,
            reveal=job.reveal,
            reason=job.reason,
            approved=job.export_request,
            progress=lambda done: ExportJob.objects.filter(pk=job_id).update(done=done),
        )
    except Exception:
        log.exception("export job %s (%s) failed", job_id, job.export_key)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJobStatus.FAILED, finished_at=timezone.now())
        return
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJobStatus.DONE,
        done=export.rows,
        total=export.rows,
        filename=export.filename,
        content=crypto.encrypt_bytes(buffer.getvalue(), job.content_aad()),
        finished_at=now,
        expires_at=now + keep_for(),
    )


def export_job_download(*, actor, job: ExportJob, request=None) -> Export:
    """The requester's one download of a finished job; the stored file is dropped as it is handed over."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if getattr(actor.user, "pk", None) != job.requested_by_id:
            raise PermissionDenied("not the requester")
        if job.status != ExportJobStatus.DONE or job.content is None:
            raise ValidationError(_("该导出文件尚未生成、已下载或已过期"))
        if job.expires_at and job.expires_at <= timezone.now():
            _expire(ExportJob.objects.filter(pk=job.pk))
            raise ValidationError(_("该导出文件尚未生成、已下载或已过期"))
        content = crypto.decrypt_bytes(bytes(job.content), job.content_aad())
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.DOWNLOADED, content=None, downloaded_at=timezone.now()
        )
        record(
            "export.download",
            actor=actor,
            obj=job,
            changes={"export": job.export_key, "rows": job.total},
            reason=job.reason,
            request=request,
        )
    return Export(content=content, filename=job.filename, rows=job.total, revealed=job.reveal)


def _expire(queryset) -> int:
    return queryset.update(status=ExportJobStatus.EXPIRED, content=None)


def expired_jobs():
    return ExportJob.objects.filter(status=ExportJobStatus.DONE, expires_at__lte=timezone.now())


@scoped_task
def sweep_expired(*, actor_id: int | None) -> dict:
    """Drop the files of finished exports nobody downloaded in time."""
    return {"expired": _expire(expired_jobs())}


SWEEP = schedules.Schedule(
    "exports.sweep",
    sweep_expired,
    lambda: expired_jobs().exists(),
    "drops the files of large exports not downloaded within SHEGONG_EXPORT_KEEP_HOURS",
)


def _request_approval(*, actor, spec, filters, reason, rows, request) -> ExportRequest:
    with transaction.atomic():
        export_request = ExportRequest(
            region_code=_reveal_region(actor, spec.reveal_permission),
            export_key=spec.key,
            permission=spec.reveal_permission,
            filters=_stored_filters(filters),
            reason=reason,
            row_count=rows,
            requested_by=actor.user,
        )
        export_request.full_clean()
        export_request.save()
        record(
            "export.request",
            actor=actor,
            obj=export_request,
            changes={"export": spec.key, "filters": clean_filters(filters), "rows": rows},
            reason=reason,
            request=request,
        )
    return export_request


def may_approve(actor, export_request: ExportRequest) -> bool:
    return (
        export_request.status == ExportStatus.PENDING
        and getattr(actor.user, "pk", None) != export_request.requested_by_id
        and actor.can(export_request.permission, export_request.region_code)
    )


def export_request_approve(*, actor, export_request: ExportRequest, request=None) -> ExportRequest:
    """A second holder of the reveal permission in the request's region approves; never the requester."""
    with transaction.atomic():
        export_request = ExportRequest.objects.select_for_update().get(pk=export_request.pk)
        if getattr(actor.user, "pk", None) == export_request.requested_by_id:
            raise PermissionDenied("own export request")
        actor.require(export_request.permission, export_request.region_code)
        if export_request.status != ExportStatus.PENDING:
            raise ValidationError(_("该导出申请已处理"))
        export_request.status = ExportStatus.APPROVED
        export_request.approved_by = actor.user
        export_request.approved_at = timezone.now()
        export_request.full_clean()
        export_request.save()
        record(
            "export.approve",
            actor=actor,
            obj=export_request,
            changes={"export": export_request.export_key, "rows": export_request.row_count},
            reason=export_request.reason,
            request=request,
        )
    return export_request


def export_request_download(
    *, actor, export_request: ExportRequest, request=None, background: bool = False
) -> Export:
    """The requester's one download of an approved request, built again under the requester's scope."""
    with transaction.atomic():
        export_request = ExportRequest.objects.select_for_update().get(pk=export_request.pk)
        if getattr(actor.user, "pk", None) != export_request.requested_by_id:
            raise PermissionDenied("not the requester")
        if export_request.status != ExportStatus.APPROVED:
            raise ValidationError(_("该导出申请尚未批准或已下载"))
        export_request.status = ExportStatus.DOWNLOADED
        export_request.downloaded_at = timezone.now()
        export_request.save(update_fields=["status", "downloaded_at"])
        try:
            return run_export(
                actor=actor,
                spec=spec_for(export_request.export_key),
                filters=export_request.filters,
                reveal=True,
                reason=export_request.reason,
                request=request,
                approved=export_request,
                background=background,
            )
        except ExportQueued as queued:
            pending = queued  # raised once the request's one download and its job are committed
    raise pending

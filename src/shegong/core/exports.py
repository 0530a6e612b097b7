"""The one audited export: masked for everyone unless an actor holding the reveal permission gives a reason.

An app describes its export once as an ``ExportSpec`` (columns, where the rows come from, which permissions) and
registers it; its page view calls ``export_page`` and an API endpoint can call ``run_export``. The rules:

* sensitive columns are masked unless ``reveal`` is asked for, the actor holds the spec's reveal permission in the
  row's region, and a reason is typed; asking without the permission is ``PermissionDenied`` (403);
* every export is audited (``record("export", …)``) with its filters and row count, a plain one with the reason;
* the file names who exported it and when (workbook author, a footer line, the printed page footer);
* a plain export of more than ``SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS`` rows becomes an ``ExportRequest`` that
  another holder of the same permission in that region approves; the requester then downloads it once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.auditing import record
from shegong.core.excel import build_workbook

from .models import ExportRequest, ExportStatus

DEFAULT_APPROVAL_ROWS = 1000


def approval_rows() -> int:
    return int(getattr(settings, "SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS", DEFAULT_APPROVAL_ROWS))


@dataclass(frozen=True)
class Column:
    """One column: ``label`` is translated when the file is written (pass a ``gettext_lazy`` string); ``value``
    reads the cell from a row; ``mask`` (from ``core.masking``) marks the column sensitive."""

    label: Any
    value: Callable[[Any], object]
    mask: Callable[[str | None], str] | None = None

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

    @property
    def has_sensitive(self) -> bool:
        return bool(self.reveal_permission) and any(c.sensitive for c in self.columns)


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


def _load_rows(spec: ExportSpec, filters: dict, actor) -> list:
    rows = spec.rows(filters, actor)
    if isinstance(rows, QuerySet):
        rows = rows[: spec.limit]
    return list(rows)


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


def run_export(
    *,
    actor,
    spec: ExportSpec,
    filters: dict,
    reveal: bool = False,
    reason: str = "",
    request=None,
    approved: ExportRequest | None = None,
) -> Export:
    """Build the file and audit it. Raises ``PermissionDenied``, ``ValidationError`` (no reason) or
    ``ApprovalRequired`` (a plain export above the threshold that no one has approved yet)."""
    actor.require(spec.permission)
    if reveal:
        reason = check_reveal(actor, spec, reason)
    rows = _load_rows(spec, filters, actor)
    if reveal and approved is None and len(rows) > approval_rows():
        raise ApprovalRequired(
            _request_approval(
                actor=actor, spec=spec, filters=filters, reason=reason, rows=len(rows), request=request
            )
        )
    now = timezone.localtime()
    who = exporter_name(actor)
    footer = _("导出人：%(name)s  导出时间：%(at)s") % {"name": who, "at": f"{now:%Y-%m-%d %H:%M}"}
    if reveal:
        footer += "  " + _("含完整证件号和电话，事由：%(reason)s") % {"reason": reason}
        if approved is not None:
            footer += "  " + _("审批人：%(name)s") % {"name": approved.approved_by}
    revealed_rows = 0
    body = []
    for row in rows:
        plain = reveal and actor.can(spec.reveal_permission, spec.region_of(row))
        revealed_rows += plain and spec.has_sensitive
        body.append(
            [
                column.value(row) if plain or not column.sensitive else column.mask(column.value(row))
                for column in spec.columns
            ]
        )
    changes = {"filters": clean_filters(filters), "rows": len(rows), "revealed": bool(revealed_rows)}
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
    title = str(spec.title)
    content = build_workbook(title, [str(c.label) for c in spec.columns], body, footer=footer, creator=who)
    return Export(
        content=content,
        filename=f"{title}-{now:%Y%m%d}.xlsx",
        rows=len(rows),
        revealed=bool(revealed_rows),
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


def export_request_download(*, actor, export_request: ExportRequest, request=None) -> Export:
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
        return run_export(
            actor=actor,
            spec=spec_for(export_request.export_key),
            filters=export_request.filters,
            reveal=True,
            reason=export_request.reason,
            request=request,
            approved=export_request,
        )

"""Assignments of workers to service nodes and their filing (备案) with the bureau."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode

from ..models import (
    AssignmentFilingStatus,
    SocialWorker,
    WorkerAssignment,
    WorkerStatus,
)
from ._shared import _today
from .dishonesty import dishonesty_bar, dishonesty_message


def assignment_create(
    *,
    actor,
    worker: SocialWorker,
    node: ServiceNode | int,
    start_date: datetime.date | None = None,
    full_time: bool = True,
    post: str = "",
    posting: str = "",
    today: datetime.date | None = None,
) -> WorkerAssignment:
    if not isinstance(node, ServiceNode):
        node = get_scoped_or_404(ServiceNode, pk=node)
    actor.require("people.change", node.region_code)
    today = _today(today)
    start_date = start_date or today
    errors: dict[str, list[str]] = {}
    for day in sorted({today, start_date}):
        entry = dishonesty_bar(worker, day)
        if entry is not None:
            raise ValidationError({"worker": [dishonesty_message(entry)]})
    if worker.status == WorkerStatus.LEFT:
        errors.setdefault("worker", []).append(_("该社工已离职，请先将状态改为在岗"))
    if node.level not in (NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.CENTRE, NodeLevel.HUB):
        errors.setdefault("node", []).append(_("请选择服务阵地"))
    if node.status == NodeStatus.CLOSED:
        errors.setdefault("node", []).append(_("该阵地已撤销"))
    if (
        worker.assignments.filter(node=node)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
        .exists()
    ):
        errors.setdefault("node", []).append(_("该社工已在此阵地任职"))
    if (
        full_time
        and worker.assignments.filter(full_time=True, end_date__isnull=True).exclude(node=node).exists()
    ):
        errors.setdefault("full_time", []).append(_("该社工已在其他阵地专职任职，请先办理离岗"))
    if errors:
        raise ValidationError(errors)
    assignment = WorkerAssignment(
        worker=worker,
        node=node,
        start_date=start_date,
        full_time=full_time,
        post=(post or "").strip(),
        posting=posting or "",
        region_code=node.region_code,
    )
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        record(
            "people.assignment.create",
            actor=actor,
            obj=assignment,
            changes={
                "worker": worker.pk,
                "node": node.pk,
                "start_date": start_date,
                "full_time": full_time,
                "posting": assignment.posting,
            },
        )
    return assignment


def assignment_end(*, actor, assignment: WorkerAssignment, end_date: datetime.date) -> WorkerAssignment:
    actor.require("people.change", assignment.region_code)
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": [_("离岗日期不能早于到岗日期")]})
    with transaction.atomic():
        assignment.end_date = end_date
        assignment.save(update_fields=["end_date"])
        record("people.assignment.end", actor=actor, obj=assignment, changes={"end_date": end_date})
    return assignment


def filing_submit(
    *, actor, assignment: WorkerAssignment, today: datetime.date | None = None
) -> WorkerAssignment:
    """The operator files the worker with the bureau (备案). Filing stops the overdue flag."""
    actor.require("filing.submit", assignment.region_code)
    if assignment.filing_status != AssignmentFilingStatus.UNFILED:
        raise ValidationError(_("该岗位安排已报备，无需重复报备"))
    with transaction.atomic():
        assignment.filing_status = AssignmentFilingStatus.SUBMITTED
        assignment.filing_submitted_on = _today(today)
        assignment.save(update_fields=["filing_status", "filing_submitted_on"])
        record(
            "people.filing.submit",
            actor=actor,
            obj=assignment,
            changes={"late": assignment.filing_submitted_on > assignment.filing_due},
        )
    return assignment


def filing_confirm(
    *, actor, assignment: WorkerAssignment, today: datetime.date | None = None
) -> WorkerAssignment:
    actor.require("filing.confirm", assignment.region_code)
    if assignment.filing_status != AssignmentFilingStatus.SUBMITTED:
        raise ValidationError(_("只有已报备的岗位安排才能确认备案"))
    with transaction.atomic():
        assignment.filing_status = AssignmentFilingStatus.CONFIRMED
        assignment.filing_confirmed_on = _today(today)
        assignment.save(update_fields=["filing_status", "filing_confirmed_on"])
        record("people.filing.confirm", actor=actor, obj=assignment, changes={})
    return assignment

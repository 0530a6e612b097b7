"""The workers on a project: putting one on, filing them with the bureau, their notice and their leaving."""

from __future__ import annotations

from django.utils import timezone
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS
from shegong.core.scoping import get_scoped_or_404
from shegong.people.models import SocialWorker

from .. import services
from ..models import ProjectStaff
from ._common import fetch, naming, op, router
from .schemas import StaffEndIn, StaffIn, StaffNoticeIn, StaffOut


def _staff_out(s: ProjectStaff) -> dict:
    return {
        "id": s.pk,
        "worker": s.worker_id,
        "worker_name": s.worker.name,
        "role": s.role,
        "start_date": s.start_date,
        "end_date": s.end_date,
        "filing_status": s.filing_status,
        "filing_submitted_on": s.filing_submitted_on,
        "filing_confirmed_on": s.filing_confirmed_on,
        "notice_date": s.notice_date,
        "replacement": s.replacement_id,
        "breaches": list(s.breaches or []),
    }


def _staff(request, project_id: int, staff_id: int) -> ProjectStaff:
    project = fetch(request, project_id)
    return get_scoped_or_404(
        ProjectStaff.objects.filter(project=project).select_related("worker"), pk=staff_id
    )


@router.get(
    "/{int:project_id}/staff",
    response={200: list[StaffOut], **STANDARD_ERRORS},
    operation_id=op("list_staff"),
)
def list_staff(request, project_id: int):
    """Everyone who is or was on the project: those in post first, then those who left, by leaving day."""
    project = fetch(request, project_id)
    return [_staff_out(s) for s in ProjectStaff.objects.filter(project=project).select_related("worker")]


@router.post(
    "/{int:project_id}/staff", response={201: StaffOut, **STANDARD_ERRORS}, operation_id=op("add_staff")
)
def add_staff(request, project_id: int, payload: StaffIn):
    """Put a worker on the project; 422 naming the other project when the worker serves on one already."""
    project = fetch(request, project_id)
    worker = get_scoped_or_404(SocialWorker, pk=payload.worker)
    staff = services.staff_add(
        actor=request.auth, project=project, worker=worker, role=payload.role, start_date=payload.start_date
    )
    return Status(201, _staff_out(staff))


@router.post(
    "/{int:project_id}/staff/{int:staff_id}/filing",
    response={200: StaffOut, **STANDARD_ERRORS},
    operation_id=op("submit_staff_filing"),
)
def submit_staff_filing(request, project_id: int, staff_id: int):
    """The operator files the worker with the bureau (备案); 422 naming ``filing_status`` when already filed."""
    staff = _staff(request, project_id, staff_id)
    naming("filing_status", lambda: services.staff_filing_submit(actor=request.auth, staff=staff))
    return _staff_out(staff)


@router.post(
    "/{int:project_id}/staff/{int:staff_id}/filing/confirm",
    response={200: StaffOut, **STANDARD_ERRORS},
    operation_id=op("confirm_staff_filing"),
)
def confirm_staff_filing(request, project_id: int, staff_id: int):
    """The bureau confirms a submitted filing; 422 naming ``filing_status`` when none is waiting."""
    staff = _staff(request, project_id, staff_id)
    naming("filing_status", lambda: services.staff_filing_confirm(actor=request.auth, staff=staff))
    return _staff_out(staff)


@router.post(
    "/{int:project_id}/staff/{int:staff_id}/notice",
    response={200: StaffOut, **STANDARD_ERRORS},
    operation_id=op("give_staff_notice"),
)
def give_staff_notice(request, project_id: int, staff_id: int, payload: StaffNoticeIn):
    """The worker gives notice (提出离职) on ``notice_date`` (today or before)."""
    staff = _staff(request, project_id, staff_id)
    services.staff_notice(actor=request.auth, staff=staff, notice_date=payload.notice_date)
    return _staff_out(staff)


@router.post(
    "/{int:project_id}/staff/{int:staff_id}/end",
    response={200: StaffOut, **STANDARD_ERRORS},
    operation_id=op("end_staff"),
)
def end_staff(request, project_id: int, staff_id: int, payload: StaffEndIn):
    """The worker leaves the project on ``end_date`` (today when omitted). On a running project, leaving without
    the notice the region's policy asks or before a replacement is in post is recorded all the same and flagged
    (``breaches``), and told to the buyer."""
    staff = _staff(request, project_id, staff_id)
    replacement = None
    if payload.replacement is not None:
        replacement = get_scoped_or_404(
            ProjectStaff.objects.filter(project_id=project_id), pk=payload.replacement
        )
    services.staff_end(
        actor=request.auth,
        staff=staff,
        end_date=payload.end_date or timezone.localdate(),
        replacement=replacement,
    )
    return _staff_out(staff)

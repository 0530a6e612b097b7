"""Workers on the project: the one-project rule, joining and leaving, filing with the bureau."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.scoping import across_regions
from shegong.people.models import AssignmentFilingStatus, SocialWorker, WorkerStatus
from shegong.people.services.dishonesty import dishonesty_bar, dishonesty_message

from ..models import (
    ACTIVE_STATES,
    FINISHED_STATES,
    Project,
    ProjectStaff,
)
from ._common import _today


def current_project_of(worker: SocialWorker, *, on: datetime.date, exclude_project_id=None) -> Project | None:
    """The active purchased project ``worker`` serves on, wherever it is: the one-project rule binds in every
    region, so a clash filed elsewhere is found (and named: a project's name is public, SPEC §6)."""
    with across_regions("one registered social worker runs one project at a time, in every region"):
        posts = ProjectStaff.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            worker_id=worker.pk,
            project__state__in=ACTIVE_STATES,
        )
        if exclude_project_id is not None:
            posts = posts.exclude(project_id=exclude_project_id)
        post = posts.select_related("project").order_by("start_date").first()
        return post.project if post else None


def one_project_message(project: Project) -> str:
    return _(
        "该社工已在项目“%(name)s”（%(code)s）中服务，一名社工同一时间只能参与一个在执行的购买服务项目。"
    ) % {
        "name": project.name,
        "code": project.code,
    }


def staff_add(
    *,
    actor,
    project: Project,
    worker: SocialWorker,
    role: str = "worker",
    start_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ProjectStaff:
    """Put a worker on the project. Refused, naming the other project, while the worker serves on another active
    one; refused for a barred or departed worker. The worker row is locked so two concurrent assignments of the
    same worker to two projects cannot both pass the check."""
    actor.require("projects.staff", project.region_code)
    today = _today(today)
    start_date = start_date or today
    if project.state in FINISHED_STATES:
        raise ValidationError({"worker": [_("项目已结束，不能再添加人员")]})
    with transaction.atomic():
        SocialWorker.objects.select_for_update().filter(pk=worker.pk).first()
        worker.refresh_from_db()
        entry = dishonesty_bar(worker, max(today, start_date))
        if entry is not None:
            raise ValidationError({"worker": [dishonesty_message(entry)]})
        if worker.status == WorkerStatus.LEFT:
            raise ValidationError({"worker": [_("该社工已离职")]})
        if project.staff.filter(worker=worker, end_date__isnull=True).exists():
            raise ValidationError({"worker": [_("该社工已在本项目中")]})
        other = current_project_of(worker, on=start_date, exclude_project_id=project.pk)
        if other is not None:
            raise ValidationError({"worker": [one_project_message(other)]})
        staff = ProjectStaff(
            project=project, worker=worker, role=role, start_date=start_date, region_code=project.region_code
        )
        staff.full_clean()
        staff.save()
        Project.objects.filter(pk=project.pk).update(staff_changed_on=today)
        record(
            "projects.staff.add",
            actor=actor,
            obj=project,
            changes={"worker": worker.pk, "role": role, "start_date": start_date},
        )
    return staff


def staff_end(*, actor, staff: ProjectStaff, end_date: datetime.date, today=None) -> ProjectStaff:
    actor.require("projects.staff", staff.region_code)
    if staff.end_date is not None:
        raise ValidationError({"end_date": [_("该人员已离开项目")]})
    if end_date < staff.start_date:
        raise ValidationError({"end_date": [_("离开日期不能早于进入日期")]})
    with transaction.atomic():
        staff.end_date = end_date
        staff.save(update_fields=["end_date"])
        Project.objects.filter(pk=staff.project_id).update(staff_changed_on=_today(today))
        record(
            "projects.staff.end",
            actor=actor,
            obj=staff.project,
            changes={"worker": staff.worker_id, "end_date": end_date},
        )
    return staff


def staff_filing_submit(*, actor, staff: ProjectStaff, today=None) -> ProjectStaff:
    """The operator files the project worker with the bureau (备案), as a station posting is filed."""
    actor.require("filing.submit", staff.region_code)
    if staff.filing_status != AssignmentFilingStatus.UNFILED:
        raise ValidationError(_("该人员已报备，无需重复报备"))
    with transaction.atomic():
        staff.filing_status = AssignmentFilingStatus.SUBMITTED
        staff.filing_submitted_on = _today(today)
        staff.save(update_fields=["filing_status", "filing_submitted_on"])
        record("projects.filing.submit", actor=actor, obj=staff.project, changes={"worker": staff.worker_id})
    return staff


def staff_filing_confirm(*, actor, staff: ProjectStaff, today=None) -> ProjectStaff:
    actor.require("filing.confirm", staff.region_code)
    if staff.filing_status != AssignmentFilingStatus.SUBMITTED:
        raise ValidationError(_("只有已报备的人员才能确认备案"))
    with transaction.atomic():
        staff.filing_status = AssignmentFilingStatus.CONFIRMED
        staff.filing_confirmed_on = _today(today)
        staff.save(update_fields=["filing_status", "filing_confirmed_on"])
        record("projects.filing.confirm", actor=actor, obj=staff.project, changes={"worker": staff.worker_id})
    return staff

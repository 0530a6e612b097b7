"""Workers on the project: the one-project rule, joining and leaving, filing with the bureau."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.audit.services import record
from shegong.core.scoping import across_regions
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.people.models import AssignmentFilingStatus, SocialWorker, WorkerStatus
from shegong.people.services.dishonesty import dishonesty_bar, dishonesty_message
from shegong.regions.selectors import SEED_POLICY, policy_for

from ..models import (
    ACTIVE_STATES,
    FINISHED_STATES,
    Project,
    ProjectStaff,
)
from ..selectors import in_post_on, replacement_for
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


# Leaving (seed 003): the codes of the rules a departure can break, and their words.
NO_NOTICE = "no_notice"
SHORT_NOTICE = "short_notice"
NO_REPLACEMENT = "no_replacement"
LATE = "late"
BREACH_CODES = (NO_NOTICE, SHORT_NOTICE, NO_REPLACEMENT, LATE)


def breach_labels(codes, policy=None) -> list[str]:
    policy = policy or SEED_POLICY
    words = {
        NO_NOTICE: _("未提前提出离职"),
        SHORT_NOTICE: _("提前通知不足 %(n)d 天") % {"n": policy.notice_min_days},
        NO_REPLACEMENT: _("补员未到岗即离开"),
        LATE: _("自提出离职起超过 %(n)d 天才离开") % {"n": policy.notice_max_days},
    }
    return [str(words[code]) for code in codes if code in words]


def leaving_breaches(
    staff: ProjectStaff, end_date: datetime.date, replacement: ProjectStaff | None, policy
) -> list[str]:
    """The rules leaving on ``end_date`` breaks: notice given at least ``notice_min_days`` before, a replacement
    in post on the leaving day, gone at most ``notice_max_days`` after the notice (local policy)."""
    found = []
    if staff.notice_date is None:
        found.append(NO_NOTICE)
    else:
        if (end_date - staff.notice_date).days < policy.notice_min_days:
            found.append(SHORT_NOTICE)
        if (end_date - staff.notice_date).days > policy.notice_max_days:
            found.append(LATE)
    if replacement is None or not in_post_on(replacement, end_date):
        found.append(NO_REPLACEMENT)
    return found


def staff_notice(*, actor, staff: ProjectStaff, notice_date: datetime.date, today=None) -> ProjectStaff:
    """The project worker gives notice (提出离职) on ``notice_date``."""
    actor.require("projects.staff", staff.region_code)
    today = _today(today)
    if staff.end_date is not None:
        raise ValidationError({"notice_date": [_("该人员已离开项目")]})
    if staff.notice_date is not None:
        raise ValidationError({"notice_date": [_("该人员已于 %(d)s 提出离职") % {"d": staff.notice_date}]})
    if notice_date is None:
        raise ValidationError({"notice_date": [_("请填写提出离职日期")]})
    if notice_date > today:
        raise ValidationError({"notice_date": [_("提出离职日期不能晚于今天")]})
    if notice_date < staff.start_date:
        raise ValidationError({"notice_date": [_("提出离职日期不能早于进入项目日期")]})
    policy = policy_for(staff.region_code)
    with transaction.atomic():
        staff.notice_date = notice_date
        staff.save(update_fields=["notice_date"])
        record(
            "projects.staff.notice",
            actor=actor,
            obj=staff.project,
            changes={
                "staff": staff.pk,
                "notice_date": notice_date,
                "earliest": notice_date + datetime.timedelta(days=policy.notice_min_days),
                "latest": notice_date + datetime.timedelta(days=policy.notice_max_days),
            },
        )
    return staff


def staff_end(
    *,
    actor,
    staff: ProjectStaff,
    end_date: datetime.date,
    replacement: ProjectStaff | None = None,
    today=None,
) -> ProjectStaff:
    """The worker leaves the project. On a running project, leaving without notice, with less than the policy's
    notice, before a replacement is in post or later than the policy's days after notice is recorded all the
    same, and flagged: the breaches are kept on the post, audited and told to the buyer."""
    actor.require("projects.staff", staff.region_code)
    if staff.end_date is not None:
        raise ValidationError({"end_date": [_("该人员已离开项目")]})
    if end_date is None:
        raise ValidationError({"end_date": [_("请填写离开项目日期")]})
    if end_date < staff.start_date:
        raise ValidationError({"end_date": [_("离开日期不能早于进入日期")]})
    if replacement is not None and (
        replacement.project_id != staff.project_id
        or replacement.pk == staff.pk
        or replacement.worker_id == staff.worker_id
    ):
        raise ValidationError({"replacement": [_("补员须是本项目的其他人员")]})
    project = staff.project
    replacement = replacement or replacement_for(staff, end_date)
    breaches = []
    if project.is_active:
        breaches = leaving_breaches(staff, end_date, replacement, policy_for(staff.region_code))
    with transaction.atomic():
        staff.end_date = end_date
        staff.replacement = replacement
        staff.breaches = breaches
        staff.save(update_fields=["end_date", "replacement", "breaches"])
        Project.objects.filter(pk=staff.project_id).update(staff_changed_on=_today(today))
        record(
            "projects.staff.end",
            actor=actor,
            obj=project,
            changes={
                "staff": staff.pk,
                "worker": staff.worker_id,
                "end_date": end_date,
                "notice_date": staff.notice_date,
                "replacement": replacement.pk if replacement else None,
                "breaches": breaches,
            },
        )
        if breaches:
            _tell_buyer_of_breach(project, staff, breaches)
    return staff


def _tell_buyer_of_breach(project: Project, staff: ProjectStaff, breaches: list[str]) -> None:
    buyers = role_holders([Role.OFFICIAL, Role.TOWNSHIP], project.region_code)
    notify(
        users=buyers,
        notice=Notice(
            kind=Kind.PROJECT_STAFF_BREACH,
            title=gettext_noop("项目人员离职违反规定"),
            body=gettext_noop("项目 %(code)s 有一名人员离开项目时违反离职规定：%(breaches)s。"),
            params={"code": project.code, "breaches": "、".join(breach_labels(breaches))},
            link=reverse("projects:detail", args=[project.pk]) + "#staff",
        ),
        region_code=project.region_code,
        dedupe_key=f"project-staff-breach:{staff.pk}",
    )


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

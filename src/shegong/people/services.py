"""Writes on social workers, their assignments, filings, departures and the dishonesty list; volunteers, teams and
hours. Every function checks the actor's permission in the row's region, validates, writes atomically and audits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record
from shegong.core.fields import blind_index_for
from shegong.core.identity import IdentityError, parse_id_number, validate_phone
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.orgs.models import Organisation
from shegong.regions.codes import in_subtree
from shegong.regions.models import Region

from .models import (
    DISHONESTY_BAR_YEARS,
    TEAM_PARENT_LEVELS,
    Certificate,
    Departure,
    DishonestyEntry,
    FilingStatus,
    HoursStatus,
    PayPost,
    Skill,
    SocialWorker,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    WorkerAssignment,
    WorkerStatus,
)

WORKER_FIELDS = [
    "region",
    "name",
    "id_number",
    "phone",
    "gender",
    "birth_date",
    "education",
    "major",
    "certificate",
    "certificate_number",
    "certificate_date",
    "employer",
    "pay_post",
    "pay_grade",
    "status",
]
SENSITIVE = {"id_number", "phone"}
VOLUNTEER_FIELDS = [
    "region",
    "name",
    "id_number",
    "phone",
    "gender",
    "birth_date",
    "skills",
    "team",
    "recruited_by",
    "status",
]
TEAM_FIELDS = ["region", "name", "level", "parent", "leader"]


def _snapshot(obj, fields: list[str]) -> dict[str, Any]:
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        data[name] = "***" if name in SENSITIVE and value else value
    return data


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _resolve(data: dict[str, Any], refs: dict[str, type]) -> dict[str, Any]:
    """Turn codes and ids into rows the actor can see: the same 404 for missing and not-yours."""
    data = dict(data)
    for key, model in refs.items():
        value = data.get(key)
        if value is None or value == "" or isinstance(value, model):
            if value == "":
                data[key] = None
            continue
        lookup = {"code": value} if model is Region else {"pk": value}
        data[key] = get_scoped_or_404(model, **lookup)
    return data


# Social workers --------------------------------------------------------------------------------------------------

WORKER_REFS = {"region": Region, "employer": Organisation, "pay_post": PayPost}


def _clean_identity(obj, errors: dict[str, list[str]], *, required_id: bool) -> None:
    if obj.id_number:
        try:
            parsed = parse_id_number(obj.id_number)
        except IdentityError as exc:
            errors.setdefault("id_number", []).append(str(exc))
        else:
            obj.id_number = parsed.number
            obj.birth_date = parsed.birth_date
            obj.gender = parsed.sex
    elif required_id:
        errors.setdefault("id_number", []).append(_("请填写身份证号"))
    if obj.phone:
        try:
            obj.phone = validate_phone(obj.phone)
        except IdentityError as exc:
            errors.setdefault("phone", []).append(str(exc))


def _duplicate_identity(model, obj, errors: dict[str, list[str]], noun: str) -> None:
    if not obj.id_number or "id_number" in errors:
        return
    index = blind_index_for(model, "id_number_index", obj.id_number)
    # Identity is unique across every region, not only the part the actor can see; the message names no one.
    clash = model._base.filter(id_number_index=index).exclude(pk=obj.pk).exists()
    if clash:
        errors.setdefault("id_number", []).append(_("该身份证号已登记为%(noun)s") % {"noun": noun})


def _validate_worker(worker: SocialWorker) -> None:
    errors: dict[str, list[str]] = {}
    _clean_identity(worker, errors, required_id=True)
    _duplicate_identity(SocialWorker, worker, errors, _("社工"))
    if worker.certificate != Certificate.NONE and not worker.certificate_number:
        errors.setdefault("certificate_number", []).append(_("持证社工须填写证书编号"))
    if worker.certificate == Certificate.NONE and (worker.certificate_number or worker.certificate_date):
        errors.setdefault("certificate", []).append(_("填写了证书编号或取证日期，请选择职业资格等级"))
    if worker.pay_grade is not None:
        if worker.pay_post_id is None:
            errors.setdefault("pay_post", []).append(_("填写薪级时须选择薪酬岗位"))
        elif not 1 <= worker.pay_grade <= worker.pay_post.ladder.grades:
            errors.setdefault("pay_grade", []).append(
                _("%(ladder)s的薪级为 1–%(n)d 级")
                % {"ladder": worker.pay_post.ladder.name, "n": worker.pay_post.ladder.grades}
            )
    if errors:
        raise ValidationError(errors)


def worker_create(*, actor, data: dict[str, Any]) -> SocialWorker:
    data = _resolve(data, WORKER_REFS)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择登记区划")]})
    actor.require("people.change", region.code)
    worker = SocialWorker(**{k: v for k, v in data.items() if k in WORKER_FIELDS and v is not None})
    worker.region_code = region.code
    _validate_worker(worker)
    worker.full_clean()
    with transaction.atomic():
        worker.save()
        record(
            "people.worker.create",
            actor=actor,
            obj=worker,
            changes=diff({}, _snapshot(worker, WORKER_FIELDS)),
        )
    return worker


def worker_update(*, actor, worker: SocialWorker, data: dict[str, Any]) -> SocialWorker:
    actor.require("people.change", worker.region_code)
    data = _resolve(data, WORKER_REFS)
    if data.get("region") is not None:
        actor.require("people.change", data["region"].code)
    before = _snapshot(worker, WORKER_FIELDS)
    old_sensitive = {k: getattr(worker, k) for k in SENSITIVE}
    for key, value in data.items():
        if key in WORKER_FIELDS:
            setattr(worker, key, "" if value is None and key in SENSITIVE else value)
    worker.region_code = worker.region_id
    _validate_worker(worker)
    worker.full_clean()
    with transaction.atomic():
        worker.save()
        changes = diff(before, _snapshot(worker, WORKER_FIELDS))
        for key, old in old_sensitive.items():
            if getattr(worker, key) != old:
                changes[key] = {"before": "***", "after": "*** (changed)"}
        if changes:
            record("people.worker.update", actor=actor, obj=worker, changes=changes)
    return worker


def reveal(*, actor, obj, field: str, reason: str, permission: str) -> str:
    """Show one sensitive value in full; needs a reason and leaves an audit entry."""
    actor.require(permission, obj.region_code)
    if field not in SENSITIVE:
        raise ValidationError({"field": [_("只能查看身份证号或手机号")]})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请填写查看事由")]})
    record("reveal", actor=actor, obj=obj, changes={"field": field}, reason=reason)
    return getattr(obj, field)


# Dishonesty list -------------------------------------------------------------------------------------------------


def dishonesty_bar(worker: SocialWorker, on: datetime.date) -> DishonestyEntry | None:
    """The entry that bars ``worker`` on ``on``, if any. The list binds in every region, so the look-up is not
    limited to the actor's scope: a worker listed elsewhere and re-registered here is still barred."""
    condition = Q(worker_id=worker.pk)
    if worker.id_number_index:
        condition |= Q(id_number_index=worker.id_number_index)
    return (
        DishonestyEntry._base.filter(condition, listed_on__lte=on, bar_until__gt=on)
        .order_by("-bar_until")
        .first()
    )


def dishonesty_message(entry: DishonestyEntry) -> str:
    return _(
        "该社工已于 %(listed)s 被列入失信名单（原因：%(reason)s），%(until)s 前不得安排社会工作岗位。"
    ) % {"listed": entry.listed_on.isoformat(), "reason": entry.reason, "until": entry.bar_until.isoformat()}


def dishonesty_add(
    *,
    actor,
    worker: SocialWorker,
    reason: str,
    listed_on: datetime.date | None = None,
    listed_by: str = "",
    today: datetime.date | None = None,
) -> DishonestyEntry:
    actor.require("dishonesty.change", worker.region_code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写列入失信名单的原因")]})
    listed_on = listed_on or _today(today)
    if listed_on > _today(today):
        raise ValidationError({"listed_on": [_("列入日期不能晚于今天")]})
    entry = DishonestyEntry(
        worker=worker,
        reason=reason,
        listed_on=listed_on,
        bar_until=add_years(listed_on, DISHONESTY_BAR_YEARS),
        listed_by=listed_by.strip(),
        id_number_index=worker.id_number_index or "",
        region_code=worker.region_code,
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(
            "people.dishonesty.add",
            actor=actor,
            obj=worker,
            reason=reason,
            changes={"listed_on": listed_on, "bar_until": entry.bar_until},
        )
    return entry


# Assignments and filing ------------------------------------------------------------------------------------------


def assignment_create(
    *,
    actor,
    worker: SocialWorker,
    node: ServiceNode | int,
    start_date: datetime.date | None = None,
    full_time: bool = True,
    post: str = "",
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
        region_code=node.region_code,
    )
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        record(
            "people.assignment.create",
            actor=actor,
            obj=assignment,
            changes={"worker": worker.pk, "node": node.pk, "start_date": start_date, "full_time": full_time},
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
    if assignment.filing_status != FilingStatus.UNFILED:
        raise ValidationError(_("该岗位安排已报备，无需重复报备"))
    with transaction.atomic():
        assignment.filing_status = FilingStatus.SUBMITTED
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
    if assignment.filing_status != FilingStatus.SUBMITTED:
        raise ValidationError(_("只有已报备的岗位安排才能确认备案"))
    with transaction.atomic():
        assignment.filing_status = FilingStatus.CONFIRMED
        assignment.filing_confirmed_on = _today(today)
        assignment.save(update_fields=["filing_status", "filing_confirmed_on"])
        record("people.filing.confirm", actor=actor, obj=assignment, changes={})
    return assignment


# Departures ------------------------------------------------------------------------------------------------------


def departure_notice(
    *,
    actor,
    worker: SocialWorker,
    notice_date: datetime.date,
    planned_leaving_date: datetime.date,
    reason: str = "",
    replacement: SocialWorker | None = None,
) -> Departure:
    actor.require("people.change", worker.region_code)
    if worker.departures.filter(left_on__isnull=True).exists():
        raise ValidationError({"notice_date": [_("该社工已有未完成的离职申请")]})
    if replacement is not None and replacement.pk == worker.pk:
        raise ValidationError({"replacement": [_("补员社工不能是本人")]})
    departure = Departure(
        worker=worker,
        notice_date=notice_date,
        planned_leaving_date=planned_leaving_date,
        reason=(reason or "").strip(),
        replacement=replacement,
        region_code=worker.region_code,
    )
    departure.full_clean()
    with transaction.atomic():
        departure.save()
        worker.status = WorkerStatus.LEAVING
        worker.save(update_fields=["status"])
        record(
            "people.departure.notice",
            actor=actor,
            obj=departure,
            changes={
                "notice_date": notice_date,
                "planned_leaving_date": planned_leaving_date,
                "breaches": departure.breaches(notice_date),
            },
        )
    return departure


def departure_complete(
    *, actor, departure: Departure, left_on: datetime.date, replacement: SocialWorker | None = None
) -> Departure:
    """The worker leaves: its open assignments end that day; breaches of the notice rules stay on record."""
    actor.require("people.change", departure.region_code)
    if departure.left_on:
        raise ValidationError({"left_on": [_("该离职已办结")]})
    if replacement is not None:
        if replacement.pk == departure.worker_id:
            raise ValidationError({"replacement": [_("补员社工不能是本人")]})
        departure.replacement = replacement
    departure.left_on = left_on
    departure.full_clean()
    worker = departure.worker
    with transaction.atomic():
        departure.save()
        for assignment in worker.assignments.filter(end_date__isnull=True):
            if left_on < assignment.start_date:
                raise ValidationError(
                    {"left_on": [_("离岗日期早于到岗日期 %(d)s") % {"d": assignment.start_date}]}
                )
            assignment.end_date = left_on
            assignment.save(update_fields=["end_date"])
        worker.status = WorkerStatus.LEFT
        worker.save(update_fields=["status"])
        record(
            "people.departure.complete",
            actor=actor,
            obj=departure,
            changes={
                "left_on": left_on,
                "replacement": departure.replacement_id,
                "breaches": departure.breaches(left_on),
            },
        )
    return departure


# Volunteers and teams --------------------------------------------------------------------------------------------

VOLUNTEER_REFS = {"region": Region, "team": VolunteerTeam, "recruited_by": SocialWorker}


def _validate_volunteer(volunteer: Volunteer) -> None:
    errors: dict[str, list[str]] = {}
    _clean_identity(volunteer, errors, required_id=False)
    if not volunteer.phone:
        errors.setdefault("phone", []).append(_("请填写手机号"))
    _duplicate_identity(Volunteer, volunteer, errors, _("志愿者"))
    unknown = [s for s in volunteer.skills or [] if s not in Skill.values]
    if unknown:
        errors.setdefault("skills", []).append(_("未知的技能：%(s)s") % {"s": "、".join(unknown)})
    if volunteer.team_id and not in_subtree(volunteer.region_id, volunteer.team.region_code):
        errors.setdefault("team", []).append(_("志愿者所在区划不在该队伍的范围内"))
    if errors:
        raise ValidationError(errors)


def volunteer_create(*, actor, data: dict[str, Any]) -> Volunteer:
    data = _resolve(data, VOLUNTEER_REFS)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择所在区划")]})
    actor.require("volunteers.change", region.code)
    volunteer = Volunteer(**{k: v for k, v in data.items() if k in VOLUNTEER_FIELDS and v is not None})
    volunteer.region_code = region.code
    _validate_volunteer(volunteer)
    volunteer.full_clean()
    with transaction.atomic():
        volunteer.save()
        record(
            "people.volunteer.create",
            actor=actor,
            obj=volunteer,
            changes=diff({}, _snapshot(volunteer, VOLUNTEER_FIELDS)),
        )
    return volunteer


def volunteer_update(*, actor, volunteer: Volunteer, data: dict[str, Any]) -> Volunteer:
    actor.require("volunteers.change", volunteer.region_code)
    data = _resolve(data, VOLUNTEER_REFS)
    if data.get("region") is not None:
        actor.require("volunteers.change", data["region"].code)
    before = _snapshot(volunteer, VOLUNTEER_FIELDS)
    for key, value in data.items():
        if key in VOLUNTEER_FIELDS:
            setattr(volunteer, key, "" if value is None and key in SENSITIVE else value)
    volunteer.region_code = volunteer.region_id
    _validate_volunteer(volunteer)
    volunteer.full_clean()
    with transaction.atomic():
        volunteer.save()
        changes = diff(before, _snapshot(volunteer, VOLUNTEER_FIELDS))
        if changes:
            record("people.volunteer.update", actor=actor, obj=volunteer, changes=changes)
    return volunteer


def volunteer_self_register(*, data: dict[str, Any], request=None) -> Volunteer:
    """The public sign-up page: no login, so the row waits for staff approval (status 待审核)."""
    region = data.get("region")
    if not isinstance(region, Region):
        raise ValidationError({"region": [_("请选择所在社区")]})
    volunteer = Volunteer(
        region=region,
        region_code=region.code,
        name=data.get("name", "").strip(),
        id_number=data.get("id_number") or "",
        phone=data.get("phone") or "",
        skills=list(data.get("skills") or []),
        status=VolunteerStatus.PENDING,
        self_registered=True,
    )
    _validate_volunteer(volunteer)
    volunteer.full_clean()
    with transaction.atomic():
        volunteer.save()
        record(
            "people.volunteer.self_register",
            actor=None,
            obj=volunteer,
            request=request,
            actor_name="public",
            changes={"name": volunteer.name, "region": region.code},
        )
    return volunteer


def volunteer_approve(*, actor, volunteer: Volunteer) -> Volunteer:
    actor.require("volunteers.change", volunteer.region_code)
    if volunteer.status != VolunteerStatus.PENDING:
        raise ValidationError(_("只有待审核的志愿者需要审核"))
    with transaction.atomic():
        volunteer.status = VolunteerStatus.ACTIVE
        volunteer.save(update_fields=["status"])
        record("people.volunteer.approve", actor=actor, obj=volunteer, changes={"status": "active"})
    return volunteer


def team_create(*, actor, data: dict[str, Any]) -> VolunteerTeam:
    data = _resolve(data, {"region": Region, "parent": VolunteerTeam})
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择所在区划")]})
    actor.require("volunteers.change", region.code)
    team = VolunteerTeam(**{k: v for k, v in data.items() if k in TEAM_FIELDS}, region_code=region.code)
    allowed = TEAM_PARENT_LEVELS.get(team.level, ())
    if team.parent_id is None and allowed:
        raise ValidationError({"parent": [_("%(level)s须有上级队伍") % {"level": team.get_level_display()}]})
    if team.parent_id is not None and team.parent.level not in allowed:
        raise ValidationError(
            {
                "parent": [
                    _("%(level)s不能隶属于%(parent)s")
                    % {"level": team.get_level_display(), "parent": team.parent.get_level_display()}
                ]
            }
        )
    team.full_clean()
    with transaction.atomic():
        team.save()
        record("people.team.create", actor=actor, obj=team, changes=diff({}, _snapshot(team, TEAM_FIELDS)))
    return team


# Hours -----------------------------------------------------------------------------------------------------------


def own_volunteer(actor) -> Volunteer | None:
    user = getattr(actor, "user", None)
    if user is None:
        return None
    return Volunteer.objects.filter(user=user).select_related("team").first()


def hours_log(*, actor, data: dict[str, Any], today: datetime.date | None = None) -> VolunteerHours:
    """A volunteer logs its own hours against an activity or its team; a worker confirms them later."""
    volunteer = own_volunteer(actor)
    if volunteer is None:
        raise ValidationError(_("您的账号没有关联志愿者档案，请联系社工站"))
    actor.require("hours.log", volunteer.region_code)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("您的志愿者登记尚未通过审核"))
    from shegong.services.models import Activity

    data = _resolve(data, {"team": VolunteerTeam, "activity": Activity})
    errors: dict[str, list[str]] = {}
    served_on = data.get("served_on")
    if served_on is None:
        errors.setdefault("served_on", []).append(_("请填写服务日期"))
    elif served_on > _today(today):
        errors.setdefault("served_on", []).append(_("服务日期不能晚于今天"))
    hours = data.get("hours")
    if hours is None or not Decimal("0.5") <= Decimal(hours) <= Decimal("24"):
        errors.setdefault("hours", []).append(_("时长须在 0.5 到 24 小时之间"))
    team = data.get("team") or volunteer.team
    if team is None and data.get("activity") is None:
        errors.setdefault("activity", []).append(_("请选择活动或队伍"))
    if not (data.get("description") or "").strip():
        errors.setdefault("description", []).append(_("请简要填写服务内容"))
    if errors:
        raise ValidationError(errors)
    entry = VolunteerHours(
        volunteer=volunteer,
        team=team,
        activity=data.get("activity"),
        served_on=served_on,
        hours=Decimal(hours),
        description=data["description"].strip(),
        region_code=volunteer.region_code,
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(
            "people.hours.log", actor=actor, obj=entry, changes={"hours": entry.hours, "served_on": served_on}
        )
    return entry


def hours_confirm(*, actor, entry: VolunteerHours, note: str = "") -> VolunteerHours:
    return _hours_decide(actor, entry, HoursStatus.CONFIRMED, note)


def hours_reject(*, actor, entry: VolunteerHours, note: str = "") -> VolunteerHours:
    if not (note or "").strip():
        raise ValidationError({"note": [_("退回时请说明原因")]})
    return _hours_decide(actor, entry, HoursStatus.REJECTED, note)


def _hours_decide(actor, entry: VolunteerHours, status: str, note: str) -> VolunteerHours:
    actor.require("hours.confirm", entry.region_code)
    if entry.status != HoursStatus.LOGGED:
        raise ValidationError(_("这条时长已经处理过了"))
    with transaction.atomic():
        entry.status = status
        entry.note = (note or "").strip()[:200]
        entry.confirmed_by = actor.user
        entry.confirmed_at = timezone.now()
        entry.save(update_fields=["status", "note", "confirmed_by", "confirmed_at"])
        record(
            f"people.hours.{'confirm' if status == HoursStatus.CONFIRMED else 'reject'}",
            actor=actor,
            obj=entry,
            changes={"status": status, "hours": entry.hours},
        )
    return entry

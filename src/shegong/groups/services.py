"""Writes on group work: a group, its stages, its members and its sessions with attendance. Each checks the
actor's permission in the group's region, validates, writes atomically, audits and (for a session) counts."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core import projectlinks, tallies
from shegong.core.identity import IdentityError, validate_phone
from shegong.core.scoping import across_regions

from .models import (
    STAGE_ORDER,
    Attendance,
    Frequency,
    Group,
    GroupKind,
    GroupMember,
    GroupSession,
    GroupStage,
    Weekday,
)
from .selectors import SESSIONS_METRIC

GROUP_FIELDS = ["node", "name", "kind", "purpose", "leader", "planned_sessions", "starts_on"]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


SCHEDULE_FIELDS = ("meets", "meets_weekday", "meets_at", "meets_place")


def _schedule(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The schedule fields of ``data``, checked: a rhythm (每周/每两周) needs a weekday and a time; no rhythm means
    no schedule, so a weekday or time given without one is a mistake to point out rather than drop."""
    meets = data.get("meets") or ""
    weekday = data.get("meets_weekday")
    at = data.get("meets_at")
    place = (data.get("meets_place") or "").strip()
    if meets and meets not in Frequency.values:
        errors["meets"] = [_("请选择活动频率：每周或每两周")]
    if weekday is not None and weekday not in Weekday.values:
        errors["meets_weekday"] = [_("活动日须是周一到周日之一")]
    if at is not None and not isinstance(at, datetime.time):
        errors["meets_at"] = [_("活动时间格式无效，例如 14:30")]
    if len(place) > 120:
        errors["meets_place"] = [_("活动地点不能超过 120 字")]
    if meets:
        if weekday is None:
            errors.setdefault("meets_weekday", [_("已选择活动频率，请选择每周几活动")])
        if at is None:
            errors.setdefault("meets_at", [_("已选择活动频率，请填写活动时间，例如 14:30")])
    elif weekday is not None or at is not None or place:
        errors["meets"] = [_("已填写活动日或时间，请选择活动频率")]
    return {"meets": meets, "meets_weekday": weekday, "meets_at": at, "meets_place": place}


def _schedule_changes(group: Group) -> dict[str, Any]:
    return {
        "meets": group.meets,
        "meets_weekday": group.meets_weekday,
        "meets_at": group.meets_at.strftime("%H:%M") if group.meets_at else None,
        "meets_place": group.meets_place,
    }


def group_create(*, actor, data: dict[str, Any], co_leaders=(), today: datetime.date | None = None) -> Group:
    """A new group in its first stage (筹备). ``data`` holds rows already fetched in the actor's scope."""
    node = data.get("node")
    if node is None:
        raise ValidationError({"node": [_("请选择小组所属的阵地")]})
    actor.require("groups.change", node.region_code)
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [_("请填写小组名称")]
    if data.get("kind") not in GroupKind.values:
        errors["kind"] = [_("请选择小组类型")]
    if not (data.get("purpose") or "").strip():
        errors["purpose"] = [_("请写明小组目标")]
    leader = data.get("leader")
    if leader is None:
        errors["leader"] = [_("请选择带领社工")]
    co = [w for w in co_leaders if w is not None]
    if leader is not None and any(w.pk == leader.pk for w in co):
        errors["co_leaders"] = [_("带领社工不必再列为协同带领")]
    starts_on = data.get("starts_on")
    if starts_on is None:
        errors["starts_on"] = [_("请填写开始日期")]
    elif starts_on > _today(today) + datetime.timedelta(days=365):
        errors["starts_on"] = [_("开始日期不能晚于一年以后")]
    schedule = _schedule(data, errors)
    if errors:
        raise ValidationError(errors)
    group = Group(
        **schedule,
        node=node,
        name=data["name"].strip(),
        kind=data["kind"],
        purpose=data["purpose"].strip(),
        leader=leader,
        planned_sessions=data.get("planned_sessions") or 6,
        starts_on=starts_on,
        region_code=node.region_code,
    )
    group.full_clean()
    with transaction.atomic():
        group.save()
        group.co_leaders.set(co)
        record(
            "groups.group.create",
            actor=actor,
            obj=group,
            changes={
                "name": group.name,
                "kind": group.kind,
                "leader": leader.pk,
                "co_leaders": [w.pk for w in co],
                "planned_sessions": group.planned_sessions,
                **(_schedule_changes(group) if group.meets else {}),
            },
        )
    return group


def group_schedule(*, actor, group: Group, data: dict[str, Any]) -> Group:
    """Set (or clear, with no rhythm) when and where the group meets; the worklist's sessions due follow it."""
    actor.require("groups.change", group.region_code)
    errors: dict[str, list[str]] = {}
    if not group.is_open:
        errors["group"] = [_("小组已经结束，不能再修改活动安排")]
    schedule = _schedule(data, errors)
    if errors:
        raise ValidationError(errors)
    before = _schedule_changes(group)
    for name, value in schedule.items():
        setattr(group, name, value)
    group.full_clean()
    after = _schedule_changes(group)
    with transaction.atomic():
        group.save(update_fields=[*SCHEDULE_FIELDS, "updated_at"])
        record(
            "groups.group.schedule",
            actor=actor,
            obj=group,
            changes={k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]},
        )
    return group


def group_advance(*, actor, group: Group, to: str, reason: str = "") -> Group:
    """Move the group to ``to``: the next stage, or straight to the end (结束) with a reason when it ends early."""
    actor.require("groups.change", group.region_code)
    if to not in STAGE_ORDER:
        raise ValidationError({"stage": [_("无法识别的阶段")]})
    if not group.is_open:
        raise ValidationError({"stage": [_("小组已经结束，不能再变更阶段")]})
    reason = (reason or "").strip()
    early_end = to == GroupStage.ENDED and group.next_stage != GroupStage.ENDED
    if to != group.next_stage and not early_end:
        raise ValidationError(
            {
                "stage": [
                    _("小组只能从“%(a)s”进入“%(b)s”")
                    % {"a": GroupStage(group.stage).label, "b": GroupStage(group.next_stage).label}
                ]
            }
        )
    if early_end and not reason:
        raise ValidationError({"reason": [_("小组提前结束，请说明原因")]})
    before = group.stage
    with transaction.atomic():
        group.stage = to
        if to == GroupStage.ENDED:
            group.ended_reason = reason[:200]
        group.save(update_fields=["stage", "ended_reason", "updated_at"])
        record(
            "groups.group.stage",
            actor=actor,
            obj=group,
            changes={"stage": {"before": before, "after": to}, **({"reason": reason} if reason else {})},
        )
    return group


def member_add(
    *,
    actor,
    group: Group,
    recipient=None,
    name: str = "",
    phone: str = "",
    joined_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> GroupMember:
    """Add a recipient of the registry, or a resident who is not in it (a name and an optional phone)."""
    actor.require("groups.change", group.region_code)
    errors: dict[str, list[str]] = {}
    name, phone = (name or "").strip(), (phone or "").strip()
    if not group.is_open:
        errors["group"] = [_("小组已经结束，不能再添加成员")]
    if recipient is None and not name:
        errors["recipient"] = [_("请选择服务对象，或填写居民姓名")]
    if recipient is not None and name:
        errors["name"] = [_("已选择服务对象，居民姓名不用再填")]
    if recipient is not None and not recipient.is_open:
        errors["recipient"] = [_("%(n)s的档案已不在册，不能加入小组") % {"n": recipient.name}]
    if recipient is not None and group.members.filter(recipient=recipient).exists():
        errors["recipient"] = [_("%(n)s已经是小组成员") % {"n": recipient.name}]
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc)]
    joined_on = joined_on or _today(today)
    if joined_on > _today(today):
        errors["joined_on"] = [_("加入日期不能晚于今天")]
    if errors:
        raise ValidationError(errors)
    member = GroupMember(
        group=group,
        recipient=recipient,
        resident_name=name[:50],
        resident_phone=phone,
        joined_on=joined_on,
        region_code=group.region_code,
    )
    member.full_clean()
    with transaction.atomic():
        member.save()
        record(
            "groups.member.add",
            actor=actor,
            obj=member,
            changes={
                "group": group.pk,
                "recipient": recipient.pk if recipient else None,
                "resident": bool(name),
                "joined_on": joined_on,
            },
        )
    return member


def member_leave(
    *, actor, member: GroupMember, left_on: datetime.date | None = None, today=None
) -> GroupMember:
    actor.require("groups.change", member.region_code)
    left_on = left_on or _today(today)
    if member.left_on is not None:
        raise ValidationError({"left_on": [_("该成员已经退出小组")]})
    if left_on < member.joined_on:
        raise ValidationError({"left_on": [_("退出日期不能早于加入日期")]})
    if left_on > _today(today):
        raise ValidationError({"left_on": [_("退出日期不能晚于今天")]})
    with transaction.atomic():
        member.left_on = left_on
        member.save(update_fields=["left_on", "updated_at"])
        record("groups.member.leave", actor=actor, obj=member, changes={"left_on": left_on})
    return member


def _score(value, member, label, errors) -> int | None:
    if value in (None, ""):
        return None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = -1
    if not 0 <= score <= 100:
        errors.setdefault("measures", []).append(
            _("%(n)s的%(l)s须是 0 到 100 的整数") % {"n": member.display_name, "l": label}
        )
        return None
    return score


def session_record(
    *,
    actor,
    group: Group,
    data: dict[str, Any],
    present: set[int] | list[int],
    idempotency_key: uuid.UUID | str,
    measures: dict[int, tuple[Any, Any]] | None = None,
    today: datetime.date | None = None,
) -> tuple[GroupSession, bool]:
    """Record a session with its attendance (``present``: the member ids ticked). Counted in the same
    transaction: one session held, and every registry member present as a person served. A retry with the same
    idempotency key returns the first session and writes nothing."""
    actor.require("groups.change", group.region_code)
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise ValidationError({"idempotency_key": [_("提交编号无效，请刷新页面后重试")]}) from None
    existing = _existing(key)
    if existing is not None:
        if existing.group_id != group.pk:
            raise ValidationError({"idempotency_key": [_("提交编号已被另一次活动使用，请刷新页面后重试")]})
        return existing, False
    errors: dict[str, list[str]] = {}
    if not group.is_open:
        errors["group"] = [_("小组已经结束，不能再记录活动")]
    held_on = data.get("held_on")
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("请填写活动日期")]
    elif held_on > _today(today):
        errors["held_on"] = [_("活动日期不能晚于今天")]
    elif held_on < group.starts_on:
        errors["held_on"] = [_("活动日期不能早于小组开始日期（%(d)s）") % {"d": group.starts_on}]
    if not (data.get("place") or "").strip():
        errors["place"] = [_("请填写地点")]
    if not (data.get("content") or "").strip():
        errors["content"] = [_("请填写活动内容")]
    members = {m.pk: m for m in group.members.select_related("recipient")}
    present_ids = {int(i) for i in present}
    strangers = present_ids - set(members)
    if strangers:
        errors["present"] = [_("出席名单中有不属于本小组的成员")]
    elif isinstance(held_on, datetime.date):
        outside = [members[i].display_name for i in present_ids if not members[i].active_on(held_on)]
        if outside:
            errors["present"] = [_("%(n)s在活动当天不是小组成员") % {"n": "、".join(sorted(outside))}]
    scores: dict[int, tuple[int | None, int | None]] = {}
    for member_id, (pre, post) in (measures or {}).items():
        member = members.get(int(member_id))
        if member is None:
            errors.setdefault("measures", []).append(_("前后测中有不属于本小组的成员"))
            continue
        scores[member.pk] = (_score(pre, member, _("前测"), errors), _score(post, member, _("后测"), errors))
    project_id = None
    if not errors:
        # The session counts for the project its leader serves on that day (core.projectlinks).
        try:
            project_id = projectlinks.choose(
                worker_id=group.leader_id, on=held_on, project_id=data.get("project_id")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    taken = [m for m in members.values() if m.active_on(held_on)]
    try:
        with transaction.atomic():
            list(Group.objects.select_for_update(of=("self",)).filter(pk=group.pk))
            number = (group.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
            session = GroupSession(
                group=group,
                number=number,
                held_on=held_on,
                place=data["place"].strip(),
                content=data["content"].strip(),
                observations=(data.get("observations") or "").strip(),
                recorded_by=getattr(actor, "user", None),
                idempotency_key=key,
                region_code=group.region_code,
                project_id=project_id,
            )
            session.full_clean()
            session.save()
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        session=session,
                        member=m,
                        present=m.pk in present_ids,
                        pre_score=scores.get(m.pk, (None, None))[0],
                        post_score=scores.get(m.pk, (None, None))[1],
                        region_code=session.region_code,
                    )
                    for m in taken
                ]
            )
            tallies.add(group.region_code, held_on, SESSIONS_METRIC, 1)
            for m in taken:
                if m.pk in present_ids and m.recipient_id:
                    tallies.add_member(
                        m.recipient.region_code, held_on, "served.people", f"recipient:{m.recipient_id}"
                    )
            record(
                "groups.session.record",
                actor=actor,
                obj=session,
                changes={
                    "group": group.pk,
                    "number": number,
                    "held_on": held_on,
                    "present": len(present_ids),
                    "members": len(taken),
                    "project": project_id,
                },
            )
    except IntegrityError:
        existing = _existing(key)
        if existing is None:
            raise
        return existing, False
    return session, True


def _existing(key: uuid.UUID) -> GroupSession | None:
    with across_regions("an idempotency key is unique across the whole database"):
        return GroupSession.objects.filter(idempotency_key=key).first()

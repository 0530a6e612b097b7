"""/api/v1/groups and /api/v1/group-sessions: the same services as the pages."""

import datetime
import uuid
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.masking import mask_phone
from shegong.core.records import resolve_refs
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import ServiceNode
from shegong.people.models import SocialWorker
from shegong.recipients.models import Recipient

from . import selectors, services
from .models import Frequency, Group, GroupKind, GroupMember, GroupSession, GroupStage

groups_router = Router(tags=["groups"])
sessions_router = Router(tags=["group-sessions"])

Day = Annotated[datetime.date, Strict(False)]
Kind = Literal[tuple(GroupKind.values)]  # type: ignore[valid-type]
Stage = Literal[tuple(GroupStage.values)]  # type: ignore[valid-type]
Rhythm = Literal[("", *Frequency.values)]  # type: ignore[valid-type]
ClockTime = Annotated[datetime.time, Strict(False)]


class ScheduleIn(StrictSchema):
    """When the group meets: ``meets`` "weekly" (每周) or "biweekly" (每两周), ``meets_weekday`` 0 (Monday) to 6,
    ``meets_at`` "14:30", ``meets_place`` optional. ``meets`` "" clears the schedule."""

    meets: Rhythm = ""
    meets_weekday: int | None = Field(None, ge=0, le=6)
    meets_at: ClockTime | None = None
    meets_place: str = Field("", max_length=120)


class GroupIn(ScheduleIn):
    node: int
    name: str = Field(min_length=1, max_length=80)
    kind: Kind
    purpose: str = Field(min_length=1, max_length=500)
    leader: int
    co_leaders: list[int] = Field(default_factory=list, max_length=20)
    planned_sessions: int = Field(6, ge=1, le=60)
    starts_on: Day


class MemberOut(Schema):
    id: int
    recipient: int | None
    name: str
    phone: str
    joined_on: datetime.date
    left_on: datetime.date | None


class NextSessionOut(Schema):
    number: int
    on: datetime.date
    missed: datetime.date | None


class GroupOut(Schema):
    id: int
    node: int
    name: str
    kind: str
    purpose: str
    leader: int
    co_leaders: list[int]
    stage: str
    planned_sessions: int
    starts_on: datetime.date
    ended_reason: str
    meets: str
    meets_weekday: int | None
    meets_at: str | None
    meets_place: str
    members: list[MemberOut] | None = None
    next_session: NextSessionOut | None = None


class GroupPage(Schema):
    count: int
    page: int
    pages: int
    results: list[GroupOut]


class GroupFilter(Schema):
    under: str = Field("", pattern=r"^(\d{12})?$")
    stage: Stage | None = None
    kind: Kind | None = None
    q: str = Field("", max_length=50)
    page: int = Field(1, ge=1, le=100000)


class StageIn(StrictSchema):
    to: Stage
    reason: str = Field("", max_length=200)


class MemberIn(StrictSchema):
    recipient: int | None = None
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    joined_on: Day | None = None


class LeaveIn(StrictSchema):
    left_on: Day | None = None


def _member_out(m: GroupMember) -> dict:
    return {
        "id": m.pk,
        "recipient": m.recipient_id,
        "name": m.display_name,
        "phone": mask_phone(m.resident_phone) if m.resident_phone else "",
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def _group_out(g: Group, members: bool = False) -> dict:
    out = {
        "id": g.pk,
        "node": g.node_id,
        "name": g.name,
        "kind": g.kind,
        "purpose": g.purpose,
        "leader": g.leader_id,
        "co_leaders": [w.pk for w in g.co_leaders.all()],
        "stage": g.stage,
        "planned_sessions": g.planned_sessions,
        "starts_on": g.starts_on,
        "ended_reason": g.ended_reason,
        "meets": g.meets,
        "meets_weekday": g.meets_weekday,
        "meets_at": g.meets_at.strftime("%H:%M") if g.meets_at else None,
        "meets_place": g.meets_place,
    }
    if members:
        out["members"] = [
            _member_out(m) for m in g.members.select_related("recipient").order_by("joined_on", "pk")
        ]
        upcoming = selectors.next_session_of(g)
        out["next_session"] = upcoming.__dict__ if upcoming else None
    return out


def _group(group_id: int) -> Group:
    return get_scoped_or_404(Group.objects.select_related("node"), pk=group_id)


@groups_router.get("", response={200: GroupPage, **STANDARD_ERRORS})
def list_groups(request, filters: Query[GroupFilter]):
    request.auth.require("groups.view")
    queryset = selectors.groups(
        under=filters.under, stage=filters.stage or "", kind=filters.kind or "", q=filters.q
    ).prefetch_related("co_leaders")
    return paginated(queryset, filters.page, _group_out)


@groups_router.post("", response={201: GroupOut, **STANDARD_ERRORS})
def create_group(request, payload: GroupIn):
    data = resolve_refs(
        payload.model_dump(exclude={"co_leaders"}), {"node": ServiceNode, "leader": SocialWorker}
    )
    co_leaders = [get_scoped_or_404(SocialWorker, pk=pk) for pk in payload.co_leaders]
    group = services.group_create(actor=request.auth, data=data, co_leaders=co_leaders)
    return 201, _group_out(group, members=True)


@groups_router.get("/{int:group_id}", response={200: GroupOut, **STANDARD_ERRORS})
def get_group(request, group_id: int):
    request.auth.require("groups.view")
    return _group_out(_group(group_id), members=True)


@groups_router.post("/{int:group_id}/stage", response={200: GroupOut, **STANDARD_ERRORS})
def advance_group(request, group_id: int, payload: StageIn):
    group = services.group_advance(
        actor=request.auth, group=_group(group_id), to=payload.to, reason=payload.reason
    )
    return _group_out(group, members=True)


@groups_router.put("/{int:group_id}/schedule", response={200: GroupOut, **STANDARD_ERRORS})
def set_group_schedule(request, group_id: int, payload: ScheduleIn):
    """Set when and where the group meets (or clear it with ``meets`` ""); a missing part is a 422 naming it."""
    group = services.group_schedule(actor=request.auth, group=_group(group_id), data=payload.model_dump())
    return _group_out(group, members=True)


@groups_router.post("/{int:group_id}/members", response={201: MemberOut, **STANDARD_ERRORS})
def add_group_member(request, group_id: int, payload: MemberIn):
    group = _group(group_id)
    recipient = get_scoped_or_404(Recipient, pk=payload.recipient) if payload.recipient is not None else None
    member = services.member_add(
        actor=request.auth,
        group=group,
        recipient=recipient,
        name=payload.name,
        phone=payload.phone,
        joined_on=payload.joined_on,
    )
    return 201, _member_out(member)


@groups_router.post(
    "/{int:group_id}/members/{int:member_id}/leave", response={200: MemberOut, **STANDARD_ERRORS}
)
def leave_group(request, group_id: int, member_id: int, payload: LeaveIn):
    member = get_scoped_or_404(
        GroupMember.objects.select_related("recipient"), pk=member_id, group_id=group_id
    )
    return _member_out(services.member_leave(actor=request.auth, member=member, left_on=payload.left_on))


# Sessions --------------------------------------------------------------------------------------------------------


class MeasureIn(StrictSchema):
    member: int
    pre: int | None = Field(None, ge=0, le=100)
    post: int | None = Field(None, ge=0, le=100)


class GroupSessionIn(StrictSchema):
    group: int
    idempotency_key: Annotated[uuid.UUID, Strict(False)]
    held_on: Day
    place: str = Field(min_length=1, max_length=120)
    content: str = Field(min_length=1, max_length=1000)
    observations: str = Field("", max_length=4000)
    present: list[int] = Field(default_factory=list, max_length=500)
    measures: list[MeasureIn] = Field(default_factory=list, max_length=500)
    # The project it was done under: needed only when the worker serves on several that day (one of them).
    project_id: int | None = None


class AttendanceOut(Schema):
    member: int
    present: bool
    pre: int | None
    post: int | None


class GroupSessionOut(Schema):
    id: int
    group: int
    number: int
    held_on: datetime.date
    place: str
    content: str
    observations: str
    idempotency_key: uuid.UUID
    attendance: list[AttendanceOut]
    created: bool = False


class GroupSessionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[GroupSessionOut]


class GroupSessionFilter(Schema):
    group: int | None = None
    page: int = Field(1, ge=1, le=100000)


def _session_out(s: GroupSession, created: bool = False) -> dict:
    return {
        "id": s.pk,
        "group": s.group_id,
        "number": s.number,
        "held_on": s.held_on,
        "place": s.place,
        "content": s.content,
        "observations": s.observations,
        "idempotency_key": s.idempotency_key,
        "attendance": [
            {"member": a.member_id, "present": a.present, "pre": a.pre_score, "post": a.post_score}
            for a in s.attendance.all()
        ],
        "created": created,
    }


@sessions_router.get("", response={200: GroupSessionPage, **STANDARD_ERRORS})
def list_group_sessions(request, filters: Query[GroupSessionFilter]):
    request.auth.require("groups.view")
    queryset = GroupSession.objects.prefetch_related("attendance").order_by("-held_on", "-pk")
    if filters.group is not None:
        queryset = queryset.filter(group_id=filters.group)
    return paginated(queryset, filters.page, _session_out)


@sessions_router.post("", response={201: GroupSessionOut, 200: GroupSessionOut, **STANDARD_ERRORS})
def record_group_session(request, payload: GroupSessionIn):
    """Record a session with its attendance. Resending the same idempotency_key returns the first (200)."""
    group = _group(payload.group)
    session, created = services.session_record(
        actor=request.auth,
        group=group,
        data=payload.model_dump(include={"held_on", "place", "content", "observations", "project_id"}),
        present=payload.present,
        measures={m.member: (m.pre, m.post) for m in payload.measures},
        idempotency_key=payload.idempotency_key,
    )
    return (201 if created else 200), _session_out(session, created)


@sessions_router.get("/{int:session_id}", response={200: GroupSessionOut, **STANDARD_ERRORS})
def get_group_session(request, session_id: int):
    request.auth.require("groups.view")
    return _session_out(get_scoped_or_404(GroupSession.objects.prefetch_related("attendance"), pk=session_id))


ROUTERS = [("/groups", groups_router), ("/group-sessions", sessions_router)]

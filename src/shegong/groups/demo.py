"""A year of group work for 渝中区: three groups per station, their members (mostly recipients of the township,
a few residents not in the registry), a weekly or fortnightly schedule (each station's first group meets on the
day the demo is loaded), sessions held on it with attendance and some pre/post scores — bulk inserted;
the counted figures are rebuilt from them after the demo loads (``core.demo``)."""

from __future__ import annotations

import datetime
import uuid

from .models import (
    STAGE_ORDER,
    Attendance,
    Frequency,
    Group,
    GroupKind,
    GroupMember,
    GroupSession,
    GroupStage,
)

GROUPS = [
    (GroupKind.SUPPORT, "独居长者互助小组", "减少独居长者的孤独感，建立邻里互助网络"),
    (GroupKind.GROWTH, "四点半课堂成长小组", "提升留守儿童学习习惯与自我效能感"),
    (GroupKind.EDUCATIONAL, "慢病自我管理小组", "帮助慢性病长者掌握用药与饮食管理"),
    (GroupKind.THERAPEUTIC, "照顾者减压小组", "缓解失能老人家庭照顾者的压力"),
    (GroupKind.SOCIAL, "楼栋邻里茶话小组", "增进楼栋居民交往，培育社区骨干"),
    (GroupKind.SUPPORT, "困境家庭家长支持小组", "增强困境儿童家长的养育信心"),
]
CONTENT = ["破冰与相互认识", "分享近况与困扰", "学习放松技巧", "情景演练", "制定个人小目标", "回顾与告别"]
MEETING_TIMES = [datetime.time(9, 30), datetime.time(14, 30), datetime.time(15, 0), datetime.time(19, 0)]
RESIDENTS = ["王秀英", "李桂兰", "陈建国", "刘淑华", "杨志强", "赵丽君"]


def load(ctx) -> None:
    from shegong.people.models import SocialWorker

    recipients = getattr(ctx, "demo_recipients", None)
    if not recipients:
        return
    rng, today = ctx.rng, ctx.today
    stations = [s for s in ctx.stations if s.region_id.startswith("500103")]
    by_township: dict[str, list] = {}
    for r in recipients:
        if r.status == "active":
            by_township.setdefault(r.region_code[:9], []).append(r)
    workers: dict[str, list] = {}
    for w in SocialWorker.objects.filter(region_code__startswith="500103").order_by("pk"):
        workers.setdefault(w.region_code[:9], []).append(w)
    for staff in workers.values():
        # A worker who can log in (the demo's 张晓) leads its station's first group, the one meeting today.
        staff.sort(key=lambda w: w.user_id is None)

    groups, plans = [], []
    for index, station in enumerate(stations):
        staff = workers.get(station.region_id[:9]) or []
        if not staff:
            continue
        for k in range(3):
            kind, name, purpose = GROUPS[(index + k) % len(GROUPS)]
            planned = rng.choice([6, 8, 8, 10])
            every = rng.choice([7, 7, 14])
            if k == 0:
                # Each station's first group meets today, whatever day the demo is loaded: it started a few
                # meetings ago on today's weekday and has held every meeting before today.
                starts_on = today - datetime.timedelta(days=every * rng.randint(1, 4))
                held = (today - starts_on).days // every
            else:
                starts_on = today - datetime.timedelta(days=rng.randint(10, 330))
                held = min(planned, (today - starts_on).days // every + 1)
            groups.append(
                Group(
                    node=station,
                    name=f"{station.region.name.removesuffix('街道')}{name}",
                    kind=kind,
                    purpose=purpose,
                    leader=staff[k % len(staff)],
                    planned_sessions=planned,
                    starts_on=starts_on,
                    stage=_stage(held, planned),
                    region_code=station.region_id,
                    # Meets on its start day's weekday, every week or every two weeks as its sessions were held.
                    meets=Frequency.WEEKLY if every == 7 else Frequency.BIWEEKLY,
                    meets_weekday=starts_on.weekday(),
                    meets_at=rng.choice(MEETING_TIMES),
                    meets_place=f"{station.name}小组活动室",
                )
            )
            plans.append((station, staff, starts_on, every, held))
    Group.objects.bulk_create(groups)
    Through = Group.co_leaders.through
    Through.objects.bulk_create(
        [
            Through(group_id=g.pk, socialworker_id=staff[(i + 1) % len(staff)].pk)
            for i, (g, (_s, staff, *_rest)) in enumerate(zip(groups, plans, strict=True))
            if len(staff) > 1
        ]
    )

    members: list[GroupMember] = []
    member_plan: list[list[GroupMember]] = []
    for group, (station, _staff, starts_on, _every, _held) in zip(groups, plans, strict=True):
        pool = by_township.get(station.region_id[:9], [])
        chosen = rng.sample(pool, min(len(pool), rng.randint(6, 10)))
        mine = [
            GroupMember(group=group, recipient=r, joined_on=starts_on, region_code=group.region_code)
            for r in chosen
        ]
        for name in rng.sample(RESIDENTS, rng.randint(0, 2)):
            mine.append(
                GroupMember(
                    group=group,
                    resident_name=name,
                    resident_phone=f"139{rng.randint(10000000, 99999999)}",
                    joined_on=starts_on,
                    region_code=group.region_code,
                )
            )
        members.extend(mine)
        member_plan.append(mine)
    GroupMember.objects.bulk_create(members, batch_size=1000)

    sessions: list[GroupSession] = []
    session_members: list[list[GroupMember]] = []
    for group, (station, _staff, starts_on, every, held), mine in zip(
        groups, plans, member_plan, strict=True
    ):
        for n in range(held):
            sessions.append(
                GroupSession(
                    group=group,
                    number=n + 1,
                    held_on=starts_on + datetime.timedelta(days=n * every),
                    place=rng.choice([f"{station.name}小组活动室", f"{station.name}多功能厅"]),
                    content=CONTENT[n % len(CONTENT)],
                    observations=rng.choice(["组员参与积极", "个别组员较沉默，需个别跟进", "氛围融洽", ""]),
                    idempotency_key=uuid.uuid4(),
                    region_code=group.region_code,
                )
            )
            session_members.append(mine)
    GroupSession.objects.bulk_create(sessions, batch_size=1000)

    attendance = []
    for session, mine in zip(sessions, session_members, strict=True):
        first, last = session.number == 1, session.number == session.group.planned_sessions
        for m in mine:
            attendance.append(
                Attendance(
                    session=session,
                    member=m,
                    present=rng.random() < 0.82,
                    pre_score=rng.randint(30, 70) if first else None,
                    post_score=rng.randint(55, 95) if last else None,
                    region_code=session.region_code,
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=2000)


def _stage(held: int, planned: int) -> str:
    """The stage a group has reached after ``held`` of ``planned`` sessions."""
    if held >= planned:
        return GroupStage.ENDED
    share = held / planned
    return STAGE_ORDER[1 + min(2, int(share * 3))] if held else GroupStage.PREPARING

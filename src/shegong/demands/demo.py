"""A year of demo requests for 渝中区, bulk-inserted: every channel and state (overdue, handed back, reopened),
with seasonal patterns the demand list shows (meals for the elderly climbing, temporary assistance around the Spring
Festival, water and power cuts in the summer, tutoring in term time), and the tallies recounted from them."""

from __future__ import annotations

import datetime
import math
import uuid
from zoneinfo import ZoneInfo

from shegong.core import projectlinks, tallies

from . import catalogue
from . import policy as rules
from .models import (
    Clock,
    DemandEvent,
    DemandRequest,
    EventKind,
    ReceiverKind,
    RequestChannel,
    Status,
)
from .services import new_tracking_code

TZ = ZoneInfo("Asia/Shanghai")
YEAR_REQUESTS = 3000
CHANNELS = [
    (RequestChannel.ONLINE, 40),
    (RequestChannel.PHONE, 24),
    (RequestChannel.WALK_IN, 14),
    (RequestChannel.VISIT, 10),
    (RequestChannel.VOLUNTEER, 5),
    (RequestChannel.GRID, 5),
    (RequestChannel.CASE, 2),
]
# Relative weight of each item, and its seasonal shape: month (1–12) → multiplier.
WEIGHTS = {
    "elderly.meals": 9,
    "elderly.escort": 6,
    "elderly.lonely": 5,
    "elderly.bath": 3,
    "elderly.alarm": 2,
    "assist.temp": 6,
    "assist.policy": 5,
    "assist.goods": 3,
    "assist.medical": 3,
    "governance.repair": 6,
    "governance.utility": 3,
    "governance.dispute": 4,
    "governance.hazard": 2,
    "governance.clean": 3,
    "mental.counsel": 4,
    "legal.advice": 4,
    "legal.labour": 3,
    "children.tutoring": 4,
    "children.leftbehind": 2,
    "disability.aids": 2,
    "affairs.guide": 4,
}
SEASON = {
    "assist.temp": {1: 2.2, 2: 2.5, 12: 1.6},
    "assist.goods": {1: 2.0, 2: 2.0, 12: 1.8},
    "governance.utility": {7: 2.6, 8: 2.8, 1: 1.5},
    "children.tutoring": {7: 0.3, 8: 0.3, 9: 1.6, 3: 1.4},
    "children.leftbehind": {7: 2.5, 8: 2.5},
    "legal.labour": {1: 2.2, 2: 1.6},
}
GROWING = {"elderly.meals": 1.2, "mental.counsel": 0.8}  # rises through the year: +120% / +80%
SATISFACTION = {"governance.utility": 3.4, "governance.repair": 3.8, "assist.temp": 4.0}
TEXTS = {
    "elderly.meals": ["老人腿脚不便，想订助餐送餐", "独居老人每天吃饭成问题", "老年食堂能不能送到家"],
    "elderly.escort": ["下周要去医院复查，需要有人陪同", "想请人陪老人去取药"],
    "elderly.lonely": ["楼上独居老人好几天没见出门", "希望有人常来看看我母亲"],
    "elderly.bath": ["老人洗澡困难，想申请助浴"],
    "elderly.alarm": ["老人摔倒了，家里没人"],
    "assist.temp": ["家里有人住院，生活费接不上", "突然失业，想申请临时救助"],
    "assist.policy": ["想问问低保怎么申请", "特困供养需要什么材料"],
    "assist.goods": ["天冷了，家里缺棉被", "想申请一些米油"],
    "assist.medical": ["大病住院，医药费报不了太多"],
    "governance.repair": ["楼道灯坏了很久", "小区健身器材坏了"],
    "governance.utility": ["整栋楼停水一天了", "停电了，冰箱里有药"],
    "governance.dispute": ["楼上漏水到我家，协商不下来", "邻居装修噪音太大"],
    "governance.hazard": ["楼道里有燃气味", "电线老化冒火花"],
    "governance.clean": ["垃圾堆在楼下没人清"],
    "mental.counsel": ["最近总是睡不着，心里烦", "退休以后情绪很低落"],
    "legal.advice": ["租房合同纠纷想咨询律师"],
    "legal.labour": ["老板拖欠三个月工资", "工伤认定不知道怎么办"],
    "children.tutoring": ["孩子作业没人辅导", "想报名四点半课堂"],
    "children.leftbehind": ["父母在外打工，孩子暑假没人管"],
    "disability.aids": ["想申请一辆轮椅"],
    "affairs.guide": ["想问问高龄津贴怎么办"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _at(day: datetime.date, rng) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 19), rng.randint(0, 59)), tzinfo=TZ)


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def load(ctx) -> None:
    from shegong.people.models import SocialWorker, VolunteerTeam

    if ctx.district is None or not ctx.villages:
        return
    rng, today = ctx.rng, ctx.today
    now = datetime.datetime.combine(today, datetime.time(11, 0), tzinfo=TZ)
    code = ctx.district.code
    items = [i for i in catalogue.items_for(code) if i.code in WEIGHTS]
    by_code = {i.code: i for i in items}
    policy = rules.policy_for(code)
    calendar = rules.calendar_for(code, policy)
    stations = list(ctx.stations) or []
    station_of = {s.region_code[:9]: s for s in stations}
    workers = list(
        SocialWorker.objects.filter(region_code__startswith=code[:6], user__isnull=False)[:5]
    ) + list(SocialWorker.objects.filter(region_code__startswith=code[:6])[:60])
    teams = list(VolunteerTeam.objects.filter(region_code__startswith=code[:6])[:30])
    agencies = list(ctx.agencies)
    demo_worker = getattr(ctx, "demo_worker", None)
    recipients = [r for r in (getattr(ctx, "demo_recipients", None) or [])][:800]
    start = today - datetime.timedelta(days=364)

    def weight(item_code: str, day: datetime.date) -> float:
        w = WEIGHTS[item_code] * SEASON.get(item_code, {}).get(day.month, 1.0)
        return w * (1 + GROWING.get(item_code, 0) * (day - start).days / 365)

    requests: list[DemandRequest] = []
    plans: list[list[tuple]] = []
    for n in range(YEAR_REQUESTS):
        # More requests in recent months (the platform is catching on), a weekly rhythm.
        day = start + datetime.timedelta(days=int(364 * math.sqrt(rng.random())))
        if day.weekday() >= 5 and rng.random() < 0.5:
            day -= datetime.timedelta(days=day.weekday() - 4)
        item = by_code[_weighted(rng, [(c, weight(c, day)) for c in WEIGHTS if c in by_code])]
        received = min(_at(day, rng), now - datetime.timedelta(minutes=30 + n % 90))
        channel = _weighted(rng, CHANNELS)
        recipient = (
            rng.choice(recipients)
            if channel in (RequestChannel.VISIT, RequestChannel.CASE) and recipients
            else None
        )
        if recipient is None and channel in (RequestChannel.VISIT, RequestChannel.CASE):
            channel = RequestChannel.PHONE
        village = recipient.region_id if recipient is not None else rng.choice(ctx.villages).code
        req = DemandRequest(
            tracking_code=new_tracking_code(),
            region_id=village,
            region_code=village,
            channel=channel,
            description=rng.choice(TEXTS.get(item.code, [item.description])),
            requester_name=(
                recipient.name
                if recipient
                else rng.choice(SURNAMES) + rng.choice(["阿姨", "先生", "女士", "大爷"])
            ),
            requester_phone=(
                recipient.phone if recipient else f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
            ),
            consent_contact=True,
            recipient=recipient,
            received_at=received,
            urgency=item.default_urgency,
            uid=uuid.uuid4(),
        )
        # A few repeat callers: the blind index links them.
        if requests and rng.random() < 0.06:
            req.requester_phone = rng.choice(requests[-50:]).requester_phone
        plans.append(
            _life(
                req,
                item,
                rng,
                now,
                calendar,
                policy,
                stations,
                station_of,
                workers,
                teams,
                agencies,
                demo_worker,
            )
        )
        requests.append(req)
    _one_just_accepted(requests, plans)
    DemandRequest.objects.bulk_create(requests, batch_size=1000)
    events = []
    for req, plan in zip(requests, plans, strict=True):
        for kind, at, note, params in plan:
            events.append(
                DemandEvent(
                    request=req,
                    kind=kind,
                    at=at,
                    note=note,
                    params=params,
                    region_code=req.region_code,
                    actor_name="demo"
                    if kind not in (EventKind.RECEIVED, EventKind.REMINDED, EventKind.ESCALATED)
                    else (
                        "public"
                        if req.channel == RequestChannel.ONLINE and kind == EventKind.RECEIVED
                        else "system"
                    ),
                    uid=uuid.uuid4(),
                )
            )
    DemandEvent.objects.bulk_create(events, batch_size=2000)
    _link_projects(requests)
    tallies.reconcile(fix=True, only=["demands.received", "demands.completed", "served.people"])


def _link_projects(requests) -> None:
    """Each resolved request counts for the project its worker served on the day it was resolved, as the resolve
    service chooses (core.projectlinks; the projects app answers when it is installed)."""
    found: dict[tuple[int, datetime.date], list] = {}
    linked: dict[int, list[int]] = {}
    for req in requests:
        if req.worker_id is None or req.resolved_at is None:
            continue
        day = req.resolved_at.astimezone(TZ).date()
        options = found.setdefault((req.worker_id, day), projectlinks.choices(req.worker_id, day))
        if len(options) == 1:
            linked.setdefault(options[0].id, []).append(req.pk)
    for project_id, pks in linked.items():
        DemandRequest.objects.filter(pk__in=pks).update(project_id=project_id)


def _one_just_accepted(requests, plans) -> None:
    """The desk shows every state: when chance left none accepted and not yet started, the latest request in
    progress is one accepted a moment ago (its start not yet recorded)."""
    if any(req.status == Status.ACCEPTED for req in requests):
        return
    for req, plan in sorted(
        zip(requests, plans, strict=True), key=lambda pair: pair[0].received_at, reverse=True
    ):
        if req.status == Status.IN_PROGRESS and not req.reopened:
            req.status = Status.ACCEPTED
            plan[:] = [event for event in plan if event[0] != EventKind.STARTED]
            return


def _receiver(req, item, rng, stations, station_of, workers, teams, agencies, demo_worker):
    allowed = list(item.receivers) or [ReceiverKind.STATION]
    if (
        demo_worker is not None
        and ReceiverKind.WORKER in allowed
        and req.region_code.startswith(demo_worker.region_code[:9])
        and rng.random() < 0.5
    ):
        return ReceiverKind.WORKER, demo_worker
    kind = rng.choice(allowed)
    if kind == ReceiverKind.WORKER and workers:
        return kind, rng.choice(workers)
    if kind == ReceiverKind.ORGANISATION and agencies:
        return kind, rng.choice(agencies)
    if kind == ReceiverKind.TEAM and teams:
        return kind, rng.choice(teams)
    station = station_of.get(req.region_code[:9]) or (rng.choice(stations) if stations else None)
    return ReceiverKind.STATION, station


def _assign(req, kind, receiver):
    req.receiver_kind = kind
    req.station = receiver if kind == ReceiverKind.STATION else None
    req.worker = receiver if kind == ReceiverKind.WORKER else None
    req.organisation = receiver if kind == ReceiverKind.ORGANISATION else None
    req.team = receiver if kind == ReceiverKind.TEAM else None


def _life(req, item, rng, now, calendar, policy, stations, station_of, workers, teams, agencies, demo_worker):
    """Walk one request through its states up to now; returns its events."""
    events = [(EventKind.RECEIVED, req.received_at, "", {"channel": req.channel})]
    age_days = (now - req.received_at).days
    fate = rng.random()
    if fate < 0.02 and age_days > 2:
        req.status = Status.CANCELLED
        events.append((EventKind.CANCELLED, req.received_at + datetime.timedelta(hours=2), "重复提交", {}))
        return events
    if age_days < 1 and fate < 0.6:
        return events  # still new at the desk
    req.item = item
    limits = rules.deadlines(policy, calendar, req.urgency, item)
    dispatched = calendar.add_working_minutes(req.received_at, rng.randint(10, 180))
    if dispatched > now:
        return events
    kind, receiver = _receiver(req, item, rng, stations, station_of, workers, teams, agencies, demo_worker)
    if receiver is None:
        return events
    _assign(req, kind, receiver)
    req.dispatched_at = dispatched
    req.accept_due_at = calendar.add_working_minutes(dispatched, limits.accept_minutes)
    req.resolve_clock = limits.resolve_clock
    req.resolve_due_at = calendar.add(limits.resolve_clock, dispatched, limits.resolve_minutes)
    events.append(
        (
            EventKind.DISPATCHED,
            dispatched,
            "",
            {"item": item.name, "receiver_kind": kind, "receiver": str(receiver)},
        )
    )
    # One in twelve is handed back once (not their area, not their expertise) and sent to a station.
    if rng.random() < 0.08:
        back = dispatched + datetime.timedelta(minutes=rng.randint(20, 200))
        if back > now:
            req.status = Status.DISPATCHED
            return events + _deadline_events(req, now, calendar, policy)
        req.returns = 1
        events.append(
            (EventKind.RETURNED, back, rng.choice(["不在本片区", "超出本机构服务范围", "需要专业律师"]), {})
        )
        if age_days < 3 and rng.random() < 0.5:
            req.status = Status.RETURNED
            _assign(req, "", None)
            req.accept_due_at = None
            return events
        station = station_of.get(req.region_code[:9]) or (stations[0] if stations else None)
        _assign(req, ReceiverKind.STATION, station)
        dispatched = back + datetime.timedelta(minutes=rng.randint(10, 90))
        req.dispatched_at = dispatched
        req.accept_due_at = calendar.add_working_minutes(dispatched, limits.accept_minutes)
        events.append(
            (
                EventKind.DISPATCHED,
                dispatched,
                "",
                {"item": item.name, "receiver_kind": "station", "receiver": str(station)},
            )
        )
    late_accept = rng.random() < 0.1
    accept_minutes = limits.accept_minutes * (
        rng.uniform(1.1, 2.5) if late_accept else rng.uniform(0.05, 0.9)
    )
    accepted = calendar.add_working_minutes(dispatched, int(accept_minutes))
    if accepted > now:
        req.status = Status.DISPATCHED
        return events + _deadline_events(req, now, calendar, policy)
    req.accepted_at, req.status = accepted, Status.ACCEPTED
    events.append((EventKind.ACCEPTED, accepted, "", {}))
    events.append((EventKind.STARTED, accepted + datetime.timedelta(minutes=30), "", {}))
    req.status = Status.IN_PROGRESS
    late = rng.random() < 0.12
    share = rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.9)
    span = calendar.between(req.resolve_clock, dispatched, req.resolve_due_at)
    resolved = calendar.add(req.resolve_clock, dispatched, int(span * share))
    if resolved > now:
        if rng.random() < 0.12:
            req.status = Status.WAITING
            paused = accepted + datetime.timedelta(hours=2)
            req.paused_minutes_left = calendar.between(req.resolve_clock, paused, req.resolve_due_at)
            events.append((EventKind.PAUSED, paused, "居民外出，约定下周上门", {}))
            return events
        return events + _deadline_events(req, now, calendar, policy)
    _resolve(req, resolved, events)
    rating_at = resolved + datetime.timedelta(hours=rng.randint(2, 72))
    if rating_at > now or rng.random() < 0.08:
        return events  # resolved, not rated yet
    mean = SATISFACTION.get(item.code, 4.4) - (0.8 if late else 0)
    rating = max(1, min(5, round(rng.gauss(mean, 0.8))))
    if rating <= 2 and rng.random() < 0.7:
        events.append((EventKind.RATED, rating_at, "还没有解决", {"rating": rating, "via": "tracking"}))
        events.append((EventKind.REOPENED, rating_at, "", {"rating": rating}))
        req.reopened = True
        req.resolved_at, req.resolved_on_time = None, None
        req.resolve_clock = limits.resolve_clock
        req.resolve_due_at = calendar.add(limits.resolve_clock, rating_at, limits.resolve_minutes)
        again = calendar.add(
            req.resolve_clock, rating_at, int(limits.resolve_minutes * rng.uniform(0.2, 0.8))
        )
        if again > now:
            req.status = Status.ACCEPTED
            return events + _deadline_events(req, now, calendar, policy)
        _resolve(req, again, events)
        rating_at = again + datetime.timedelta(hours=rng.randint(2, 48))
        if rating_at > now:
            return events
        rating = rng.choice([3, 4, 4, 5])
    req.status, req.rating = Status.CLOSED, rating
    events.append(
        (EventKind.RATED, rating_at, "", {"rating": rating, "via": rng.choice(["tracking", "callback"])})
    )
    return events


def _resolve(req, at, events):
    req.status, req.resolved_at = Status.RESOLVED, at
    req.resolved_on_time = at <= req.resolve_due_at
    req.resolution = "已上门服务并办结"
    if req.served_on is None:
        req.served_on = at.astimezone(TZ).date()
    events.append((EventKind.RESOLVED, at, req.resolution, {"on_time": req.resolved_on_time}))


def _deadline_events(req, now, calendar, policy) -> list[tuple]:
    """An open request's reminders and escalations up to now, and when its next check falls due."""
    events = []
    if req.status == Status.DISPATCHED:
        due, clock, stage = req.accept_due_at, Clock.WORKING, "accept"
    else:
        due, clock, stage = req.resolve_due_at, req.resolve_clock, "resolve"
    remind = rules.remind_at(calendar, policy, clock, due)
    if now >= remind:
        req.reminded_due = due
        if remind < due:
            events.append((EventKind.REMINDED, remind, "", {"stage": stage}))
    if now >= due:
        req.escalation = 1
        events.append((EventKind.ESCALATED, due, "", {"stage": stage, "level": 1}))
        district_at = due + datetime.timedelta(hours=policy.district_after_hours)
        if now >= district_at:
            req.escalation = 2
            events.append((EventKind.ESCALATED, district_at, "", {"stage": stage, "level": 2}))
            req.next_check_at = None
        else:
            req.next_check_at = district_at
    else:
        req.next_check_at = due if now >= remind else remind
    return events

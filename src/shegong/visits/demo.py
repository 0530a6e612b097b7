"""Twelve months of demo visits for the demo recipients, with their due dates, obligations and rollups built in bulk
(the same figures ``shegong visits reconcile`` would compute), and a realistic worklist for the demo worker."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

from shegong.recipients import care
from shegong.recipients.care import policy

from .models import FINDINGS, Visit, VisitMethod

TZ = ZoneInfo("Asia/Shanghai")
METHODS = (
    [VisitMethod.HOME] * 6
    + [VisitMethod.PHONE] * 3
    + [VisitMethod.VIDEO, VisitMethod.VOLUNTEER, VisitMethod.RELATIVES]
)
NEEDS = [
    "需要助餐服务",
    "燃气灶老化，建议更换",
    "希望有人陪同就医",
    "申请临时救助",
    "子女长期在外，情绪低落",
    "",
]


# A worker's day holds at most this many visits, each in its own slot: the demo's visits neither overlap nor pile up
# past what one person can do (the integrity checks find only the problems the demo plants on purpose).
SLOTS_PER_DAY = 8
SLOT_MINUTES = 50


def _at(day: datetime.date, slot: int, rng) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=TZ)
    return start + datetime.timedelta(minutes=slot * SLOT_MINUTES + rng.randint(0, 15))


def _free_day(booked, worker_id, wanted: datetime.date, first: datetime.date, latest: datetime.date):
    """The wanted day if the worker has a slot left, else the nearest day of the period that has; None if full."""
    span = (latest - first).days
    for step in range(span + 1):
        for day in (wanted + datetime.timedelta(days=step), wanted - datetime.timedelta(days=step)):
            if first <= day <= latest and booked[(worker_id, day)] < SLOTS_PER_DAY:
                return day
    return None


def load(ctx) -> None:
    from shegong.recipients.models import MajorEvent, Recipient

    recipients = getattr(ctx, "demo_recipients", None)
    if not recipients:
        return
    rng, today = ctx.rng, ctx.today
    months = policy.months_back(today, 12)
    start = months[0]
    visits: list[Visit] = []
    visit_days: dict[int, list[datetime.date]] = defaultdict(list)
    demo_worker = getattr(ctx, "demo_worker", None)
    booked: dict[tuple, int] = defaultdict(int)
    for recipient in recipients:
        if not recipient.frequency:
            continue
        # Compliance improves through the year: the trend line climbs from about 78% to about 93%.
        mine = demo_worker is not None and recipient.worker_id == demo_worker.pk
        day = start
        while day <= today:
            period_start, period_end = policy.period_of(recipient.frequency, day)
            progress = (period_start - start).days / 365
            chance = 0.78 + 0.15 * progress
            current = period_end >= today
            if current:
                chance = 0.45 if mine else 0.6
            if rng.random() < chance:
                latest = min(period_end, today - datetime.timedelta(days=1 if current else 0))
                first = max(period_start, start)
                if latest >= first:
                    wanted = first + datetime.timedelta(days=rng.randint(0, (latest - first).days))
                    visit_day = _free_day(booked, recipient.worker_id, wanted, first, latest)
                    if visit_day is None:
                        day = period_end + datetime.timedelta(days=1)
                        continue
                    slot = booked[(recipient.worker_id, visit_day)]
                    booked[(recipient.worker_id, visit_day)] += 1
                    visit_days[recipient.pk].append(visit_day)
                    issue = rng.random() < 0.12
                    findings = {k: "ok" for k, _label in FINDINGS}
                    if issue:
                        findings[rng.choice(FINDINGS)[0]] = "issue"
                    visits.append(
                        Visit(
                            recipient=recipient,
                            worker_id=recipient.worker_id,
                            visited_at=_at(visit_day, slot, rng),
                            method=rng.choice(METHODS),
                            findings=findings,
                            needs_found=rng.choice(NEEDS) if issue else "",
                            follow_up="已转介社区跟进" if issue else "",
                            idempotency_key=uuid.uuid4(),
                            region_code=recipient.region_code,
                        )
                    )
            day = period_end + datetime.timedelta(days=1)
    Visit.objects.bulk_create(visits, batch_size=2000)

    # A few recent major events for the demo worker: visits due within 24 hours (one already late).
    events = []
    now = datetime.datetime.now(tz=TZ)
    if demo_worker is not None:
        theirs = [r for r in recipients if r.worker_id == demo_worker.pk]
        for recipient, hours_ago in zip(theirs[:3], (30, 5, 2), strict=False):
            events.append(
                MajorEvent(
                    recipient=recipient,
                    occurred_at=now - datetime.timedelta(hours=hours_ago),
                    description=rng.choice(["老伴去世", "住院出院", "房屋漏水", "走失后寻回"]),
                    region_code=recipient.region_code,
                )
            )
    MajorEvent.objects.bulk_create(events)
    event_at = {e.recipient_id: e.occurred_at for e in events}

    # Due dates, exactly as the policy engine would set them.
    for recipient in recipients:
        days = sorted(visit_days.get(recipient.pk, []))
        last_day = days[-1] if days else None
        if recipient.frequency:
            recipient.next_due_on = policy.next_due(
                recipient.frequency, last_visit=last_day, registered_on=recipient.registered_on
            )
            if recipient.pk in event_at:
                recipient.event_due_at = event_at[recipient.pk] + datetime.timedelta(
                    hours=policy.DEFAULT_EVENT_HOURS
                )
                recipient.next_due_on = min(
                    recipient.next_due_on, recipient.event_due_at.astimezone(TZ).date()
                )
    # last_visit_at must match the stored visit times: take them from the visits themselves.
    latest: dict[int, datetime.datetime] = {}
    for visit in visits:
        if visit.recipient_id not in latest or visit.visited_at > latest[visit.recipient_id]:
            latest[visit.recipient_id] = visit.visited_at
    for recipient in recipients:
        recipient.last_visit_at = latest.get(recipient.pk)
    Recipient.objects.bulk_update(
        recipients, ["last_visit_at", "next_due_on", "event_due_at"], batch_size=1000
    )

    # Obligations (the monthly visit rate's denominator) and the rollups, as reconcile would build them.
    care.backfill(recipients, visit_days, months, today=today)

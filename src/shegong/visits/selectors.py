"""Reads on visits: a recipient's visits, the worker's and the station's worklists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from shegong.recipients.selectors import Event, visit_summary

from .models import Visit, VisitMethod


@dataclass
class WorkItem:
    recipient: object
    due_on: datetime.date
    days_late: int
    event_due_at: datetime.datetime | None
    escalated: bool


@dataclass
class Worklist:
    overdue: list[WorkItem] = field(default_factory=list)
    today: list[WorkItem] = field(default_factory=list)
    week: list[WorkItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)


HIGH_RISK = 1


def is_escalated(recipient, today: datetime.date, now: datetime.datetime) -> bool:
    """A high-risk recipient overdue for its visit (routine or after an event) goes up to the station head."""
    return recipient.risk_tier == HIGH_RISK and (_late(recipient, today) > 0 or _event_late(recipient, now))


def _late(recipient, today: datetime.date) -> int:
    return (today - recipient.next_due_on).days if recipient.next_due_on else 0


def _event_late(recipient, now: datetime.datetime) -> bool:
    return recipient.event_due_at is not None and recipient.event_due_at < now


def _work_items(queryset, today: datetime.date, now: datetime.datetime) -> Worklist:
    result = Worklist()
    for recipient in queryset:
        late = (today - recipient.next_due_on).days
        event_late = _event_late(recipient, now)
        item = WorkItem(
            recipient,
            recipient.next_due_on,
            max(late, 0),
            recipient.event_due_at,
            escalated=is_escalated(recipient, today, now),
        )
        if late > 0 or event_late:
            result.overdue.append(item)
        elif late == 0:
            result.today.append(item)
        else:
            result.week.append(item)
    # Risk first, then the most overdue.
    for bucket in (result.overdue, result.today, result.week):
        bucket.sort(key=lambda i: (i.recipient.risk_tier, i.due_on, i.recipient.pk))
    return result


def worklist(
    *,
    worker_id: int | None = None,
    station_id: int | None = None,
    today: datetime.date | None = None,
    overdue_only: bool = False,
    limit: int = 500,
) -> Worklist:
    """A worker's worklist (or a station's): overdue, due today, due by Sunday, ordered by risk and lateness."""
    from shegong.recipients.models import Recipient, RecipientStatus

    today = today or timezone.localdate()
    now = timezone.now()
    horizon = today if overdue_only else today + datetime.timedelta(days=6 - today.weekday())
    queryset = Recipient.objects.filter(status=RecipientStatus.ACTIVE, next_due_on__lte=horizon)
    if worker_id is not None:
        queryset = queryset.filter(worker_id=worker_id)
    if station_id is not None:
        queryset = queryset.filter(station_id=station_id)
    queryset = (
        queryset.select_related("region", "worker")
        .only(
            "pk",
            "name",
            "risk_tier",
            "next_due_on",
            "event_due_at",
            "last_visit_at",
            "frequency",
            "address",
            "region__name",
            "region__code",
            "worker__name",
            "region_code",
            "worker_id",
            "station_id",
            "status",
        )
        .order_by("risk_tier", "next_due_on", "pk")[:limit]
    )
    result = _work_items(queryset, today, now)
    if overdue_only:
        result.today, result.week = [], []
    return result


def escalations(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> list:
    """Every active high-risk recipient whose visit is overdue (the worklist's "已上报站长"), in the active scope."""
    from django.db.models import Q

    from shegong.recipients.models import Recipient, RecipientStatus

    today = today or timezone.localdate()
    now = now or timezone.now()
    queryset = (
        Recipient.objects.filter(status=RecipientStatus.ACTIVE, risk_tier=HIGH_RISK)
        .filter(Q(next_due_on__lt=today) | Q(event_due_at__lt=now))
        .select_related("region")
        .only(
            "pk", "name", "risk_tier", "next_due_on", "event_due_at", "region_code", "region__name", "status"
        )
        .order_by("pk")
    )
    return [r for r in queryset if is_escalated(r, today, now)]


def visits_of(recipient, limit: int = 50):
    return Visit.objects.filter(recipient=recipient).select_related("worker").order_by("-visited_at")[:limit]


def timeline_events(recipient, limit: int):
    """The recipient's visits as timeline events (registered on ``recipients.selectors.TIMELINE_SOURCES``)."""
    return [
        Event(
            visit.visited_at,
            "visit",
            visit_summary(VisitMethod(visit.method).label, visit.issues),
            visit.worker.name if visit.worker else "",
            visit,
        )
        for visit in visits_of(recipient, limit)
    ]

"""Reads on visits: a recipient's visits, the worker's and the station's worklists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from shegong.core.hooks import Hook
from shegong.core.params import as_int
from shegong.recipients.selectors import Event, visit_summary
from shegong.regions.selectors import region_subtree_q

from .models import Visit, VisitMethod


@dataclass
class ExtraItem:
    """Something else overdue on a worker's "today" list besides visits (a case step), contributed by a higher app."""

    kind: str
    title: str
    detail: str
    url: str
    days_late: int
    worker_name: str = ""


# Higher apps add their overdue steps to the worklists: ``contributor(worker_id=…, station_id=…, under=…, today=…)``
# returns a list of ``ExtraItem`` (one of the ids or ``under`` is set; ``under`` "" means the actor's whole scope).
WORKLIST_EXTRAS = Hook("worklist extras")


def worklist_extras(*, worker_id=None, station_id=None, under: str = "", today=None) -> list[ExtraItem]:
    items = [
        item
        for contributed in WORKLIST_EXTRAS.results(
            worker_id=worker_id, station_id=station_id, under=under, today=today
        )
        for item in contributed
    ]
    items.sort(key=lambda i: -i.days_late)
    return items


@dataclass
class WorkItem:
    """One recipient on a worklist.

    ``days_late``: days past the ordinary due date (0 when not late, or when the only date passed is the event's);
    ``hours_late``: hours past a major event's 24-hour deadline (None when there is none or it has not passed);
    ``event_due_at``: a major event's deadline, passed or not. Both facts are shown when both apply.
    """

    recipient: object
    due_on: datetime.date
    days_late: int
    event_due_at: datetime.datetime | None
    escalated: bool
    hours_late: int | None = None

    @property
    def event_passed(self) -> bool:
        return self.hours_late is not None

    @property
    def event_pending(self) -> bool:
        return self.event_due_at is not None and self.hours_late is None

    @property
    def urgency(self) -> tuple:
        """Most urgent first: passed event deadlines (longest passed first), then high-risk overdue, then by
        lateness (risk breaking ties)."""
        if self.event_passed:
            return (0, self.event_due_at, 0, self.recipient.pk)
        if self.recipient.risk_tier == 1:
            return (1, -self.days_late, 0, self.recipient.pk)
        return (2, -self.days_late, self.recipient.risk_tier, self.recipient.pk)


@dataclass
class Worklist:
    overdue: list[WorkItem] = field(default_factory=list)
    today: list[WorkItem] = field(default_factory=list)
    week: list[WorkItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)


def work_item(recipient, today: datetime.date, now: datetime.datetime) -> WorkItem:
    """The recipient's lateness: ordinary (days past its due date) and event (hours past the deadline).

    ``next_due_on`` is the earlier of the ordinary due date and the event deadline's date, so the ordinary date
    has passed only when ``next_due_on`` is before the deadline's date (or there is no event).
    """
    event_at = recipient.event_due_at
    due_on = recipient.next_due_on
    hours_late = None
    ordinary_late = (today - due_on).days
    if event_at is not None:
        event_day = timezone.localtime(event_at).date()
        if due_on >= event_day:  # the due date is the event's: no ordinary lateness of its own
            ordinary_late = 0
        if event_at < now:
            hours_late = max(1, int((now - event_at).total_seconds() // 3600))
    days_late = max(ordinary_late, 0)
    return WorkItem(
        recipient,
        due_on,
        days_late,
        event_at,
        escalated=recipient.risk_tier == 1 and (days_late > 0 or hours_late is not None),
        hours_late=hours_late,
    )


HIGH_RISK = 1


def is_escalated(recipient, today: datetime.date, now: datetime.datetime) -> bool:
    """A high-risk recipient overdue for its visit (routine or after an event) goes up to the station head."""
    return work_item(recipient, today, now).escalated


def _work_items(queryset, today: datetime.date, now: datetime.datetime) -> Worklist:
    result = Worklist()
    for recipient in queryset:
        item = work_item(recipient, today, now)
        if item.days_late > 0 or item.event_passed:
            result.overdue.append(item)
        elif item.event_pending:
            # A deadline still ahead: under the day it falls on (today, or this week).
            event_day = timezone.localtime(item.event_due_at).date()
            (result.today if event_day <= today else result.week).append(item)
        elif item.due_on <= today:
            result.today.append(item)
        else:
            result.week.append(item)
    result.overdue.sort(key=lambda i: i.urgency)
    for bucket in (result.today, result.week):
        bucket.sort(
            key=lambda i: (
                0 if i.event_pending else 1,
                i.event_due_at.timestamp() if i.event_pending else 0,
                i.recipient.risk_tier,
                i.due_on,
                i.recipient.pk,
            )
        )
    return result


WORK_FIELDS = (
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
# Passed event deadlines first, so a long list's cut never drops them; then risk and due date.
URGENT_ORDER = (F("event_due_at").asc(nulls_last=True), "risk_tier", "next_due_on", "pk")


@dataclass(frozen=True, slots=True)
class Named:
    """A region or worker as a worklist names it (``.name``), shared by the rows that name the same one."""

    pk: object
    name: str

    @property
    def code(self) -> object:
        return self.pk


@dataclass(slots=True, eq=False)
class WorkRecipient:
    """A recipient as a worklist shows it: the columns it reads, as a plain object (building 500 model instances
    and their region and worker was most of the worklist's time). ``region`` and ``worker`` are ``Named``s shared
    by the rows; ``pk`` links to the recipient's pages."""

    pk: int
    name: str
    risk_tier: int
    next_due_on: datetime.date
    event_due_at: datetime.datetime | None
    last_visit_at: datetime.datetime | None
    address: str
    region_code: str
    worker_id: int | None
    region: Named | None = None
    worker: Named | None = None

    @property
    def id(self) -> int:
        return self.pk

    @property
    def region_id(self) -> str:
        return self.region_code

    def get_risk_tier_display(self) -> str:
        from shegong.recipients.models import RiskTier

        return str(RiskTier(self.risk_tier).label)

    def __str__(self) -> str:
        return self.name


WORKLIST_COLUMNS = (
    "pk",
    "name",
    "risk_tier",
    "next_due_on",
    "event_due_at",
    "last_visit_at",
    "address",
    "region_code",
    "worker_id",
    "region_name",
    "worker_name",
)


def _work_recipients(queryset) -> list[WorkRecipient]:
    """The rows as ``WorkRecipient``s, in one query: the village's and worker's names are scalar subqueries, which
    PostgreSQL evaluates for the rows kept after the sort and limit only (a join made it hash the whole region
    table for every worklist; a query per kind cost a round trip each, which under load was most of the time)."""
    from django.db.models import OuterRef, Subquery

    from shegong.core.scoping import across_regions
    from shegong.people.models import SocialWorker
    from shegong.regions.models import Region

    # As the joined row did: the responsible worker of a recipient the actor sees is named, wherever filed.
    with across_regions("a worklist names the responsible worker of each recipient the actor sees"):
        worker_name = Subquery(
            SocialWorker.objects.filter(pk=OuterRef("worker_id")).order_by().values("name")[:1]
        )
    queryset = queryset.annotate(
        region_name=Subquery(Region.objects.filter(code=OuterRef("region_code")).values("name")[:1]),
        worker_name=worker_name,
    )
    regions: dict[str, Named] = {}
    workers: dict[int, Named] = {}
    rows = []
    for *values, region_name, worker_name in queryset.values_list(*WORKLIST_COLUMNS):
        row = WorkRecipient(*values)
        region = regions.get(row.region_code)
        if region is None and region_name is not None:
            region = regions[row.region_code] = Named(row.region_code, region_name)
        row.region = region
        if row.worker_id is not None:
            worker = workers.get(row.worker_id)
            if worker is None:
                worker = workers[row.worker_id] = Named(row.worker_id, worker_name)
            row.worker = worker
        rows.append(row)
    return rows


def worklist(
    *,
    worker_id: int | None = None,
    station_id: int | None = None,
    today: datetime.date | None = None,
    overdue_only: bool = False,
    limit: int = 500,
) -> Worklist:
    """A worker's worklist (or a station's): overdue, due today, due by Sunday, the most urgent first."""
    from shegong.recipients.models import Recipient, RecipientStatus

    today = today or timezone.localdate()
    now = timezone.now()
    horizon = today if overdue_only else today + datetime.timedelta(days=6 - today.weekday())
    queryset = Recipient.objects.filter(status=RecipientStatus.ACTIVE, next_due_on__lte=horizon)
    if worker_id is not None:
        queryset = queryset.filter(worker_id=worker_id)
    if station_id is not None:
        queryset = queryset.filter(station_id=station_id)
    result = _work_items(_work_recipients(queryset.order_by(*URGENT_ORDER)[:limit]), today, now)
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


OVERDUE_FILTERS = ("under", "worker", "risk", "escalated")


def overdue_recipients(
    *, under: str = "", worker: str = "", risk: str = "", escalated: str = "", now=None
) -> QuerySet:
    """Every active recipient in the actor's scope whose visit is overdue (its due date, or a major event's
    deadline, has passed), the most urgent first: passed event deadlines, then high risk, then the longest late.
    ``escalated`` keeps the high-risk ones, those escalated to the station head."""
    from shegong.recipients.models import Recipient, RecipientStatus, RiskTier

    now = now or timezone.now()
    today = timezone.localdate(now)
    queryset = Recipient.objects.filter(
        Q(next_due_on__lt=today) | Q(event_due_at__lt=now), status=RecipientStatus.ACTIVE
    )
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    if (worker_id := as_int(worker)) is not None:
        queryset = queryset.filter(worker_id=worker_id)
    if escalated:
        queryset = queryset.filter(risk_tier=RiskTier.HIGH)
    elif (tier := as_int(risk, max_value=100)) is not None:
        queryset = queryset.filter(risk_tier=tier)
    return (
        queryset.select_related("region", "worker")
        .only(*WORK_FIELDS)
        .order_by(
            Case(When(event_due_at__lt=now, then=0), When(risk_tier=RiskTier.HIGH, then=1), default=2),
            "event_due_at",
            "next_due_on",
            "risk_tier",
            "pk",
        )
    )


def work_items(recipients, now=None) -> list[WorkItem]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return [work_item(r, today, now) for r in recipients]


def overdue_counts(under: str = "") -> dict[str, int]:
    """How many recipients under ``under`` are overdue, and how many of them are escalated (high risk)."""
    from shegong.recipients.models import RiskTier

    return (
        overdue_recipients(under=under)
        .order_by()
        .aggregate(overdue=Count("pk"), escalated=Count("pk", filter=Q(risk_tier=RiskTier.HIGH)))
    )


def visits_of(recipient, limit: int = 50):
    return Visit.objects.filter(recipient=recipient).select_related("worker").order_by("-visited_at")[:limit]


# Other work that waits for the worker beside its visits (requests dispatched to it, case steps): a higher app
# registers ``contributor(actor, worker, station=None) -> list[WorkSection]``; the worklist page shows each section
# after its own. ``worker`` is the actor's own worker record; without one (a station head) it is None and
# ``station`` is the station whose list is shown (None when there is none).
WORKLIST_SECTIONS = Hook("worklist sections")


# Buttons a higher app puts on a visit's page (turn the need found into a request): a contributor
# ``f(request, visit) -> list[VisitAction]``; visits never imports it.
VISIT_ACTIONS = Hook("visit page actions")


@dataclass
class VisitAction:
    label: str
    url: str
    method: str = "post"  # "post": a button in a form with the CSRF token; "get": a link


@dataclass
class WorkSection:
    key: str
    title: str
    link: str
    rows: list  # of (title, detail, url, overdue: bool)


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


def served_members():
    """Every visit as a person served (``core.tallies`` "served.people"): (region, day, "recipient:<id>")."""
    rows = Visit.objects.values_list("region_code", "visited_at", "recipient_id").iterator(chunk_size=5000)
    return ((code, at, f"recipient:{rid}") for code, at, rid in rows)

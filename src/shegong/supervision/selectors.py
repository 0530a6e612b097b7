"""Reads on supervision, training and the resource libraries: lists, what is due, hours against the requirement,
the counted figures (``core.tallies``) and the worker-page section."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone

from shegong.core import tallies
from shegong.core.params import as_int
from shegong.people.models import SocialWorker, SupervisionAssignment, WorkerAssignment, WorkerStatus
from shegong.people.selectors import active_supervisions
from shegong.regions.selectors import policies_for

from .models import Course, Enrolment, Expert, Question, ReferenceProject, SupervisionSession

SESSIONS = "supervision.sessions"
ATTENDANCES = "training.attendances"
# Case reviews count as supervision work (issue 17): the plan and closing decisions, a metric the cases app keeps.
CASE_DECISIONS = "cases.decisions"


def _sessions_recount() -> dict:
    rows = (
        SupervisionSession.objects.annotate(month=TruncMonth("held_on"))
        .values("region_code", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["region_code"], tallies.month_of(r["month"])): r["n"] for r in rows}


def _attendances_recount() -> dict:
    rows = (
        Enrolment.objects.filter(attended=True)
        .annotate(month=TruncMonth("course__starts_on"))
        .values("region_code", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["region_code"], tallies.month_of(r["month"])): r["n"] for r in rows}


METRICS = [
    tallies.Metric(SESSIONS, "督导次数", recount=_sessions_recount),
    tallies.Metric(ATTENDANCES, "培训出勤人次", recount=_attendances_recount),
]


# Sessions ---------------------------------------------------------------------------------------------------------


def sessions(*, supervisor: str = "", node: str = "", month: str = "", unconfirmed: bool = False) -> QuerySet:
    queryset = SupervisionSession.objects.select_related("supervisor", "node", "assignment").prefetch_related(
        "topics"
    )
    if (supervisor_id := as_int(supervisor)) is not None:
        queryset = queryset.filter(supervisor_id=supervisor_id)
    if (node_id := as_int(node)) is not None:
        queryset = queryset.filter(node_id=node_id)
    if month:
        try:
            first = datetime.date.fromisoformat(f"{month}-01")
        except ValueError:
            first = None  # an impossible month filters nothing
        if first and first.year < 2000:
            first = None
        if first:
            queryset = queryset.filter(
                held_on__gte=first, held_on__lt=(first + datetime.timedelta(days=32)).replace(day=1)
            )
    if unconfirmed:
        queryset = queryset.filter(attendance__confirmed_at__isnull=True).distinct()
    return queryset.annotate(
        attendee_count=Count("attendance", distinct=True),
        confirmed_count=Count("attendance", filter=Q(attendance__confirmed_at__isnull=False), distinct=True),
    ).order_by("-held_on", "-id")


def monthly_counts(codes: list[str], *, months: int = 12, today: datetime.date | None = None) -> list[dict]:
    """Sessions per month over the last ``months`` months in the actor's regions, from the counted figures."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    table = tallies.by_month(codes, [SESSIONS, ATTENDANCES, CASE_DECISIONS], since=first, until=today)
    return [
        {
            "month": month.strftime("%Y-%m"),
            "sessions": int(values[SESSIONS]),
            "attendances": int(values[ATTENDANCES]),
            "case_decisions": int(values[CASE_DECISIONS]),
        }
        for month, values in table.items()
    ]


def monthly_counts_seen(*, months: int = 12, today: datetime.date | None = None) -> list[dict]:
    """The same figures as ``monthly_counts``, counted from the records the actor sees: for a reader bound by a
    relationship (a supervisor sees its own sessions and the decisions on its supervisees' cases), whose area's
    counted figures are whole regions' and not its to read."""
    from shegong.cases.selectors import decided_approvals

    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)

    def per_month(queryset, day: str, at: str = "") -> dict[str, int]:
        rows = (
            queryset.filter(**{f"{day}__gte": first, f"{day}__lte": today})
            .annotate(month=TruncMonth(at or day))
            .values("month")
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        return {tallies.month_of(r["month"]).strftime("%Y-%m"): r["n"] for r in rows}

    sessions_by = per_month(SupervisionSession.objects.all(), "held_on")
    attendances_by = per_month(Enrolment.objects.filter(attended=True), "course__starts_on")
    decisions_by = per_month(decided_approvals(since=first), "decided_at__date", "decided_at")
    out, month = [], first
    while month <= today:
        key = month.strftime("%Y-%m")
        out.append(
            {
                "month": key,
                "sessions": sessions_by.get(key, 0),
                "attendances": attendances_by.get(key, 0),
                "case_decisions": decisions_by.get(key, 0),
            }
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def by_supervisor_month(queryset: QuerySet, *, since: datetime.date) -> list[dict]:
    """Sessions and case decisions (plans and closings approved or returned, ``cases.selectors``) per supervisor
    and month (the rows the actor sees)."""
    from shegong.cases.selectors import decided_approvals

    rows = (
        queryset.filter(held_on__gte=since)
        .annotate(month=TruncMonth("held_on"))
        .values("supervisor_id", "supervisor__name", "month")
        .annotate(n=Count("id", distinct=True))
        .order_by("supervisor__name", "month")
    )
    table: dict[tuple[int, str], dict] = {}

    def entry_of(pk: int, name: str) -> dict:
        return table.setdefault(
            (pk, name), {"name": name, "months": {}, "total": 0, "decisions": {}, "decision_total": 0}
        )

    for r in rows:
        entry = entry_of(r["supervisor_id"], r["supervisor__name"])
        entry["months"][tallies.month_of(r["month"]).strftime("%Y-%m")] = r["n"]
        entry["total"] += r["n"]
    profile = "decided_by__supervisor_profile"
    decisions = (
        decided_approvals(since=since)
        .filter(**{f"{profile}__isnull": False})
        .annotate(month=TruncMonth("decided_at"))
        .values(f"{profile}__id", f"{profile}__name", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in decisions:
        entry = entry_of(r[f"{profile}__id"], r[f"{profile}__name"])
        entry["decisions"][tallies.month_of(r["month"]).strftime("%Y-%m")] = r["n"]
        entry["decision_total"] += r["n"]
    return sorted(table.values(), key=lambda e: e["name"])


# What is due ------------------------------------------------------------------------------------------------------


@dataclass
class Due:
    assignment: SupervisionAssignment
    last: datetime.date | None
    due_on: datetime.date
    interval: int
    today: datetime.date

    @property
    def days_late(self) -> int:
        return (self.today - self.due_on).days

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def due(*, supervisor_user=None, today: datetime.date | None = None, overdue_only: bool = False) -> list[Due]:
    """Every supervision relationship in force (the actor's own when ``supervisor_user``), with its last session and
    the date the next one is due: one every ``supervision_interval_days`` (local policy, default monthly)."""
    today = today or timezone.localdate()
    queryset = active_supervisions(today).select_related("supervisor", "worker", "node")
    if supervisor_user is not None:
        queryset = queryset.filter(supervisor__user_id=supervisor_user.pk)
    rows = list(queryset.annotate(last=Max("sessions__held_on")).order_by("region_code", "id"))
    policies = policies_for(sorted({r.region_code for r in rows}))
    found = []
    for row in rows:
        interval = policies[row.region_code].supervision_interval_days
        start = row.last or row.start_date
        item = Due(row, row.last, start + datetime.timedelta(days=interval), interval, today)
        if not overdue_only or item.overdue:
            found.append(item)
    found.sort(key=lambda d: (not d.overdue, d.due_on))
    return found


# Training ---------------------------------------------------------------------------------------------------------


def courses(*, kind: str = "", year: str = "", q: str = "") -> QuerySet[Course]:
    queryset = Course.objects.annotate(
        enrolled=Count("enrolments", distinct=True),
        attended=Count("enrolments", filter=Q(enrolments__attended=True), distinct=True),
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if 2000 <= (as_int(year) or 0) <= 2100:
        queryset = queryset.filter(starts_on__year=int(year))
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(organiser__icontains=q))
    return queryset.order_by("-starts_on", "-id")


@dataclass
class Hours:
    worker: SocialWorker
    hours: Decimal
    required: int
    station: str

    @property
    def short(self) -> Decimal:
        return max(Decimal(self.required) - self.hours, Decimal(0))


def training_hours(year: int, *, short_only: bool = False, worker_ids=None) -> list[Hours]:
    """Each worker in post: the continuing-education hours credited in ``year`` against the hours its region
    requires (local policy ``training_hours_per_year``); ``short_only`` keeps those short of them."""
    on = min(timezone.localdate(), datetime.date(year, 12, 31))
    workers = SocialWorker.objects.filter(status__in=[WorkerStatus.ACTIVE, WorkerStatus.LEAVING])
    if worker_ids is not None:
        workers = workers.filter(pk__in=worker_ids)
    workers = list(
        workers.annotate(
            credited=Sum(
                "enrolments__hours",
                filter=Q(enrolments__attended=True, enrolments__course__starts_on__year=year),
            )
        ).order_by("region_code", "name")
    )
    stations = dict(
        WorkerAssignment.objects.filter(WorkerAssignment.in_post(on), worker_id__in=[w.pk for w in workers])
        .order_by("-full_time", "start_date")
        .values_list("worker_id", "node__name")
    )
    policies = policies_for(sorted({w.region_code for w in workers}))
    rows = [
        Hours(
            w,
            w.credited or Decimal(0),
            policies[w.region_code].training_hours_per_year,
            stations.get(w.pk, ""),
        )
        for w in workers
    ]
    if short_only:
        rows = [r for r in rows if r.short > 0]
    return rows


def attendance_rows(course: Course) -> QuerySet[Enrolment]:
    return course.enrolments.select_related("worker", "worker__employer").order_by("worker__name", "id")


def course_counts_by_region(year: int) -> dict[str, int]:
    rows = (
        Enrolment.objects.filter(attended=True, course__starts_on__year=year)
        .values("region_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["region_code"]] += r["n"]
    return dict(counts)


# Resource libraries -----------------------------------------------------------------------------------------------

RESOURCE_KINDS = {"question": Question, "expert": Expert, "project": ReferenceProject}


def search_resources(q: str = "", kind: str = "", limit: int = 50) -> dict[str, list]:
    """Entries of each library whose words contain ``q`` (any run of characters: a two-character Chinese query
    finds every entry containing it, on SQLite and PostgreSQL alike; see ``models.Searchable``)."""
    q = (q or "").strip()
    out = {}
    for name, model in RESOURCE_KINDS.items():
        if kind and kind != name:
            continue
        queryset = model.objects.all()
        for word in q.split():
            queryset = queryset.filter(search_text__icontains=word)
        if name == "question":
            queryset = queryset.select_related("answered_by")
        out[name] = list(queryset.order_by("-id")[:limit])
    return out


# The worker page ---------------------------------------------------------------------------------------------------


def worker_section(request, worker: SocialWorker) -> str:
    """Training history and supervision received, on the worker's page (``people.selectors.WORKER_SECTIONS``)."""
    if not request.actor.can("training.view", worker.region_code):
        return ""
    year = timezone.localdate().year
    enrolments = list(
        Enrolment.objects.filter(worker=worker).select_related("course").order_by("-course__starts_on")[:30]
    )
    hours = training_hours(year, worker_ids=[worker.pk])
    received = list(
        SupervisionSession.objects.filter(attendance__worker=worker)
        .select_related("supervisor")
        .order_by("-held_on")[:10]
    )
    return render_to_string(
        "supervision/_worker_section.html",
        {"enrolments": enrolments, "hours": hours[0] if hours else None, "year": year, "sessions": received},
        request=request,
    )


def by_station(codes: list[str], *, since: datetime.date, until: datetime.date) -> list[dict]:
    """Sessions and training attendances per child region under the actor's regions, from the counted figures: a
    district official sees one row per township (each township's station), a station head its own township."""
    from shegong.core.grouping import child_prefix_length
    from shegong.regions.models import Region

    names = [SESSIONS, ATTENDANCES, CASE_DECISIONS]
    rows = []
    for root in Region.objects.filter(code__in=codes).order_by("code"):
        if root.level >= 4:
            figures = tallies.totals([root.code], names, since=since, until=until)
            rows.append(
                {
                    "name": root.name,
                    "sessions": int(figures[SESSIONS]),
                    "attendances": int(figures[ATTENDANCES]),
                    "case_decisions": int(figures[CASE_DECISIONS]),
                }
            )
            continue
        table = tallies.by_child(root.code, root.level, names, since=since, until=until)
        length = child_prefix_length(root.level)
        for child in Region.objects.filter(parent_id=root.code).order_by("code"):
            figures = table.get(child.code[:length])
            if figures:
                rows.append(
                    {
                        "name": child.name,
                        "sessions": int(figures[SESSIONS]),
                        "attendances": int(figures[ATTENDANCES]),
                        "case_decisions": int(figures[CASE_DECISIONS]),
                    }
                )
    return rows

"""Reads on purchased service projects: the scoped list and its flags, targets against actuals, the budget.

**Actuals** are never typed in: a project's actual for an indicator is counted from the service records linked to
the project (a visit, a case, a group session, an activity or a demand request names the project it was done under;
``core.projectlinks``, docs/adr/0008), over the target's period up to today, one query per indicator. Each actual
drills down to exactly the records behind it (``drilldown``). Both read through the actor's scope, so the figure
and its list always agree; the monthly release is built by the system and counts every linked record.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.activities.models import Activity, ActivityParticipant
from shegong.cases.models import Case, Stage
from shegong.core.money import share
from shegong.core.params import as_int
from shegong.core.projectlinks import ProjectChoice
from shegong.core.regioncodes import subtree_bounds
from shegong.core.scoping import across_regions, region_wide
from shegong.demands.models import DONE, DemandRequest
from shegong.groups.models import Attendance, GroupSession
from shegong.people.models import (
    AssignmentFilingStatus,
    Certificate,
    HoursStatus,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
)
from shegong.recipients.models import Recipient
from shegong.regions.selectors import policies_for
from shegong.visits.models import Visit

from .models import (
    ACTIVE_STATES,
    BudgetLine,
    DocumentType,
    Expenditure,
    ExpenditureStatus,
    Indicator,
    Project,
    ProjectDocument,
    ProjectStaff,
    StaffRole,
    Target,
)


@dataclass
class DemandLine:
    """One catalogue item of the demand list (``demands.selectors.demand_summary``), and whether the project
    answers it (its ``demand_codes``)."""

    code: str
    domain: str
    item: str
    requests: int
    completed: int
    open: int
    chosen: bool


def demand_list(
    codes: list[str], *, since: datetime.date | None, until: datetime.date | None, chosen=()
) -> list[DemandLine]:
    """The demand list of ``codes`` (busiest first) with each item's catalogue code, for the project page and the
    demand_codes picker; requests without a catalogue item are left out (a project cannot answer them)."""
    from shegong.demands import catalogue
    from shegong.demands.selectors import demand_summary

    if not codes:
        return []
    item_codes: dict[int, str] = {}
    for code in codes:
        for item in catalogue.items_for(code, include_retired=True):
            item_codes.setdefault(item.pk, item.code)
    chosen = set(chosen)
    return [
        DemandLine(
            code=item_codes.get(row.item_id, ""),
            domain=row.domain,
            item=row.item,
            requests=row.requests,
            completed=row.completed,
            open=row.open,
            chosen=item_codes.get(row.item_id, "") in chosen,
        )
        for row in demand_summary(codes, since, until)
        if row.item_id is not None
    ]


def project_demands(project, *, today: datetime.date | None = None) -> list[DemandLine]:
    """The demand list of the project's service regions from a year before it starts to its end (or today)."""
    today = today or timezone.localdate()
    codes = sorted(project.service_regions.values_list("code", flat=True))
    since = project.starts_on - datetime.timedelta(days=365)
    return demand_list(
        codes, since=since, until=min(today, project.ends_on), chosen=project.demand_codes or ()
    )


def service_codes(project: Project) -> list[str]:
    return sorted(r.code for r in project.service_regions.all())


# Actuals from linked records -------------------------------------------------------------------------------------


def project_choices(worker_id: int, on: datetime.date) -> list[ProjectChoice]:
    """``core.projectlinks.PROJECT_CHOICES``: the active projects ``worker_id`` serves on ``on``, wherever they are
    bought (the one-project rule binds in every region, and a project's code and name are public, SPEC §6)."""
    with across_regions("which projects a worker serves on, to link a service record to its project"):
        rows = (
            ProjectStaff.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on),
                worker_id=worker_id,
                start_date__lte=on,
                project__state__in=ACTIVE_STATES,
                project__starts_on__lte=on,
                project__ends_on__gte=on,
            )
            .values_list("project_id", "project__code", "project__name")
            .distinct()
        )
        return [ProjectChoice(id=pk, label=f"{code} {name}") for pk, code, name in rows]


@dataclass(frozen=True)
class Source:
    """Where one indicator's actual comes from: the records that may count, the path of their project link, the
    date that places each in a target's period, and how they add up."""

    base: object  # () -> QuerySet of the records that count when linked
    link: str  # the path of the record's project
    day: str  # the lookup of the record's date (``__date`` for a timestamp)
    value: object  # (filter Q) -> aggregate expression

    def records(self, project):
        """The project's linked records behind the figure."""
        return self.base().filter(**{self.link: project})


def _count(q: Q):
    return Count("pk", filter=q)


SOURCES: dict[str, Source] = {
    Indicator.VISITS: Source(lambda: Visit.objects.all(), "project", "visited_at__date", _count),
    Indicator.CASES_OPENED: Source(
        lambda: Case.objects.exclude(stage=Stage.DECLINED), "project", "opened_on", _count
    ),
    Indicator.CASES_CLOSED: Source(
        lambda: Case.objects.filter(stage=Stage.CLOSED), "project", "ended_on", _count
    ),
    Indicator.GROUP_SESSIONS: Source(lambda: GroupSession.objects.all(), "project", "held_on", _count),
    Indicator.ACTIVITIES: Source(lambda: Activity.objects.all(), "project", "held_on", _count),
    # Volunteers' hours count through the linked activity they were served in, once confirmed.
    Indicator.VOLUNTEER_HOURS: Source(
        lambda: VolunteerHours.objects.filter(status=HoursStatus.CONFIRMED),
        "activity__project",
        "served_on",
        lambda q: Sum("hours", filter=q),
    ),
    Indicator.DEMANDS_RESOLVED: Source(
        lambda: DemandRequest.objects.filter(status__in=DONE), "project", "resolved_at__date", _count
    ),
    # The mean rating (1–5 stars) of the linked resolved requests that were rated, as a percentage.
    Indicator.SATISFACTION: Source(
        lambda: DemandRequest.objects.filter(status__in=DONE, rating__isnull=False),
        "project",
        "resolved_at__date",
        lambda q: Avg("rating", filter=q),
    ),
}
# Averaged, not accumulated: the plan's pace does not apply, the target holds for the whole period.
AVERAGED = frozenset({Indicator.SATISFACTION})
STARS = Decimal(5)


def counted(indicator: str) -> bool:
    return indicator in SOURCES or indicator == Indicator.PEOPLE_SERVED


def _in(day: str, since: datetime.date, until: datetime.date) -> Q:
    return Q(**{f"{day}__gte": since, f"{day}__lte": until})


def _served(project: Project, since: datetime.date, until: datetime.date):
    """(recipient id, month) once each: the registered people the project's linked records reached, per month
    (the indicator's unit is person × month). One query: a UNION of the linked records' people."""
    from django.db.models import DateField
    from django.db.models.functions import TruncMonth

    def month(path):
        return TruncMonth(path, output_field=DateField())

    parts = [
        Visit.objects.filter(_in("visited_at__date", since, until), project=project).annotate(
            m=month("visited_at")
        ),
        Case.objects.filter(_in("opened_on", since, until), project=project, recipient__isnull=False)
        .exclude(stage=Stage.DECLINED)
        .annotate(m=month("opened_on")),
        DemandRequest.objects.filter(
            _in("resolved_at__date", since, until), project=project, status__in=DONE, recipient__isnull=False
        ).annotate(m=month("resolved_at")),
    ]
    values = [q.order_by().values_list("recipient_id", "m") for q in parts]
    values += [
        Attendance.objects.filter(
            _in("session__held_on", since, until),
            session__project=project,
            present=True,
            member__recipient__isnull=False,
        )
        .annotate(m=month("session__held_on"))
        .order_by()
        .values_list("member__recipient_id", "m"),
        ActivityParticipant.objects.filter(_in("activity__held_on", since, until), activity__project=project)
        .annotate(m=month("activity__held_on"))
        .order_by()
        .values_list("recipient_id", "m"),
    ]
    # Ordered explicitly: the first part's model ordering would name a column the union does not select.
    return values[0].union(*values[1:]).order_by("m", "recipient_id")


@dataclass
class Progress:
    target: Target
    counted: bool
    actual: Decimal = Decimal(0)
    expected: Decimal = Decimal(0)
    share_done: Decimal | None = None
    share_expected: Decimal = Decimal(0)
    behind: bool = False

    @property
    def percent(self) -> int:
        return int((self.share_done or 0) * 100)

    @property
    def expected_percent(self) -> int:
        return int(self.share_expected * 100)

    @property
    def expected_shown(self) -> Decimal:
        """The pace as a person reads it: a count in whole records (18.1 activities "expected" reads 18), an
        averaged indicator (satisfaction) as it is."""
        if self.target.indicator in AVERAGED:
            return self.expected
        return self.expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def target_share_elapsed(target: Target, today: datetime.date) -> Decimal:
    total = (target.period_end - target.period_start).days + 1
    gone = (min(today, target.period_end) - target.period_start).days + 1
    return Decimal(max(0, min(gone, total))) / Decimal(total)


def _whole_project():
    """Counting a project's actuals sees every record linked to it in the reader's regions, whoever reads: the
    operator's page, the buyer's and the public release give one figure. Listing them does not (``drilldown``):
    the records an operator may not open are counted, not shown."""
    return region_wide("a project's actuals count every record linked to it, whoever reads them")


def _actuals(project: Project, indicator: str, periods: list[tuple[datetime.date, datetime.date]]) -> list:
    """The actual of each (since, until) period for one indicator, in one query."""
    with _whole_project():
        return _actuals_seen(project, indicator, periods)


def _actuals_seen(
    project: Project, indicator: str, periods: list[tuple[datetime.date, datetime.date]]
) -> list:
    if indicator == Indicator.PEOPLE_SERVED:
        return [Decimal(_served(project, a, b).count()) if a <= b else Decimal(0) for a, b in periods]
    source = SOURCES[indicator]
    found = source.records(project).aggregate(
        **{f"p{i}": source.value(_in(source.day, a, b)) for i, (a, b) in enumerate(periods)}
    )
    return [_actual_value(indicator, found[f"p{i}"] if a <= b else None) for i, (a, b) in enumerate(periods)]


# The indicators the project list's export shows per project (satisfaction and people served need a project's own
# period and are on its page).
EXPORTED = (
    Indicator.VISITS,
    Indicator.CASES_OPENED,
    Indicator.CASES_CLOSED,
    Indicator.GROUP_SESSIONS,
    Indicator.ACTIVITIES,
    Indicator.VOLUNTEER_HOURS,
    Indicator.DEMANDS_RESOLVED,
)


def actuals_by_project(project_ids, *, today: datetime.date | None = None) -> dict[int, dict[str, Decimal]]:
    """Project id → indicator → linked records up to today, for a list of projects: one query per indicator."""
    today = today or timezone.localdate()
    out: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    ids = list(project_ids)
    for indicator in EXPORTED:
        source = SOURCES[indicator]
        link = f"{source.link}_id" if source.link == "project" else source.link
        with _whole_project():
            rows = list(
                source.base()
                .filter(**{f"{link}__in": ids, f"{source.day}__lte": today})
                .values(link)
                .annotate(v=source.value(Q()))
                .order_by()
                .values_list(link, "v")
            )
        for pk, value in rows:
            out[pk][indicator] = Decimal(value or 0)
    return out


def actual_of(project: Project, indicator: str, since: datetime.date, until: datetime.date) -> Decimal:
    """One indicator's actual over a period (the figure a drill-down lists the records of)."""
    [value] = _actuals(project, indicator, [(since, until)])
    return value


def progress(project: Project, *, today: datetime.date | None = None) -> list[Progress]:
    """Each target against its actual (counted from the linked records) and the pace the plan implies (elapsed
    share of the target's period): behind when the actual is short of the expected by more than the project's
    margin and, for a count, by at least one whole record. An averaged indicator (satisfaction) is expected at its
    target all along."""
    return progress_many([project], today=today)[project.pk]


# Targets counted in one aggregate query at most: a query names one filtered aggregate per target.
TARGETS_PER_QUERY = 100


def progress_many(projects, *, today: datetime.date | None = None) -> dict[int, list[Progress]]:
    """``progress`` of many projects (a list page, the behind-plan filter) in a number of queries that does not grow
    with them: the targets in one, then one per indicator for each ``TARGETS_PER_QUERY`` targets of it. People
    served are distinct person-months, a UNION per project: one query for each project that has that target."""
    today = today or timezone.localdate()
    by_pk = {p.pk: p for p in projects}
    out: dict[int, list[Progress]] = {pk: [] for pk in by_pk}
    targets = list(
        Target.objects.filter(project_id__in=list(by_pk)).order_by("project_id", "indicator", "period_start")
    )
    by_indicator: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        if counted(target.indicator):
            by_indicator[target.indicator].append(target)
    actual_of: dict[int, Decimal] = {}
    for indicator, group in by_indicator.items():
        actual_of.update(_actuals_of_targets(indicator, group, by_pk, today))
    for target in targets:
        project = by_pk[target.project_id]
        out[project.pk].append(_progress_item(project, target, actual_of.get(target.pk), today))
    return out


def _actuals_of_targets(indicator: str, targets: list[Target], projects: dict, today: datetime.date) -> dict:
    """Target id → its actual, each counted over its own period up to today."""
    found = {}
    if indicator == Indicator.PEOPLE_SERVED:
        with _whole_project():
            for target in targets:
                since, until = target.period_start, min(today, target.period_end)
                found[target.pk] = (
                    Decimal(_served(projects[target.project_id], since, until).count())
                    if since <= until
                    else Decimal(0)
                )
        return found
    source = SOURCES[indicator]
    for start in range(0, len(targets), TARGETS_PER_QUERY):
        chunk = targets[start : start + TARGETS_PER_QUERY]
        periods = {t.pk: (t.period_start, min(today, t.period_end)) for t in chunk}
        aggregates = {
            f"t{t.pk}": source.value(Q(**{source.link: t.project_id}) & _in(source.day, *periods[t.pk]))
            for t in chunk
            if periods[t.pk][0] <= periods[t.pk][1]
        }
        values = {}
        if aggregates:
            with _whole_project():
                values = (
                    source.base()
                    .filter(**{f"{source.link}__in": sorted({t.project_id for t in chunk})})
                    .aggregate(**aggregates)
                )
        for target in chunk:
            found[target.pk] = _actual_value(indicator, values.get(f"t{target.pk}"))
    return found


def _actual_value(indicator: str, value) -> Decimal:
    if value is None:
        return Decimal(0)
    if indicator in AVERAGED:
        return (Decimal(value) / STARS * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Decimal(value)


def _progress_item(
    project: Project, target: Target, actual: Decimal | None, today: datetime.date
) -> Progress:
    margin = Decimal(100 - project.behind_margin) / 100
    item = Progress(target=target, counted=counted(target.indicator))
    item.share_expected = target_share_elapsed(target, today)
    if target.indicator in AVERAGED:
        item.expected = target.quantity if item.share_expected > 0 else Decimal(0)
    else:
        item.expected = (target.quantity * item.share_expected).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    if item.counted:
        item.actual = actual if actual is not None else Decimal(0)
        item.share_done = share(item.actual, target.quantity)
        item.behind = item.share_expected > 0 and item.actual < item.expected * margin
        if target.indicator not in AVERAGED:
            # A count is behind only once a whole record is missing: on a year-long plan's second day,
            # 0.2 of one activity "expected" is not a shortfall anyone can act on.
            item.behind = item.behind and item.expected - item.actual >= 1
    return item


@dataclass
class DrillRow:
    """One record behind an actual, with a link to its own page."""

    day: datetime.date
    title: str
    detail: str
    url: str
    value: str = ""


def drill_period(project: Project, indicator: str, *, today: datetime.date | None = None):
    """The period an indicator's drill-down covers: its first target's, else the project's, up to today."""
    today = today or timezone.localdate()
    target = project.targets.filter(indicator=indicator).order_by("period_start").first()
    since = target.period_start if target else project.starts_on
    return since, min(today, target.period_end if target else project.ends_on)


def _served_rows(project, since, until) -> list[DrillRow]:
    pairs = list(_served(project, since, until))
    people = Recipient.objects.in_bulk({pk for pk, _m in pairs})
    rows = []
    for pk, month in pairs:
        person = people.get(pk)
        if person is None:  # linked, but outside the reader's scope: the count says so, the name does not
            continue
        rows.append(
            DrillRow(
                month,
                person.name,
                f"{month:%Y-%m}",
                reverse("recipients:detail", args=[pk]),
            )
        )
    return rows


def linked_count(project: Project, indicator: str, *, today: datetime.date | None = None) -> int:
    """How many linked records (people × months for people served) an indicator's drill-down period holds, whoever
    reads: beside the rows ``drilldown`` lists to this reader, the difference is what it may not open."""
    since, until = drill_period(project, indicator, today=today)
    if since > until or not counted(indicator):
        return 0
    with _whole_project():
        if indicator == Indicator.PEOPLE_SERVED:
            return _served(project, since, until).count()
        source = SOURCES[indicator]
        return source.records(project).filter(_in(source.day, since, until)).count()


def drilldown(project: Project, indicator: str, *, today: datetime.date | None = None) -> list[DrillRow]:
    """Exactly the linked records behind one indicator's actual over its first target's period, oldest first."""
    since, until = drill_period(project, indicator, today=today)
    if since > until or not counted(indicator):
        return []
    if indicator == Indicator.PEOPLE_SERVED:
        return _served_rows(project, since, until)
    source = SOURCES[indicator]
    records = source.records(project).filter(_in(source.day, since, until))
    if indicator == Indicator.VISITS:
        return [
            DrillRow(
                timezone.localtime(v.visited_at).date(),
                v.recipient.name,
                " · ".join(x for x in (v.get_method_display(), v.worker.name if v.worker else "") if x),
                reverse("visits:visit_detail", args=[v.pk]),
            )
            for v in records.select_related("recipient", "worker").order_by("visited_at", "pk")
        ]
    if indicator in (Indicator.CASES_OPENED, Indicator.CASES_CLOSED):
        closed = indicator == Indicator.CASES_CLOSED
        return [
            DrillRow(
                c.ended_on if closed else c.opened_on,
                c.number,
                f"{c.get_stage_display()} · {c.worker.name}",
                reverse("cases:detail", args=[c.pk]),
            )
            for c in records.select_related("worker").order_by("ended_on" if closed else "opened_on", "pk")
        ]
    if indicator == Indicator.GROUP_SESSIONS:
        return [
            DrillRow(
                s.held_on,
                _("%(group)s 第%(n)s节") % {"group": s.group.name, "n": s.number},
                s.place,
                reverse("groups:session_detail", args=[s.pk]),
            )
            for s in records.select_related("group").order_by("held_on", "pk")
        ]
    if indicator == Indicator.ACTIVITIES:
        return [
            DrillRow(a.held_on, a.title, a.get_kind_display(), reverse("activities:detail", args=[a.pk]))
            for a in records.order_by("held_on", "pk")
        ]
    if indicator == Indicator.VOLUNTEER_HOURS:
        return [
            DrillRow(
                h.served_on,
                h.volunteer.name,
                h.activity.title,
                reverse("activities:detail", args=[h.activity_id]),
                str(h.hours),
            )
            for h in records.select_related("volunteer", "activity").order_by("served_on", "pk")
        ]
    # Demand requests: resolved, or rated (satisfaction).
    rated = indicator == Indicator.SATISFACTION
    return [
        DrillRow(
            timezone.localtime(r.resolved_at).date(),
            r.tracking_code,
            r.item.name if r.item else "",
            reverse("demands:detail", args=[r.pk]),
            str(r.rating) if rated else "",
        )
        for r in records.select_related("item").order_by("resolved_at", "pk")
    ]


# Budget ---------------------------------------------------------------------------------------------------------


@dataclass
class BudgetView:
    """Spent is what the operator's finance approved and the buyer reviewed; pending is recorded and waiting."""

    lines: list[BudgetLine]
    budget: Decimal
    spent: Decimal
    pending: Decimal
    paid: Decimal
    clawed_back: Decimal
    share_spent: Decimal | None
    share_elapsed: Decimal
    flagged: list[BudgetLine]


def budget(project: Project, *, today: datetime.date | None = None) -> BudgetView:
    today = today or timezone.localdate()
    lines = list(project.budget_lines.all())
    waiting = dict(
        Expenditure.objects.filter(
            project=project, status__in=[ExpenditureStatus.PENDING, ExpenditureStatus.APPROVED]
        )
        .values("line_id")
        .annotate(s=Sum("amount"))
        .values_list("line_id", "s")
        .order_by()
    )
    over_lines = set(
        Expenditure.objects.filter(project=project, over_budget=True)
        .exclude(status=ExpenditureStatus.REJECTED)
        .values_list("line_id", flat=True)
    )
    total = sum((line.amount for line in lines), Decimal(0))
    spent = sum((line.spent for line in lines), Decimal(0))
    paid = project.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    clawed = project.clawbacks.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    elapsed = project.elapsed_share(today)
    margin = Decimal(project.behind_margin) / 100
    for line in lines:
        line.pending = waiting.get(line.pk, Decimal(0))
        line.share = share(line.spent, line.amount)
        # Over budget: spending recorded beyond the line (where the region lets it through, flagged).
        line.over = line.pk in over_lines or line.spent > line.amount
        # Flagged: over budget, an overspend attempt was refused, or the line is spent well ahead of time.
        line.flagged = (
            line.over
            or bool(line.refused_attempts)
            or (
                line.share is not None
                and line.share > min(Decimal(1), elapsed + margin)
                and line.share >= Decimal("0.95")
            )
        )
    return BudgetView(
        lines=lines,
        budget=total,
        spent=spent,
        pending=sum((line.pending for line in lines), Decimal(0)),
        paid=paid,
        clawed_back=clawed,
        share_spent=share(spent, total),
        share_elapsed=elapsed,
        flagged=[line for line in lines if line.flagged],
    )


def budget_chart(project: Project, view: BudgetView) -> dict:
    """ECharts data: cumulative reviewed spending against the straight-line pace of the budget over the period
    (spend against time)."""
    by_month = defaultdict(Decimal)
    reviewed = project.expenditures.filter(status=ExpenditureStatus.REVIEWED)
    for spent_on, amount in reviewed.values_list("spent_on", "amount"):
        by_month[spent_on.replace(day=1)] += amount
    months = []
    month = project.starts_on.replace(day=1)
    while month <= project.ends_on:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    running, cumulative, pace = Decimal(0), [], []
    for index, month in enumerate(months, start=1):
        running += by_month.get(month, Decimal(0))
        cumulative.append(float(running))
        pace.append(float((view.budget * index / len(months)).quantize(Decimal("0.01"))))
    return {
        "labels": [f"{m:%Y-%m}" for m in months],
        "series": [
            {"name": str(_("累计支出（元）")), "data": cumulative},
            {"name": str(_("按期匀速支出（元）")), "data": pace},
        ],
    }


def budget_lines_chart(view: BudgetView) -> dict:
    """ECharts data: per budget line, the budget, what is spent and what waits for approval (spend against
    budget)."""
    return {
        "labels": [str(line.get_category_display()) for line in view.lines],
        "series": [
            {"name": str(_("预算（元）")), "data": [float(line.amount) for line in view.lines]},
            {"name": str(_("已支出（元）")), "data": [float(line.spent) for line in view.lines]},
            {"name": str(_("待审核（元）")), "data": [float(line.pending) for line in view.lines]},
        ],
    }


# Documents ------------------------------------------------------------------------------------------------------


@dataclass
class DocumentGroup:
    """One document type of a project: its versions, newest first (the first is the one in force)."""

    doc_type: str
    label: str
    versions: list


def documents(project: Project) -> list[DocumentGroup]:
    """The project's documents by type, each with every version kept (vouchers are shown with their
    expenditures). The file bytes are not read."""
    rows = (
        ProjectDocument.objects.filter(project=project)
        .exclude(doc_type=DocumentType.VOUCHER)
        .defer("data")
        .select_related("uploaded_by")
        .order_by("doc_type", "-version")
    )
    groups: dict[str, DocumentGroup] = {}
    for row in rows:
        groups.setdefault(
            row.doc_type, DocumentGroup(row.doc_type, str(DocumentType(row.doc_type).label), [])
        ).versions.append(row)
    order = [t for t in DocumentType.values]
    return sorted(groups.values(), key=lambda g: order.index(g.doc_type))


def pending_expenditures(project: Project):
    return project.expenditures.filter(
        status__in=[ExpenditureStatus.PENDING, ExpenditureStatus.APPROVED]
    ).select_related("line", "recorded_by", "voucher")


# Staff ----------------------------------------------------------------------------------------------------------


@dataclass
class StaffRow:
    staff: ProjectStaff
    filing_due: datetime.date
    overdue: bool
    elsewhere: Project | None = None


def staff_rows(project: Project, *, today: datetime.date | None = None) -> list[StaffRow]:
    """The project's workers with their filing deadline (local policy) and any other active project they are on
    (the integrity check: an overlap that got in some other way than the refusing service)."""
    today = today or timezone.localdate()
    days = policies_for([project.region_code])[project.region_code].filing_due_days
    posts = list(project.staff.select_related("worker", "project").order_by("end_date", "start_date"))
    with across_regions("one registered social worker runs one project at a time, in every region"):
        overlaps = (
            ProjectStaff.objects.filter(
                worker_id__in=[p.worker_id for p in posts if p.end_date is None],
                end_date__isnull=True,
                project__state__in=ACTIVE_STATES,
            )
            .exclude(project_id=project.pk)
            .select_related("project")
        )
        elsewhere = {o.worker_id: o.project for o in overlaps}
    rows = []
    for post in posts:
        due = post.filing_due(days)
        rows.append(
            StaffRow(
                staff=post,
                filing_due=due,
                overdue=post.filing_status == AssignmentFilingStatus.UNFILED
                and post.end_date is None
                and project.is_active
                and today > due,
                elsewhere=elsewhere.get(post.worker_id)
                if project.is_active and post.end_date is None
                else None,
            )
        )
    return rows


def in_post_on(staff: ProjectStaff, day: datetime.date) -> bool:
    return staff.start_date <= day and (staff.end_date is None or staff.end_date > day)


def replacement_for(staff: ProjectStaff, on: datetime.date) -> ProjectStaff | None:
    """A post on the same project that took up after the notice, is in post on ``on`` and replaces no one else:
    the replacement of a worker leaving on ``on`` when the operator names none."""
    if staff.notice_date is None:
        return None
    taken = ProjectStaff.objects.filter(project_id=staff.project_id, replacement__isnull=False).values(
        "replacement_id"
    )
    candidates = (
        ProjectStaff.objects.filter(project_id=staff.project_id, start_date__gte=staff.notice_date)
        .exclude(pk=staff.pk)
        .exclude(worker_id=staff.worker_id)
        .exclude(pk__in=taken)
        .select_related("worker")
        .order_by("start_date", "pk")
    )
    return next((c for c in candidates if in_post_on(c, on)), None)


def staffing_check(project: Project, rows: list[StaffRow]) -> dict:
    """The staffing standard in force where the project is bought (local policy, seed 003 — Haining: at least 6
    full-time workers, 4 of them certified, each with 5 regular volunteers) against the project's staff in post:
    full-time workers, certified workers, and each worker's active volunteers recruited."""
    policy = policies_for([project.region_code])[project.region_code]
    current = [r.staff for r in rows if r.staff.end_date is None]
    # The project's own social workers (lead and workers) are its full-time staff; finance and supervisors are not.
    fulltime = [s for s in current if s.role in (StaffRole.LEAD, StaffRole.WORKER)]
    certified = sum(1 for s in fulltime if s.worker.certificate != Certificate.NONE)
    recruits = dict(
        Volunteer.objects.filter(
            recruited_by_id__in=[s.worker_id for s in current], status=VolunteerStatus.ACTIVE
        )
        .values("recruited_by_id")
        .annotate(n=Count("pk"))
        .values_list("recruited_by_id", "n")
        .order_by()
    )
    short = [s for s in current if recruits.get(s.worker_id, 0) < policy.volunteers_per_worker]
    return {
        "workers": len(fulltime),
        "certified": certified,
        "min_workers": policy.station_min_fulltime,
        "min_certified": policy.station_min_certified,
        "volunteers_per_worker": policy.volunteers_per_worker,
        "short_of_volunteers": len(short),
        "workers_ok": len(fulltime) >= policy.station_min_fulltime,
        "certified_ok": certified >= policy.station_min_certified,
        "volunteers_ok": not short,
        "ok": len(fulltime) >= policy.station_min_fulltime
        and certified >= policy.station_min_certified
        and not short,
    }


def breached_staff(project: Project):
    """The project's posts that ended breaking the leaving rules."""
    return [s for s in project.staff.select_related("worker") if s.breaches]


def overlapping_workers():
    """Workers on two or more active projects at once, in the actor's scope (the integrity list)."""
    return (
        ProjectStaff.objects.filter(end_date__isnull=True, project__state__in=ACTIVE_STATES)
        .values("worker_id", "worker__name")
        .annotate(projects=Count("project_id", distinct=True))
        .filter(projects__gt=1)
        .order_by("worker__name")
    )


# The list -------------------------------------------------------------------------------------------------------

LIST_FILTERS = ("q", "state", "field", "operator", "region", "flag")


def project_list(*, q="", state="", field="", operator="", region="", flag="", today=None):
    today = today or timezone.localdate()
    queryset = Project.objects.select_related("operator").annotate(
        over_budget=Exists(
            BudgetLine.objects.filter(project=OuterRef("pk")).filter(
                Q(refused_attempts__gt=0) | Q(spent__gte=F("amount"))
            )
        )
        | Exists(
            Expenditure.objects.filter(project=OuterRef("pk"), over_budget=True).exclude(
                status=ExpenditureStatus.REJECTED
            )
        ),
        staff_count=Count("staff", filter=Q(staff__end_date__isnull=True), distinct=True),
    )
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(code__contains=q) | Q(buyer_name__contains=q))
    if state == "running":
        queryset = queryset.filter(state__in=ACTIVE_STATES)
    elif state:
        queryset = queryset.filter(state=state)
    if field:
        queryset = queryset.filter(field=field)
    if (operator_id := as_int(operator)) is not None:
        queryset = queryset.filter(operator_id=operator_id)
    if region.isdigit() and len(region) == 12:
        low, high = subtree_bounds(region)
        queryset = queryset.filter(service_regions__code__gte=low, service_regions__code__lte=high).distinct()
    if flag == "over_budget":
        queryset = queryset.filter(over_budget=True)
    queryset = queryset.order_by("-starts_on", "code")
    if flag == "behind":
        behind_ids = sorted(behind_of(queryset.filter(state__in=ACTIVE_STATES), today=today))
        queryset = queryset.filter(pk__in=behind_ids)
    return queryset


def is_behind(project: Project, *, today=None) -> bool:
    return any(item.behind for item in progress(project, today=today))


def behind_of(projects, *, today=None) -> set[int]:
    """The ids of the running ones among ``projects`` behind their plan's pace, read together."""
    running = [p for p in projects if p.is_active]
    return {pk for pk, items in progress_many(running, today=today).items() if any(i.behind for i in items)}


def region_summary(code: str) -> dict:
    """The dashboards' project figures under region ``code``: running projects (those serving a region in the
    subtree, as the list's region filter reads), their budget and spent sums (the budget lines keep ``spent``
    current as spending is recorded) and how many have a line at or over budget. Three aggregate queries."""
    low, high = subtree_bounds(code)
    running = Project.objects.filter(
        state__in=ACTIVE_STATES, service_regions__code__gte=low, service_regions__code__lte=high
    ).values("pk")
    lines = BudgetLine.objects.filter(project__in=running).aggregate(budget=Sum("amount"), spent=Sum("spent"))
    over = (
        Project.objects.filter(service_regions__code__gte=low, service_regions__code__lte=high)
        .filter(
            Exists(
                BudgetLine.objects.filter(project=OuterRef("pk")).filter(
                    Q(refused_attempts__gt=0) | Q(spent__gte=F("amount"))
                )
            )
        )
        .values("pk")
        .distinct()
        .count()
    )
    return {
        "running": Project.objects.filter(pk__in=running).count(),
        "budget": lines["budget"] or Decimal("0.00"),
        "spent": lines["spent"] or Decimal("0.00"),
        "over_budget": over,
    }

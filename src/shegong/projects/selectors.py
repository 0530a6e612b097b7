"""Reads on purchased service projects: the scoped list and its flags, targets against actuals, the budget.

**Actuals** are never typed in and never scan raw service records: a project's actual for an indicator is the
counted figure (``core.tallies``, per region × month) of its service regions over the target's period, read up to
today; visits are the visit-care rollups' ``visited`` (recipients visited in the month, per village). A figure
counts what was done *in the regions* the project serves, whoever did it.

**Shared regions.** Where two active projects serve the same region, each one's actuals include the other's work
there: both project pages say so and name the other project, and no page adds projects' actuals together (a
district sum is read from the tallies of the district, not from the projects). ``shared_with`` finds them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.core.money import share
from shegong.core.regioncodes import in_subtree, subtree_bounds
from shegong.core.scoping import across_regions, region_wide
from shegong.people.models import AssignmentFilingStatus, Certificate, Volunteer, VolunteerStatus
from shegong.recipients.models import VisitRollup
from shegong.regions.selectors import policies_for

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

# How each indicator is counted: a tally metric registered by the app that owns it, or the visit rollups.
# ``None``: not counted yet (satisfaction: the demands app keeps ratings per request, not a tally).
VISITS = "visits.visited"
METRIC_OF: dict[str, str | None] = {
    Indicator.VISITS: VISITS,
    Indicator.CASES_OPENED: "cases.opened",
    Indicator.CASES_CLOSED: "cases.closed",
    Indicator.GROUP_SESSIONS: "groups.sessions",
    Indicator.ACTIVITIES: "activities.held",
    Indicator.PEOPLE_SERVED: "served.people",
    Indicator.VOLUNTEER_HOURS: "volunteers.hours",
    Indicator.DEMANDS_RESOLVED: "demands.completed",
    Indicator.SATISFACTION: None,
}
WIDE = "a project's actuals are its service regions' counted totals, no one's personal data"


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


def counted(indicator: str) -> bool:
    metric = METRIC_OF.get(indicator)
    return metric == VISITS or (metric is not None and metric in tallies.metrics())


def service_codes(project: Project) -> list[str]:
    return sorted(r.code for r in project.service_regions.all())


def _visits_by_region_month(codes, since, until) -> dict[tuple[str, datetime.date], Decimal]:
    q = Q(pk__in=[])
    for code in codes:
        low, high = subtree_bounds(code)
        q |= Q(region_code__gte=low, region_code__lte=high)
    rows = VisitRollup.objects.filter(
        q, month__gte=tallies.month_of(since), month__lte=tallies.month_of(until)
    )
    out: dict[tuple[str, datetime.date], Decimal] = defaultdict(Decimal)
    for code, month, visited in rows.values_list("region_code", "month", "visited"):
        owner = next(c for c in codes if in_subtree(code, c))
        out[(owner, month)] += Decimal(visited)
    return out


def figures(codes: list[str], metric: str, since: datetime.date, until: datetime.date) -> dict:
    """(service region code, month) → value for one metric, every month from ``since`` to ``until``."""
    out: dict[tuple[str, datetime.date], Decimal] = {}
    if until < since:
        return out
    with region_wide(WIDE):
        if metric == VISITS:
            found = _visits_by_region_month(codes, since, until)
            for code in codes:
                for month in months_between(since, until):
                    out[(code, month)] = found.get((code, month), Decimal(0))
        else:
            for code in codes:
                for month, values in tallies.by_month([code], [metric], since=since, until=until).items():
                    out[(code, month)] = values[metric]
    return out


def months_between(since: datetime.date, until: datetime.date) -> list[datetime.date]:
    month, last, out = tallies.month_of(since), tallies.month_of(until), []
    while month <= last:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


@dataclass
class Progress:
    target: Target
    counted: bool
    actual: Decimal = Decimal(0)
    expected: Decimal = Decimal(0)
    share_done: Decimal | None = None
    share_expected: Decimal = Decimal(0)
    behind: bool = False
    cells: dict = field(default_factory=dict)  # (region code, month) → value: the drill-down

    @property
    def percent(self) -> int:
        return int((self.share_done or 0) * 100)

    @property
    def expected_percent(self) -> int:
        return int(self.share_expected * 100)


def target_share_elapsed(target: Target, today: datetime.date) -> Decimal:
    total = (target.period_end - target.period_start).days + 1
    gone = (min(today, target.period_end) - target.period_start).days + 1
    return Decimal(max(0, min(gone, total))) / Decimal(total)


def progress(
    project: Project, *, today: datetime.date | None = None, with_cells: bool = False
) -> list[Progress]:
    """Each target against its actual and the pace the plan implies (elapsed share of the target's period): behind
    when the actual is short of the expected by more than the project's margin."""
    today = today or timezone.localdate()
    codes = service_codes(project)
    out = []
    for target in project.targets.all().order_by("indicator", "period_start"):
        item = Progress(target=target, counted=counted(target.indicator))
        item.share_expected = target_share_elapsed(target, today)
        item.expected = (target.quantity * item.share_expected).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        if item.counted and codes:
            until = min(today, target.period_end)
            cells = figures(codes, METRIC_OF[target.indicator], target.period_start, until)
            item.actual = sum(cells.values(), Decimal(0))
            if with_cells:
                item.cells = cells
            item.share_done = share(item.actual, target.quantity)
            margin = Decimal(100 - project.behind_margin) / 100
            item.behind = item.share_expected > 0 and item.actual < item.expected * margin
        out.append(item)
    return out


def drilldown(project: Project, indicator: str, *, today: datetime.date | None = None):
    """The region × month figures behind one indicator's actual: rows of (region, [values by month], total)."""
    today = today or timezone.localdate()
    target = project.targets.filter(indicator=indicator).order_by("period_start").first()
    since = target.period_start if target else project.starts_on
    until = min(today, target.period_end if target else project.ends_on)
    regions = {r.code: r for r in project.service_regions.all()}
    if not counted(indicator):
        return [], [], Decimal(0)
    cells = figures(sorted(regions), METRIC_OF[indicator], since, until)
    months = sorted({m for _c, m in cells})
    rows = []
    for code in sorted(regions):
        values = [cells.get((code, m), Decimal(0)) for m in months]
        rows.append((regions[code], values, sum(values, Decimal(0))))
    return months, rows, sum((r[2] for r in rows), Decimal(0))


def shared_with(project: Project) -> list[Project]:
    """Other active projects serving one of this project's regions (or a region above or below one): their work
    there is in this project's figures too, and the other way round. Project codes and names are public (三务公开);
    the overlap is looked up in every region so that neither page hides it."""
    codes = service_codes(project)
    if not codes:
        return []
    with across_regions("which other projects share a project's service regions (public project facts)"):
        others = (
            Project.objects.filter(state__in=ACTIVE_STATES)
            .exclude(pk=project.pk)
            .filter(starts_on__lte=project.ends_on, ends_on__gte=project.starts_on)
            .prefetch_related("service_regions")
        )
        found = []
        for other in others:
            theirs = [r.code for r in other.service_regions.all()]
            if any(in_subtree(a, b) or in_subtree(b, a) for a in codes for b in theirs):
                found.append(other)
        return found


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
    if operator.isdigit():
        queryset = queryset.filter(operator_id=int(operator))
    if region.isdigit() and len(region) == 12:
        low, high = subtree_bounds(region)
        queryset = queryset.filter(service_regions__code__gte=low, service_regions__code__lte=high).distinct()
    if flag == "over_budget":
        queryset = queryset.filter(over_budget=True)
    queryset = queryset.order_by("-starts_on", "code")
    if flag == "behind":
        behind_ids = [p.pk for p in queryset.filter(state__in=ACTIVE_STATES) if is_behind(p, today=today)]
        queryset = queryset.filter(pk__in=behind_ids)
    return queryset


def is_behind(project: Project, *, today=None) -> bool:
    return any(item.behind for item in progress(project, today=today))


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

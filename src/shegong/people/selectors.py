"""Reads on social workers and volunteers: lists, the station staffing summary, overdue filings, totals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from shegong.core.fields import blind_index_for
from shegong.core.grouping import child_prefix_length, grouped_by_child
from shegong.core.hooks import Hook
from shegong.core.params import as_int
from shegong.core.regioncodes import PREFIX_LENGTH, Level
from shegong.core.scoping import across_regions
from shegong.network.models import NodeStatus, ServiceNode
from shegong.regions.models import Region
from shegong.regions.selectors import policies_for, policy_for, region_subtree_q

from .models import (
    VOLUNTEER_TARGET_PER_WORKER,
    AssignmentFilingStatus,
    Certificate,
    Departure,
    DishonestyEntry,
    HoursStatus,
    SocialWorker,
    SupervisionAssignment,
    Supervisor,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    WorkerAssignment,
    WorkerStatus,
)


def staffing_by_node(node_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Full-time workers in post and how many of them are certified, per node."""
    return WorkerAssignment.staffing(node_ids)


def _identity_q(model, q: str) -> Q:
    """A search term matches a name, or — typed in full — an ID number or phone through the blind index."""
    condition = Q(name__contains=q)
    compact = q.replace(" ", "")
    if len(compact) >= 15 and compact[:17].isdigit():
        condition |= Q(id_number_index=blind_index_for(model, "id_number_index", compact))
    if len(compact) == 11 and compact.isdigit():
        condition |= Q(phone_index=blind_index_for(model, "phone_index", compact))
    return condition


def workers(
    *,
    status: str = "",
    certificate: str = "",
    under: str = "",
    node: str = "",
    employer: str = "",
    q: str = "",
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[SocialWorker]:
    today = today or timezone.localdate()
    queryset = SocialWorker.objects.select_related("region", "employer", "pay_post__ladder").annotate(
        recruit_count=Count("recruits", filter=Q(recruits__status=VolunteerStatus.ACTIVE), distinct=True),
    )
    if status:
        queryset = queryset.filter(status=status)
    if certificate == "certified":
        queryset = queryset.exclude(certificate=Certificate.NONE)
    elif certificate:
        queryset = queryset.filter(certificate=certificate)
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if node:
        queryset = queryset.filter(assignments__node_id=node, assignments__end_date__isnull=True)
    if employer:
        queryset = queryset.filter(employer_id=employer)
    if q:
        queryset = queryset.filter(_identity_q(SocialWorker, q))
    if overdue:
        queryset = queryset.filter(
            pk__in=WorkerAssignment.objects.filter(WorkerAssignment.overdue_q(today)).values("worker_id")
        )
    return queryset.distinct().order_by("region_code", "name")


def current_posts(
    worker_ids: list[int], today: datetime.date | None = None
) -> dict[int, list[WorkerAssignment]]:
    rows = (
        WorkerAssignment.objects.filter(WorkerAssignment.in_post(today), worker_id__in=worker_ids)
        .select_related("node")
        .order_by("-full_time", "start_date")
    )
    result: dict[int, list[WorkerAssignment]] = {}
    for row in rows:
        result.setdefault(row.worker_id, []).append(row)
    return result


@dataclass
class StationStaff:
    """Who staffs a station today, against its region's standard, and which filings are overdue."""

    node: object
    assignments: list[WorkerAssignment]
    fulltime: int
    certified: int
    required_fulltime: int
    required_certified: int
    overdue: list[WorkerAssignment] = field(default_factory=list)
    awaiting_confirmation: int = 0
    today: datetime.date | None = None

    @property
    def meets_standard(self) -> bool:
        return self.fulltime >= self.required_fulltime and self.certified >= self.required_certified

    @property
    def certified_share(self) -> int | None:
        return round(100 * self.certified / self.fulltime) if self.fulltime else None


def station_staffing_summary(node, today: datetime.date | None = None) -> StationStaff:
    today = today or timezone.localdate()
    assignments = list(
        WorkerAssignment.objects.filter(WorkerAssignment.in_post(today), node=node)
        .select_related("worker")
        .order_by("-full_time", "start_date")
    )
    standard = policy_for(node.region_code)
    for a in assignments:
        a.policy = standard
        a.is_overdue = a.filing_overdue(today)
    fulltime = {a.worker_id for a in assignments if a.full_time}
    certified = {a.worker_id for a in assignments if a.full_time and a.worker.is_certified}
    return StationStaff(
        node=node,
        assignments=assignments,
        fulltime=len(fulltime),
        certified=len(certified),
        required_fulltime=standard.station_min_fulltime,
        required_certified=standard.station_min_certified,
        overdue=[a for a in assignments if a.is_overdue],
        awaiting_confirmation=sum(
            1 for a in assignments if a.filing_status == AssignmentFilingStatus.SUBMITTED
        ),
        today=today,
    )


def filings(
    *, state: str = "", under: str = "", node: str = "", today: datetime.date | None = None
) -> QuerySet[WorkerAssignment]:
    """Assignments by filing state; ``overdue`` are unfiled ones past the 7-day deadline."""
    today = today or timezone.localdate()
    queryset = WorkerAssignment.objects.select_related("worker", "node", "node__region").filter(
        end_date__isnull=True
    )
    if state == "overdue":
        queryset = queryset.filter(WorkerAssignment.overdue_q(today))
    elif state:
        queryset = queryset.filter(filing_status=state)
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if node:
        queryset = queryset.filter(node_id=node)
    return queryset.order_by("filing_status", "start_date", "id")


def overdue_filings_by_station(node_ids: list[int], today: datetime.date | None = None) -> dict[int, int]:
    """Overdue filings per node, for flags on lists of stations."""
    rows = (
        WorkerAssignment.objects.filter(WorkerAssignment.overdue_q(today), node_id__in=node_ids)
        .values("node_id")
        .annotate(n=Count("id"))
    )
    return {r["node_id"]: r["n"] for r in rows}


def departures(*, open_only: bool = False, under: str = "") -> QuerySet[Departure]:
    queryset = Departure.objects.select_related("worker", "replacement")
    if open_only:
        queryset = queryset.filter(left_on__isnull=True)
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    return queryset.order_by("-notice_date", "-id")


def dishonesty_entries(
    *, active_only: bool = False, today: datetime.date | None = None, q: str = ""
) -> QuerySet[DishonestyEntry]:
    today = today or timezone.localdate()
    queryset = DishonestyEntry.objects.select_related("worker")
    if active_only:
        queryset = queryset.filter(listed_on__lte=today, bar_until__gt=today)
    if q:
        queryset = queryset.filter(worker__name__contains=q)
    return queryset.order_by("-listed_on", "-id")


# Volunteers ------------------------------------------------------------------------------------------------------


def volunteers(
    *, status: str = "", team: str = "", skill: str = "", under: str = "", recruited_by: str = "", q: str = ""
) -> QuerySet[Volunteer]:
    queryset = Volunteer.objects.select_related("region", "team", "recruited_by").annotate(
        confirmed_hours=Sum("hours__hours", filter=Q(hours__status=HoursStatus.CONFIRMED)),
    )
    if status:
        queryset = queryset.filter(status=status)
    if team:
        team_id = as_int(team)
        queryset = queryset.filter(team_id__in=team_with_descendants(team_id) if team_id is not None else [])
    if skill:
        queryset = (
            queryset.filter(skills__contains=[skill])
            if _json_contains()
            else queryset.filter(skills__icontains=f'"{skill}"')
        )
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if recruited_by:
        queryset = queryset.filter(recruited_by_id=recruited_by)
    if q:
        queryset = queryset.filter(_identity_q(Volunteer, q))
    return queryset.order_by("region_code", "name")


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def team_with_descendants(team_id: int) -> list[int]:
    parents = dict(VolunteerTeam.objects.values_list("pk", "parent_id"))
    found = {team_id}
    changed = True
    while changed:
        changed = False
        for pk, parent in parents.items():
            if parent in found and pk not in found:
                found.add(pk)
                changed = True
    return sorted(found)


@dataclass
class TeamNode:
    team: VolunteerTeam
    depth: int
    own_hours: Decimal = Decimal("0")
    total_hours: Decimal = Decimal("0")
    members: int = 0
    children: list[TeamNode] = field(default_factory=list)

    @property
    def indent(self) -> str:
        # Indentation as text: the CSP forbids inline styles.
        return "\u3000" * (self.depth - 1) + "└ " if self.depth else ""


def team_tree(*, under: str = "") -> list[TeamNode]:
    """Teams as a tree (总队 → 支队/分队 → 小队), each with confirmed hours of its own and of its whole subtree."""
    teams = VolunteerTeam.objects.select_related("region")
    if under:
        teams = teams.filter(region_subtree_q(under))
    teams = list(teams.order_by("level", "name"))
    ids = [t.pk for t in teams]
    hours = dict(
        VolunteerHours.objects.filter(team_id__in=ids, status=HoursStatus.CONFIRMED)
        .values("team_id")
        .annotate(n=Sum("hours"))
        .values_list("team_id", "n")
    )
    members = dict(
        Volunteer.objects.filter(team_id__in=ids, status=VolunteerStatus.ACTIVE)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    nodes = {
        t.pk: TeamNode(t, 0, hours.get(t.pk) or Decimal("0"), members=members.get(t.pk, 0)) for t in teams
    }
    roots = []
    for team in teams:
        node = nodes[team.pk]
        if team.parent_id in nodes:
            nodes[team.parent_id].children.append(node)
        else:
            roots.append(node)

    def total(node: TeamNode, depth: int) -> Decimal:
        node.depth = depth
        node.total_hours = node.own_hours + sum((total(c, depth + 1) for c in node.children), Decimal("0"))
        return node.total_hours

    for root in roots:
        total(root, 0)
    return roots


def flatten(tree: list[TeamNode]) -> list[TeamNode]:
    out = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def team_total(team: VolunteerTeam) -> Decimal:
    ids = team_with_descendants(team.pk)
    value = VolunteerHours.objects.filter(team_id__in=ids, status=HoursStatus.CONFIRMED).aggregate(
        n=Sum("hours")
    )
    return value["n"] or Decimal("0")


def hours_entries(
    *,
    status: str = "",
    team: str = "",
    under: str = "",
    volunteer: int | None = None,
    q: str = "",
    month: str = "",
) -> QuerySet[VolunteerHours]:
    queryset = VolunteerHours.objects.select_related("volunteer", "team", "activity", "confirmed_by")
    try:
        first = datetime.datetime.strptime(month, "%Y-%m").date() if month else None
    except ValueError:
        first = None
    if first is not None:
        # The month served: where the "volunteers.hours" tally counts an entry.
        queryset = queryset.filter(
            served_on__gte=first, served_on__lt=(first + datetime.timedelta(days=32)).replace(day=1)
        )
    if status:
        queryset = queryset.filter(status=status)
    if (team_id := as_int(team)) is not None:
        queryset = queryset.filter(team_id__in=team_with_descendants(team_id))
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if volunteer:
        queryset = queryset.filter(volunteer_id=volunteer)
    if q:
        queryset = queryset.filter(Q(volunteer__name__contains=q) | Q(description__contains=q))
    return queryset.order_by("status", "-served_on", "-id")


@dataclass
class HoursRow:
    code: str
    name: str
    confirmed: Decimal = Decimal("0")
    pending: Decimal = Decimal("0")
    volunteers: int = 0


def hours_by_region(region: Region) -> tuple[HoursRow, list[HoursRow]]:
    """Confirmed and pending hours in ``region`` and each of its children."""
    children = list(Region.objects.filter(parent_id=region.code).order_by("code"))
    length = child_prefix_length(region.level)
    rows = grouped_by_child(
        VolunteerHours.objects.filter(region_subtree_q(region.code)),
        region.level,
        confirmed=Sum("hours", filter=Q(status=HoursStatus.CONFIRMED)),
        pending=Sum("hours", filter=Q(status=HoursStatus.LOGGED)),
        people=Count("volunteer_id", distinct=True),
    )
    total = HoursRow(region.code, region.name)
    by_child = {c.code[:length]: HoursRow(c.code, c.name) for c in children}
    for row in rows:
        for target in (total, by_child.get(row["bucket"])):
            if target is None:
                continue
            target.confirmed += row["confirmed"] or 0
            target.pending += row["pending"] or 0
            target.volunteers += row["people"]
    return total, list(by_child.values())


def recruitment(worker_ids: list[int]) -> dict[int, int]:
    """Active volunteers each worker recruited (target: 5 per worker, seed 003)."""
    rows = (
        Volunteer.objects.filter(recruited_by_id__in=worker_ids, status=VolunteerStatus.ACTIVE)
        .values("recruited_by_id")
        .annotate(n=Count("id"))
    )
    return {r["recruited_by_id"]: r["n"] for r in rows}


RECRUIT_TARGET = VOLUNTEER_TARGET_PER_WORKER


# Public sign-up --------------------------------------------------------------------------------------------------
# The sign-up page has no login and so no scope. Region names, and which townships have a station, are public; these
# reads use the base managers and take nothing from a service node but its region code.


def _served_township_codes() -> QuerySet:
    """Codes of the townships with a service node in use: a station in the township or a room in one of its
    villages. Planned nodes have no staff yet to approve a volunteer, closed ones never will."""
    return (
        ServiceNode.objects.exclude(status__in=[NodeStatus.PLANNED, NodeStatus.CLOSED])
        .annotate(
            township=Concat(
                Substr("region_code", 1, PREFIX_LENGTH[Level.TOWNSHIP]),
                Value("000"),
                output_field=CharField(),
            )
        )
        .values("township")
    )


def signup_townships() -> list[Region]:
    """The townships the sign-up page offers, with their county and city for grouping."""
    with across_regions("the public volunteer sign-up page offers every served township"):
        return list(
            Region.objects.filter(level=Level.TOWNSHIP, code__in=_served_township_codes())
            .select_related("parent__parent")
            .order_by("code")
        )


def signup_villages(*, township: str = "", query: str = "", limit: int) -> tuple[list[Region], int]:
    """Up to ``limit`` + 1 villages (communities) of the offered townships a volunteer can sign up in, narrowed to
    one township and/or to those whose own or township's name contains ``query``, and how many match in all."""
    query = query.strip()
    # Querysets take the scope active when they are built: build them inside the deliberate cross-region read.
    with across_regions("the public volunteer sign-up page offers every served community"):
        villages = _signup_villages()
        if township:
            villages = villages.filter(parent_id=township)
        if query:
            villages = villages.filter(Q(name__contains=query) | Q(parent__name__contains=query))
        rows = list(villages.select_related("parent__parent").order_by("code")[: limit + 1])
        return rows, (len(rows) if len(rows) <= limit else villages.count())


def signup_village(code: str) -> Region | None:
    """The offered village with ``code``, if the sign-up page offers it."""
    with across_regions("the public volunteer sign-up page offers every served community"):
        return _signup_villages().filter(code=code).select_related("parent").first()


def _signup_villages() -> QuerySet[Region]:
    return Region.objects.filter(level=Level.VILLAGE, parent_id__in=_served_township_codes())


def hours_waiting_badge(actor, shown: set[str]) -> dict[str, int]:
    """The menu's "时长确认" badge: how many hours entries the actor may confirm wait for it (one COUNT query)."""
    if "people:hours" not in shown or not actor.can("hours.confirm"):
        return {}
    return {"people:hours": VolunteerHours.objects.filter(status=HoursStatus.LOGGED).count()}


def region_figures(parent_level: int, codes: list[str]) -> list:
    """The regions page's worker column: workers in post per region (``regions.selectors.FIGURES_BY_REGION``)."""
    from django.utils.translation import gettext

    from shegong.regions.selectors import RegionFigure, counts_by_region

    counts = counts_by_region(
        SocialWorker.objects.filter(status=WorkerStatus.ACTIVE), parent_level, codes, n=Count("id")
    )
    return [
        RegionFigure(
            gettext("在岗社工"),
            {c: counts[c].get("n", 0) for c in codes},
            url_name="people:workers",
            query="status=active",
            permission="people.view",
            order=40,
        )
    ]


def with_policies(rows) -> list:
    """Give each posting or departure in ``rows`` the local policy in force where it is, in one query (a list
    would otherwise resolve it row by row)."""
    rows = list(rows)
    policies = policies_for(sorted({r.region_code for r in rows}))
    for row in rows:
        row.policy = policies[row.region_code]
    return rows


def confirmed_hours_by_month() -> dict:
    """Confirmed volunteer hours per (region, month) — the recount of ``core.tallies`` "volunteers.hours".

    An entry counts in its own region (the volunteer's, which the entry carries and where it is confirmed) and in
    the month it was served, whatever activity or team it was logged for: a volunteer's hours add up where the
    volunteer is registered, and the figure needs no join to be recounted.
    """
    from shegong.core.tallies import month_of

    out: dict = {}
    rows = VolunteerHours.objects.filter(status=HoursStatus.CONFIRMED).values_list(
        "region_code", "served_on", "hours"
    )
    for code, served_on, hours in rows.iterator(chunk_size=5000):
        key = (code, month_of(served_on))
        out[key] = out.get(key, 0) + hours
    return out


# Supervision (who supervises whom) -------------------------------------------------------------------------------

# Sections a higher app adds to a worker's page (training history, supervision received): contributors are called
# with (request, worker) and return rendered HTML or "" — the people app never imports them.
WORKER_SECTIONS = Hook("worker page sections")


def supervisor_of_user(user) -> Supervisor | None:
    """The register entry of an account that supervises, wherever it is filed (None: not a supervisor)."""
    if user is None or not getattr(user, "pk", None):
        return None
    with across_regions("the actor's own supervisor record, wherever it is filed"):
        return Supervisor.objects.filter(user_id=user.pk, active=True).first()


def active_supervisions(on: datetime.date | None = None) -> QuerySet[SupervisionAssignment]:
    return SupervisionAssignment.objects.filter(SupervisionAssignment.active_q(on))


def supervisors_of_station(node, on: datetime.date | None = None) -> QuerySet[Supervisor]:
    """The supervisors assigned to a station (or room) today: who approves its workers' case plans."""
    ids = active_supervisions(on).filter(node_id=getattr(node, "pk", node)).values("supervisor_id")
    return Supervisor.objects.filter(pk__in=ids, active=True)


def supervisors_of_worker(worker, on: datetime.date | None = None) -> QuerySet[Supervisor]:
    """A worker's supervisors today: assigned to it directly, or to a station where it is in post."""
    on = on or timezone.localdate()
    worker_id = getattr(worker, "pk", worker)
    nodes = WorkerAssignment.objects.filter(WorkerAssignment.in_post(on), worker_id=worker_id).values(
        "node_id"
    )
    ids = (
        active_supervisions(on).filter(Q(worker_id=worker_id) | Q(node_id__in=nodes)).values("supervisor_id")
    )
    return Supervisor.objects.filter(pk__in=ids, active=True)


def supervised_worker_ids(user, on: datetime.date | None = None) -> set[int]:
    """The workers whose account ``user`` supervises today (directly or at a station), within the active scope."""
    on = on or timezone.localdate()
    mine = active_supervisions(on).filter(supervisor__user_id=getattr(user, "pk", user))
    direct = set(mine.filter(worker__isnull=False).values_list("worker_id", flat=True))
    at_nodes = set(
        WorkerAssignment.objects.filter(
            WorkerAssignment.in_post(on), node_id__in=mine.filter(node__isnull=False).values("node_id")
        ).values_list("worker_id", flat=True)
    )
    return direct | at_nodes


def supervises(user, worker, on: datetime.date | None = None) -> bool:
    return getattr(worker, "pk", worker) in supervised_worker_ids(user, on)


def supervisors(*, q: str = "", level: str = "", kind: str = "") -> QuerySet[Supervisor]:
    queryset = Supervisor.objects.select_related("organisation", "region")
    if q:
        queryset = queryset.filter(name__contains=q)
    if level:
        queryset = queryset.filter(level=level)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.annotate(
        current=Count(
            "assignments", filter=SupervisionAssignment.active_q(prefix="assignments__"), distinct=True
        )
    ).order_by("-active", "name")

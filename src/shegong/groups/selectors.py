"""Reads on group work: lists, the attendance grid, the counted sessions and the people they served."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.recipients.selectors import Event
from shegong.regions.selectors import region_subtree_q

from .models import FREQUENCY_DAYS, Attendance, Frequency, Group, GroupMember, GroupSession, GroupStage

SESSIONS_METRIC = "groups.sessions"
LIST_FILTERS = ("under", "stage", "kind", "q")


def groups(*, under: str = "", stage: str = "", kind: str = "", q: str = "") -> QuerySet[Group]:
    queryset = Group.objects.select_related("node", "leader").annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        session_count=Count("sessions", distinct=True),
    )
    if under.isdigit():
        queryset = queryset.filter(region_subtree_q(under))
    if stage in GroupStage.values:
        queryset = queryset.filter(stage=stage)
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    return queryset.order_by("-starts_on", "-pk")


@dataclass
class Grid:
    """Attendance per member (rows) × session (columns): each cell True (present), False (absent) or None (not
    a member then, or no record)."""

    sessions: list[GroupSession]
    rows: list[tuple[GroupMember, list[bool | None], int]]

    @property
    def totals(self) -> list[int]:
        return [sum(1 for _m, cells, _n in self.rows if cells[i]) for i in range(len(self.sessions))]


def attendance_grid(group: Group) -> Grid:
    sessions = list(group.sessions.order_by("number"))
    members = list(group.members.select_related("recipient").order_by("joined_on", "pk"))
    marks = {
        (a.member_id, a.session_id): a.present
        for a in Attendance.objects.filter(session__group=group).only("member_id", "session_id", "present")
    }
    rows = []
    for member in members:
        cells = [marks.get((member.pk, s.pk)) for s in sessions]
        rows.append((member, cells, sum(1 for c in cells if c)))
    return Grid(sessions, rows)


def members_on(group: Group, day: datetime.date) -> list[GroupMember]:
    """The members who belong to the group on ``day`` (those a session that day takes attendance of)."""
    return [
        m for m in group.members.select_related("recipient").order_by("joined_on", "pk") if m.active_on(day)
    ]


# The meeting schedule: the next session due ---------------------------------------------------------------------


@dataclass(frozen=True)
class NextSession:
    """The next session a scheduled group owes: its number, the next meeting day on the schedule (today or later),
    and the first meeting day since the last session held that passed with no session recorded (None if none)."""

    number: int
    on: datetime.date
    missed: datetime.date | None = None

    @property
    def due_on(self) -> datetime.date:
        """The day the session was (or is) due: a missed meeting day, else the next one."""
        return self.missed or self.on

    def days_late(self, today: datetime.date) -> int:
        return max(0, (today - self.due_on).days)


def _meeting_on_or_after(first: datetime.date, every: int, day: datetime.date) -> datetime.date:
    """The first meeting day of the grid ``first + k·every`` (k ≥ 0) that falls on or after ``day``."""
    if day <= first:
        return first
    steps = -(-(day - first).days // every)  # ceiling
    return first + datetime.timedelta(days=steps * every)


def next_session(
    *,
    meets: str,
    weekday: int | None,
    starts_on: datetime.date,
    planned: int,
    held: int,
    last_held_on: datetime.date | None,
    ended: bool,
    today: datetime.date,
) -> NextSession | None:
    """The next session due from a group's schedule (pure: no database).

    The meeting days are a grid: the first ``weekday`` on or after ``starts_on``, then every week (每周) or every
    two weeks (每两周). Sessions are numbered in the order held, so a skipped week does not shift the numbers: the
    next one is number ``held + 1``, due on the first meeting day after the one the last session held stood for
    (the meeting day nearest to it), or from the start day. If that day has passed it is ``missed`` (overdue)
    and ``on`` is the next meeting day from today. A group with no schedule, ended, or that has held all its
    planned sessions owes none."""
    every = FREQUENCY_DAYS.get(Frequency(meets)) if meets in Frequency.values else None
    if every is None or weekday is None or ended or held >= planned:
        return None
    first = starts_on + datetime.timedelta(days=(weekday - starts_on.weekday()) % 7)
    # A session held counts for the meeting day nearest to it (one moved a day or two either way is that week's),
    # so the next is due on the first meeting day at least half an interval after it.
    since = (
        max(starts_on, last_held_on + datetime.timedelta(days=-(-every // 2))) if last_held_on else starts_on
    )
    due = _meeting_on_or_after(first, every, since)
    if due >= today:
        return NextSession(held + 1, due)
    return NextSession(held + 1, _meeting_on_or_after(first, every, today), missed=due)


def next_session_of(group: Group, today: datetime.date | None = None) -> NextSession | None:
    """``next_session`` for a group; reads ``held`` and ``last_held_on`` annotations when present (as
    ``scheduled_groups`` gives them), else asks the database."""
    held, last = getattr(group, "held", None), getattr(group, "last_held_on", None)
    if held is None:
        agg = group.sessions.aggregate(n=Count("pk"), last=Max("held_on"))
        held, last = agg["n"], agg["last"]
    return next_session(
        meets=group.meets,
        weekday=group.meets_weekday,
        starts_on=group.starts_on,
        planned=group.planned_sessions,
        held=held,
        last_held_on=last,
        ended=not group.is_open,
        today=today or timezone.localdate(),
    )


def scheduled_groups(queryset: QuerySet[Group] | None = None) -> QuerySet[Group]:
    """Open groups with a schedule, annotated with the sessions held and the last day one was held."""
    queryset = Group.objects.all() if queryset is None else queryset
    return (
        queryset.exclude(stage=GroupStage.ENDED)
        .exclude(meets="")
        .annotate(held=Count("sessions", distinct=True), last_held_on=Max("sessions__held_on"))
    )


@dataclass
class GroupDue:
    group: Group
    next: NextSession
    meets_today: bool


def groups_due(
    *, worker_id=None, station_id=None, under: str = "", today: datetime.date | None = None, limit: int = 200
) -> list[GroupDue]:
    """Scheduled groups (led or co-led by ``worker_id``, or at ``station_id``'s township, or under ``under``) that
    meet today or have missed a meeting day, the most overdue first."""
    from shegong.network.models import ServiceNode

    today = today or timezone.localdate()
    queryset = Group.objects.all()
    if worker_id is not None:
        queryset = queryset.filter(Q(leader_id=worker_id) | Q(co_leaders=worker_id))
    if station_id is not None:
        station = ServiceNode.objects.filter(pk=station_id).only("region_code").first()
        if station is None:
            return []
        queryset = queryset.filter(region_subtree_q(station.region_code))
    if under and under.isdigit() and len(under) == 12:
        queryset = queryset.filter(region_subtree_q(under))
    found = []
    rows = scheduled_groups(queryset).select_related("leader").order_by("pk").distinct()[:limit]
    for group in rows:
        upcoming = next_session_of(group, today)
        if upcoming is not None and (upcoming.on == today or upcoming.missed is not None):
            found.append(GroupDue(group, upcoming, upcoming.on == today))
    found.sort(key=lambda d: (-d.next.days_late(today), d.group.meets_at or datetime.time(), d.group.pk))
    return found


# Counted figures (core.tallies) ---------------------------------------------------------------------------------


def sessions_by_month() -> dict:
    """Sessions held per (group's region, month): the recount of "groups.sessions"."""
    out: dict = defaultdict(int)
    for code, day in GroupSession.objects.values_list("region_code", "held_on").iterator(chunk_size=5000):
        out[(code, tallies.month_of(day))] += 1
    return dict(out)


def served_members():
    """Registry members present at a session, as people served: counted in the recipient's own region (as visits
    are), so a person both visited and in a group in one month counts once."""
    rows = Attendance.objects.filter(present=True, member__recipient__isnull=False).values_list(
        "member__recipient__region_code", "session__held_on", "member__recipient_id"
    )
    return ((code, day, f"recipient:{rid}") for code, day, rid in rows.iterator(chunk_size=5000))


def region_figures(parent_level: int, codes: list[str]) -> list:
    """The regions page's column: group sessions held this month per region (``FIGURES_BY_REGION``)."""
    from shegong.core.grouping import child_prefix_length
    from shegong.core.regioncodes import parent_code_of
    from shegong.regions.selectors import RegionFigure

    if not codes:
        return []
    parent = parent_code_of(codes[0])
    month = timezone.localdate().replace(day=1)
    counts = tallies.by_child(parent, parent_level, [SESSIONS_METRIC], months=[month]) if parent else {}
    length = child_prefix_length(parent_level)
    return [
        RegionFigure(
            _("本月小组活动"),
            {c: int(counts.get(c[:length], {}).get(SESSIONS_METRIC, 0)) for c in codes},
            url_name="groups:list",
            permission="groups.view",
            order=60,
        )
    ]


# The recipient's timeline --------------------------------------------------------------------------------------


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def timeline_events(recipient, limit: int) -> list[Event]:
    rows = (
        Attendance.objects.filter(member__recipient=recipient, present=True)
        .select_related("session__group__leader")
        .order_by("-session__held_on")[:limit]
    )
    return [
        Event(
            _noon(a.session.held_on),
            "group",
            _("参加小组“%(g)s”第 %(n)s 节") % {"g": a.session.group.name, "n": a.session.number},
            a.session.group.leader.name,
        )
        for a in rows
    ]


# The worker's "today" list (visits.selectors hooks) ---------------------------------------------------------------


def _due_detail(due: GroupDue) -> str:
    group, upcoming = due.group, due.next
    at = group.meets_at.strftime("%H:%M") if group.meets_at else ""
    where = group.meets_place or ""
    text = _("今天 %(at)s 第 %(n)s 节") % {"at": at, "n": upcoming.number}
    if upcoming.missed is not None:
        text += _("（%(d)s 的一节未记录）") % {"d": upcoming.missed}
    return f"{text} · {where}" if where else text


def worklist_section(actor, worker, station=None) -> list:
    """The "today" list (``visits.selectors.WORKLIST_SECTIONS``): the groups the worker leads or co-leads that meet
    today (or, for a station head without a worker record, the station's groups that do), each linking to recording
    the session's attendance. Missed meeting days are overdue items (``worklist_items``), not repeated here."""
    from django.urls import reverse

    from shegong.visits.selectors import WorkSection

    if not actor.can("groups.view"):
        return []
    if worker is not None:
        due = groups_due(worker_id=worker.pk)
    elif station is not None:
        due = groups_due(station_id=station.pk)
    else:
        return []
    rows = [
        (
            d.group.name if worker is not None else f"{d.group.name} · {d.group.leader.name}",
            _due_detail(d),
            reverse("groups:session_new", args=[d.group.pk]),
            d.next.missed is not None,
        )
        for d in due
        if d.meets_today
    ]
    if not rows:
        return []
    return [WorkSection("groups", _("今天的小组活动"), reverse("groups:list"), rows)]


def worklist_items(*, worker_id=None, station_id=None, under: str = "", today=None) -> list:
    """The visits worklist hook (``visits.selectors.WORKLIST_EXTRAS``): group sessions overdue (a meeting day passed
    with none recorded), for a worker, a station (the station head's view) or an area (the overdue page)."""
    from django.urls import reverse

    from shegong.visits.selectors import ExtraItem

    today = today or timezone.localdate()
    return [
        ExtraItem(
            kind="group",
            title=due.group.name,
            detail=_("第 %(n)s 节应于 %(d)s 开展，尚未记录") % {"n": due.next.number, "d": due.next.due_on},
            url=reverse("groups:session_new", args=[due.group.pk]),
            days_late=due.next.days_late(today),
            worker_name=due.group.leader.name,
        )
        for due in groups_due(worker_id=worker_id, station_id=station_id, under=under, today=today)
        if due.next.missed is not None
    ]

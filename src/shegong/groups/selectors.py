"""Reads on group work: lists, the attendance grid, the counted sessions and the people they served."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.recipients.selectors import Event
from shegong.regions.selectors import region_subtree_q

from .models import Attendance, Group, GroupMember, GroupSession, GroupStage

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

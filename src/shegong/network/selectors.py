"""Reads on the service network: lists, coverage and the five-haves check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.grouping import child_prefix_length, grouped_by_child_map
from shegong.core.hooks import Hook
from shegong.core.regioncodes import Level, subtree_bounds
from shegong.regions.models import Region
from shegong.regions.selectors import RegionFigure, counts_by_region, policies_for, region_subtree_q

from .models import NodeLevel, NodeStatus, ServiceNode


def nodes(*, level: str = "", status: str = "", under: str = "", q: str = "") -> QuerySet[ServiceNode]:
    queryset = ServiceNode.objects.select_related("region", "operator")
    if level:
        queryset = queryset.filter(level=level)
    if status:
        queryset = queryset.filter(status=status)
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(region__name__contains=q) | Q(address__contains=q))
    return queryset.order_by("region_code", "level", "name")


@dataclass
class CoverageRow:
    code: str
    name: str
    level: int
    townships: int = 0
    townships_covered: int = 0
    villages: int = 0
    villages_covered: int = 0
    rooms_standardised: int = 0
    stations: int = 0
    rooms: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def station_rate(self) -> float | None:
        return self._rate(self.townships_covered, self.townships)

    @property
    def room_rate(self) -> float | None:
        return self._rate(self.villages_covered, self.villages)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "townships": self.townships,
            "townships_covered": self.townships_covered,
            "station_rate": self.station_rate,
            "villages": self.villages,
            "villages_covered": self.villages_covered,
            "room_rate": self.room_rate,
            "stations": self.stations,
            "rooms": self.rooms,
            "rooms_standardised": self.rooms_standardised,
        }


@dataclass
class Coverage:
    total: CoverageRow
    children: list[CoverageRow] = field(default_factory=list)


def coverage(region: Region) -> Coverage:
    """Coverage of ``region`` and of each of its children, in a fixed number of queries."""
    low, high = subtree_bounds(region.code)
    children = list(Region.objects.filter(parent_id=region.code).order_by("code"))
    level = region.level

    regions_in = Region.objects.filter(code__gte=low, code__lte=high)
    township_counts = grouped_by_child_map(
        regions_in.filter(level=Level.TOWNSHIP), level, field="code", n=Count("code")
    )
    village_counts = grouped_by_child_map(
        regions_in.filter(level=Level.VILLAGE), level, field="code", n=Count("code")
    )

    open_nodes = ServiceNode.objects.filter(
        region_code__gte=low, region_code__lte=high, status=NodeStatus.OPERATING
    )
    station_counts = grouped_by_child_map(
        open_nodes.filter(level=NodeLevel.STATION, region__level=Level.TOWNSHIP),
        level,
        n=Count("id"),
        covered=Count("region_code", distinct=True),
    )
    room_counts = grouped_by_child_map(
        open_nodes.filter(level=NodeLevel.ROOM, region__level=Level.VILLAGE),
        level,
        n=Count("id"),
        covered=Count("region_code", distinct=True),
        standardised=Count("id", filter=Q(standardised=True)),
    )

    def row_for(code: str, name: str, level: int, bucket: str | None) -> CoverageRow:
        def pick(table, key, default=0):
            if bucket is None:
                return sum(r[key] for r in table.values())
            return table.get(bucket, {}).get(key, default)

        return CoverageRow(
            code=code,
            name=name,
            level=level,
            townships=pick(township_counts, "n"),
            townships_covered=pick(station_counts, "covered"),
            villages=pick(village_counts, "n"),
            villages_covered=pick(room_counts, "covered"),
            rooms_standardised=pick(room_counts, "standardised"),
            stations=pick(station_counts, "n"),
            rooms=pick(room_counts, "n"),
        )

    total = row_for(region.code, region.name, region.level, None)
    child_rows = [row_for(c.code, c.name, c.level, c.code[: child_prefix_length(level)]) for c in children]
    return Coverage(total=total, children=child_rows)


@dataclass
class FiveHaves:
    """五有: 有场地、有人员、有功能、有制度、有活动, each with the figure behind it."""

    site: bool
    staff: bool
    functions: bool
    rules: bool
    activities: bool
    fulltime_workers: int
    certified_workers: int
    required_fulltime: int
    required_certified: int
    rules_documents: int
    recent_activities: int

    @property
    def met(self) -> int:
        return sum([self.site, self.staff, self.functions, self.rules, self.activities])

    @property
    def complete(self) -> bool:
        return self.met == 5


ACTIVITY_WINDOW_DAYS = 30

# The staff and activity parts of the check are kept by other apps, which register a contributor here:
# ``STAFFING_BY_NODE``: fn(node_ids) -> {node_id: (full-time workers, certified workers)} (the people app);
# ``ACTIVITIES_BY_NODE``: fn(node_ids, since=date) -> {node_id: activities held since} (the activities app).
STAFFING_BY_NODE = Hook("staffing by node")
ACTIVITIES_BY_NODE = Hook("activities by node")


def _summed(results: list[dict], empty) -> dict:
    merged: dict = {}
    for result in results:
        for key, value in result.items():
            have = merged.get(key, empty)
            merged[key] = (
                tuple(a + b for a, b in zip(have, value, strict=True))
                if isinstance(have, tuple)
                else have + value
            )
    return merged


def five_haves(nodes_: list[ServiceNode]) -> dict[int, FiveHaves]:
    ids = [n.pk for n in nodes_]
    since = timezone.localdate() - datetime.timedelta(days=ACTIVITY_WINDOW_DAYS)
    staffing = _summed(STAFFING_BY_NODE.results(ids), (0, 0))
    activities = _summed(ACTIVITIES_BY_NODE.results(ids, since=since), 0)
    documents = dict(
        ServiceNode.objects.filter(pk__in=ids)
        .annotate(n=Count("documents", filter=Q(documents__kind="rules")))
        .values_list("pk", "n")
    )
    standards = policies_for(sorted({n.region_code for n in nodes_}))
    result = {}
    for node in nodes_:
        standard = standards[node.region_code]
        fulltime, certified = staffing.get(node.pk, (0, 0))
        result[node.pk] = FiveHaves(
            site=bool(node.address and node.site_area and node.site_area > 0),
            staff=fulltime >= standard.station_min_fulltime and certified >= standard.station_min_certified,
            functions=bool(node.function_rooms),
            rules=documents.get(node.pk, 0) > 0,
            activities=activities.get(node.pk, 0) > 0,
            fulltime_workers=fulltime,
            certified_workers=certified,
            required_fulltime=standard.station_min_fulltime,
            required_certified=standard.station_min_certified,
            rules_documents=documents.get(node.pk, 0),
            recent_activities=activities.get(node.pk, 0),
        )
    return result


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "—"


def region_figures(parent_level: int, codes: list[str]) -> list[RegionFigure]:
    """The regions page's station column and coverage (townships with a station, villages with a room)."""
    regions_in = Region.objects.all()
    townships = counts_by_region(
        regions_in.filter(level=Level.TOWNSHIP), parent_level, codes, field="code", n=Count("code")
    )
    villages = counts_by_region(
        regions_in.filter(level=Level.VILLAGE), parent_level, codes, field="code", n=Count("code")
    )
    open_nodes = ServiceNode.objects.filter(status=NodeStatus.OPERATING)
    stations = counts_by_region(
        open_nodes.filter(level=NodeLevel.STATION, region__level=Level.TOWNSHIP),
        parent_level,
        codes,
        n=Count("id"),
        covered=Count("region_code", distinct=True),
    )
    rooms = counts_by_region(
        open_nodes.filter(level=NodeLevel.ROOM, region__level=Level.VILLAGE),
        parent_level,
        codes,
        n=Count("id"),
        covered=Count("region_code", distinct=True),
    )
    return [
        RegionFigure(
            _("社工站覆盖街镇"),
            {c: _share(stations[c].get("covered", 0), townships[c].get("n", 0)) for c in codes},
            order=10,
        ),
        RegionFigure(
            _("社工室覆盖村社区"),
            {c: _share(rooms[c].get("covered", 0), villages[c].get("n", 0)) for c in codes},
            order=20,
        ),
        RegionFigure(
            _("社工站"),
            {c: stations[c].get("n", 0) for c in codes},
            url_name="network:list",
            query="level=station&status=operating",
            permission="network.view",
            order=30,
        ),
        RegionFigure(
            _("社工室"),
            {c: rooms[c].get("n", 0) for c in codes},
            url_name="network:list",
            query="level=room&status=operating",
            permission="network.view",
            order=35,
        ),
    ]


@dataclass
class Development:
    """Where a station has got to: its latest stage (覆盖/规范/提升) and its highest demonstration title."""

    stage: object = None  # StationStage
    demonstration: object = None  # Demonstration


_DEMONSTRATION_RANK = {"county": 1, "city": 2, "province": 3}


def development(nodes_: list[ServiceNode]) -> dict[int, Development]:
    """Each node's development, two queries for any number of nodes."""
    from .models import STAGE_ORDER, Demonstration, StationStage

    ids = [n.pk for n in nodes_]
    out = {pk: Development() for pk in ids}
    rank = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    for step in StationStage.objects.filter(node_id__in=ids):
        current = out[step.node_id].stage
        if current is None or rank[step.stage] > rank[current.stage]:
            out[step.node_id].stage = step
    for named in Demonstration.objects.filter(node_id__in=ids):
        current = out[named.node_id].demonstration
        key = (_DEMONSTRATION_RANK[named.level], named.year)
        if current is None or key > (_DEMONSTRATION_RANK[current.level], current.year):
            out[named.node_id].demonstration = named
    return out

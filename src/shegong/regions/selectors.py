"""Reads on the region tree. Every query goes through the scoped manager."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet

from shegong.core.hooks import Hook
from shegong.core.regioncodes import Level, ancestors_of, in_subtree, subtree_bounds

from .models import Region, RegionStandard


def region_subtree_q(code: str, field: str = "region_code") -> Q:
    low, high = subtree_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def children_of(code: str | None) -> QuerySet[Region]:
    if code is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent_id=code)


def visible_roots() -> QuerySet[Region]:
    """The top of what the actor can browse: regions whose parent it cannot see."""
    visible = Region.objects.all()
    return visible.exclude(parent_id__in=visible.values("code")).order_by("code")


def scope_roots(scope) -> QuerySet[Region]:
    """The regions at the top of the actor's own subtrees, highest level first."""
    return Region.objects.filter(code__in=sorted(scope.region_codes)).order_by("level", "code")


def breadcrumbs(region: Region) -> list[Region]:
    codes = ancestors_of(region.code)
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found] + [region]


def search(term: str, *, under: str | None = None, limit: int = 50) -> QuerySet[Region]:
    term = term.strip()
    queryset = Region.objects.all()
    if under:
        queryset = queryset.filter(region_subtree_q(under, "code"))
    if term.isdigit():
        queryset = queryset.filter(code__startswith=term)
    else:
        queryset = queryset.filter(name__contains=term)
    return queryset.order_by("level", "code")[:limit]


def child_counts(codes: list[str]) -> dict[str, int]:
    from django.db.models import Count

    rows = Region.objects.filter(parent_id__in=codes).values("parent_id").annotate(n=Count("code"))
    return {row["parent_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Policy:
    """The local policy in force in a region: each value from the nearest region (itself or an ancestor) that sets
    it, else the seed's (SPEC §2, seed 003). ``sources`` names, per field, the region code that set it ("" = seed)."""

    station_min_fulltime: int = 2
    station_min_certified: int = 0
    filing_due_days: int = 7
    notice_min_days: int = 30
    notice_max_days: int = 60
    dishonesty_bar_years: int = 2
    # Casework time rules (MZ/T 094): assessment and plan after intake, plan review, long-open flag.
    case_assessment_days: int = 7
    case_plan_days: int = 14
    case_review_days: int = 90
    case_long_open_months: int = 12
    # Supervision due once a month per relationship (seed 003, Haining: monthly supervision).
    supervision_interval_days: int = 30
    # Continuing education a worker owes a year: 72 hours (社会工作者继续教育办法, 2019).
    training_hours_per_year: int = 72
    # The subsidy (seed 003): 40% of actual investment, at most ¥300,000.
    subsidy_percent: int = 40
    subsidy_cap_yuan: int = 300000
    # Stations or projects scoring at least this share of the framework's points qualify ("evaluate well").
    subsidy_min_score_percent: int = 80
    offline_wipe_days: int = 7
    volunteers_per_worker: int = 5
    overspend_refused: bool = True
    # The weekly report (seed 004, 每周一报送) is due on Monday at 12:00 for the week before.
    weekly_report_due_hours: int = 12
    sources: tuple[tuple[str, str], ...] = ()

    def source_of(self, name: str) -> str:
        return dict(self.sources).get(name, "")


POLICY_FIELDS = (
    "station_min_fulltime",
    "station_min_certified",
    "filing_due_days",
    "notice_min_days",
    "notice_max_days",
    "dishonesty_bar_years",
    "case_assessment_days",
    "case_plan_days",
    "case_review_days",
    "case_long_open_months",
    "supervision_interval_days",
    "training_hours_per_year",
    "subsidy_percent",
    "subsidy_cap_yuan",
    "subsidy_min_score_percent",
    "offline_wipe_days",
    "volunteers_per_worker",
    "overspend_refused",
    "weekly_report_due_hours",
)
SEED_POLICY = Policy()


def policies_for(codes: list[str]) -> dict[str, Policy]:
    """The one resolver of local policy: for each code, each value from the nearest region that sets it."""
    chains = {code: ancestors_of(code) + [code] for code in codes}
    wanted = {c for chain in chains.values() for c in chain}
    found = {s.region_id: s for s in RegionStandard.objects.filter(region_id__in=wanted)}
    result = {}
    for code, chain in chains.items():
        values, sources = {}, {}
        for name in POLICY_FIELDS:
            for candidate in reversed(chain):
                value = getattr(found[candidate], name) if candidate in found else None
                if value is not None:
                    values[name], sources[name] = value, candidate
                    break
        result[code] = Policy(**values, sources=tuple(sorted(sources.items())))
    return result


def policy_for(code: str) -> Policy:
    return policies_for([code])[code]


def policy_overrides(names: list[str]) -> dict[str, dict[str, int]]:
    """For each policy name, the regions that set their own value (one query for several ``policy_q``)."""
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    for row in RegionStandard.objects.values("region_id", *names):
        for name in names:
            if row[name] is not None:
                found[name][row["region_id"]] = row[name]
    return found


def policy_q(name: str, build, field: str = "region_code", *, overrides: dict[str, int] | None = None) -> Q:
    """A filter that applies each region's own value of policy ``name``: ``build(value)`` is the condition under
    that value; a row takes the value of the deepest region above it that sets one (the seed's elsewhere). One Q
    whatever the rows, a term per region that sets the value. ``overrides``: this name's entry of
    ``policy_overrides`` when several filters are built at once."""
    if overrides is None:
        overrides = dict(
            RegionStandard.objects.filter(**{f"{name}__isnull": False}).values_list("region_id", name)
        )
    codes = sorted(overrides)

    def outside(roots: list[str]) -> Q:
        return ~within_any_q(roots, field) if roots else Q()

    query = build(getattr(SEED_POLICY, name)) & outside(codes)
    for code in codes:
        deeper = [c for c in codes if c != code and in_subtree(c, code)]
        query |= region_subtree_q(code, field) & outside(deeper) & build(overrides[code])
    return query


def level_of_region(region: Region) -> Level:
    return Level(region.level)


def village_choices(roots: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Select-box choices for the villages (communities) under ``roots``, grouped under their township."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for code, parent, name, township in _villages(roots):
        groups.setdefault(parent, (township, []))[1].append((code, name))
    return list(groups.values())


def communities_under(roots: list[str]) -> list[tuple[str, str, str]]:
    """(name, township name, 12-digit code) of every village (community) under ``roots``, by code: the 社区代码
    sheet of an import template. Scoped: only what the actor may see."""
    return [(name, township, code) for code, _group, name, township in _villages(roots)]


def _villages(roots: list[str]):
    query = Q(pk__in=[])
    for root in roots:
        query |= region_subtree_q(root, "code")
    villages = Region.objects.filter(query, level=Level.VILLAGE).select_related("parent").order_by("code")
    for village in villages:
        yield (
            village.code,
            village.parent_id or "",
            village.name,
            village.parent.name if village.parent else "",
        )


def area_choices(roots: list[str], *, lowest: Level = Level.TOWNSHIP) -> list[tuple[str, str]]:
    """Select-box choices for ``roots`` and the regions under them down to ``lowest``, indented by depth.

    A root is offered whatever its level: a user whose area is one village picks that village.
    """
    query = Q(pk__in=[])
    for root in roots:
        query |= region_subtree_q(root, "code")
    regions = Region.objects.filter((query & Q(level__lte=lowest)) | Q(code__in=roots)).order_by("code")
    top = min((r.level for r in regions), default=0)
    return [(r.code, "\u3000" * (r.level - top) + str(r)) for r in regions]


def region_from_request(request) -> Region:
    """The region a page is about: ``?region=CODE`` inside the actor's scope (404 otherwise), else the actor's
    home region, else the first visible one."""
    from django.http import Http404

    from shegong.core.scoping import get_scoped_or_404

    code = request.GET.get("region", "").strip()
    if code:
        return get_scoped_or_404(Region, code=code)
    home = request.actor.home_region_code
    region = Region.objects.filter(code=home).first() if home else None
    if region is None:
        region = Region.objects.order_by("level", "code").first()
    if region is None:
        raise Http404
    return region


def region_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, label) of the regions with ``codes``, for a picker of the actor's own areas."""
    return [(r.code, str(r)) for r in Region.objects.filter(code__in=codes).order_by("code")]


# The regions page shows, per region, figures other apps keep (stations, workers, recipients). ``regions`` is ground
# and imports none of them: each registers a contributor here from its ``AppConfig.ready()``.
# ``FIGURES_BY_REGION``: fn(parent_level, codes) -> list[RegionFigure]; ``codes`` are regions one level below
# ``parent_level``, and each figure's ``values`` is keyed by those codes (count with ``core.grouping``).
FIGURES_BY_REGION = Hook("figures by region")


@dataclass(frozen=True)
class RegionFigure:
    """One column of the regions page: a value per region, linking to the list it counts (``?under=code``)."""

    label: str
    values: dict
    url_name: str = ""
    query: str = ""
    permission: str = ""
    order: int = 0


def within_any_q(codes: list[str], field: str = "region_code") -> Q:
    query = Q(pk__in=[])
    for code in codes:
        query |= region_subtree_q(code, field)
    return query


def figures_for(rows: list[Region]) -> list[RegionFigure]:
    """Each contributor's figures for ``rows`` (any levels), merged per label: one query per figure and level."""
    by_level: dict[int, list[str]] = {}
    for row in rows:
        by_level.setdefault(row.level, []).append(row.code)
    merged: dict[str, RegionFigure] = {}
    for level, codes in sorted(by_level.items()):
        for figures in FIGURES_BY_REGION.results(level - 1, codes):
            for figure in figures:
                have = merged.get(figure.label)
                merged[figure.label] = (
                    figure if have is None else replace(have, values={**have.values, **figure.values})
                )
    return sorted(merged.values(), key=lambda f: f.order)


def counts_by_region(
    queryset, parent_level: int, codes: list[str], *, field: str = "region_code", **aggregates
):
    """``core.grouping.grouped_by_child`` over the subtrees of ``codes`` (one level below ``parent_level``), keyed
    by code: one query whatever the number of codes."""
    from shegong.core.grouping import child_prefix_length, grouped_by_child_map

    table = grouped_by_child_map(
        queryset.filter(within_any_q(codes, field)), parent_level, field=field, **aggregates
    )
    length = child_prefix_length(parent_level)
    return {code: table.get(code[:length], {}) for code in codes}

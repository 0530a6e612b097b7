"""Reads on the region tree. Every query goes through the scoped manager."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shegong.core.regioncodes import Level, ancestors_of, subtree_bounds

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
class Standard:
    station_min_fulltime: int = 2
    station_min_certified: int = 0


def standards_for(codes: list[str]) -> dict[str, Standard]:
    """For each code, the staffing standard of the nearest region (itself or an ancestor) that sets one."""
    chains = {code: ancestors_of(code) + [code] for code in codes}
    wanted = {c for chain in chains.values() for c in chain}
    found = {s.region_id: s for s in RegionStandard.objects.filter(region_id__in=wanted)}
    result = {}
    for code, chain in chains.items():
        result[code] = Standard()
        for candidate in reversed(chain):
            if candidate in found:
                row = found[candidate]
                result[code] = Standard(row.station_min_fulltime, row.station_min_certified)
                break
    return result


def standard_for(code: str) -> Standard:
    return standards_for([code])[code]


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

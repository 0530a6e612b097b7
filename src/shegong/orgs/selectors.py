"""Reads on the social-organisation registry: lists and counts per region."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from shegong.core.grouping import child_prefix_length, grouped_by_child
from shegong.regions.models import Region
from shegong.regions.selectors import region_subtree_q

from .models import Organisation, OrgKind


def organisations(
    *,
    kind: str = "",
    category: str = "",
    rating: str = "",
    filing_status: str = "",
    under: str = "",
    q: str = "",
) -> QuerySet[Organisation]:
    queryset = Organisation.objects.select_related("region", "incubated_by")
    if kind:
        queryset = queryset.filter(kind=kind)
    if category:
        queryset = queryset.filter(category=category)
    if rating:
        queryset = queryset.filter(rating="" if rating == "none" else rating)
    if filing_status:
        queryset = queryset.filter(filing_status=filing_status)
    if under:
        queryset = queryset.filter(region_subtree_q(under))
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(credit_code__startswith=q.upper()))
    return queryset.order_by("region_code", "kind", "name")


def hubs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.HUB).order_by("name")


@dataclass
class RegionCount:
    code: str
    name: str
    by_kind: dict[str, int] = field(default_factory=dict)
    rated: int = 0
    filed: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def counts_by_region(region: Region) -> tuple[RegionCount, list[RegionCount]]:
    """Organisations per kind in ``region`` and in each of its children, in two queries."""
    children = list(Region.objects.filter(parent_id=region.code).order_by("code"))
    length = child_prefix_length(region.level)
    rows = grouped_by_child(
        Organisation.objects.filter(region_subtree_q(region.code)),
        region.level,
        by=("kind",),
        n=Count("id"),
        rated=Count("id", filter=~Q(rating="")),
        filed=Count("id", filter=Q(filing_status="filed")),
    )
    total = RegionCount(region.code, region.name)
    by_child = {c.code[:length]: RegionCount(c.code, c.name) for c in children}
    for row in rows:
        for target in (total, by_child.get(row["bucket"])):
            if target is None:
                continue
            target.by_kind[row["kind"]] = target.by_kind.get(row["kind"], 0) + row["n"]
            target.rated += row["rated"]
            target.filed += row["filed"]
    return total, list(by_child.values())

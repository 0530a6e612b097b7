"""Reads of the evaluation app: scoped lists, an assessment's sheet with its drill-down, the annual scores and
each station's rank over time."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Q

from shegong.core.regioncodes import ancestors_of
from shegong.core.scoping import across_regions
from shegong.regions.selectors import region_subtree_q

from .models import Assessment, Bulletin, Framework, Subsidy


def assessments():
    return Assessment.objects.select_related("framework", "node", "project", "evaluator").order_by(
        "-period_end", "region_code", "id"
    )


def frameworks():
    return Framework.objects.order_by("code", "-version")


def bulletins():
    return Bulletin.objects.select_related("region", "framework").order_by("-year", "-quarter", "-version")


def published_bulletins(region_codes):
    """The published bulletins over the reader's area — of its regions, above them (a district's bulletin ranks the
    township's station) or below them. Published bulletins are public (``public_views``); this is the same read,
    limited to where the reader works, for the roles bound to relationships, who see no drafts."""
    codes = list(region_codes)
    around = Q(region_code__in={a for code in codes for a in [code, *ancestors_of(code)]})
    for code in codes:
        around |= region_subtree_q(code)
    with across_regions("published ranking bulletins are public in every region (stations' scores only)"):
        return list(
            Bulletin.objects.filter(around, status=Bulletin.Status.PUBLISHED)
            .select_related("region", "framework")
            .order_by("-year", "-quarter", "-version")[:40]
        )


def subsidies():
    return Subsidy.objects.select_related("node", "project", "approved_by").order_by("-year", "region_code")


def sheet(assessment: Assessment) -> list[dict]:
    """The scores grouped by dimension; a signed assessment shows its frozen sheet, never a recomputed one."""
    if assessment.is_signed:
        groups: dict[str, list] = defaultdict(list)
        for s in assessment.signed_sheet.get("scores", []):
            groups[s["dimension"]].append(
                {
                    "code": s["indicator"],
                    "name": s["name"],
                    "max": s["max"],
                    "value": s["value"],
                    "points": s["points"],
                    "evidence": s["evidence"],
                    "source": s["source"],
                    "rule": "",
                    "pk": None,
                }
            )
        return [{"name": name, "rows": rows} for name, rows in groups.items()]
    out = []
    current = None
    scores = assessment.scores.select_related("indicator__dimension").order_by(
        "indicator__dimension__order", "indicator__order"
    )
    for s in scores:
        dimension = s.indicator.dimension.name
        if current is None or current["name"] != dimension:
            current = {"name": dimension, "rows": []}
            out.append(current)
        current["rows"].append(
            {
                "code": s.indicator.code,
                "name": s.indicator.name,
                "max": s.indicator.max_points,
                "value": s.value,
                "points": s.points,
                "evidence": s.evidence,
                "source": s.source,
                "rule": s.indicator.rule,
                "metric": s.indicator.metric,
                "pk": s.pk,
            }
        )
    return out


def latest_published(queryset) -> list[Bulletin]:
    """The newest published version of each quarter's bulletin."""
    published = queryset.filter(status=Bulletin.Status.PUBLISHED)
    newest = published.values("region_id", "year", "quarter").annotate(v=Max("version"))
    keys = {(r["region_id"], r["year"], r["quarter"], r["v"]) for r in newest}
    return [
        b
        for b in published.order_by("year", "quarter")
        if (b.region_id, b.year, b.quarter, b.version) in keys
    ]


def annual(region_code: str, year: int) -> list[dict]:
    """Each station's annual score: the sum of its four quarters in the published bulletins (latest versions)."""
    rows: dict[int, dict] = {}
    for bulletin in latest_published(Bulletin.objects.filter(region_id=region_code, year=year)):
        for row in bulletin.rows:
            entry = rows.setdefault(
                row["node_id"],
                {"node_id": row["node_id"], "name": row["name"], "quarters": {}, "total": Decimal(0)},
            )
            if row["total"] is not None:
                entry["quarters"][bulletin.quarter] = {
                    "total": row["total"],
                    "rank": row["rank"],
                    "id": bulletin.pk,
                }
                entry["total"] += Decimal(row["total"])
    return sorted(rows.values(), key=lambda r: (-r["total"], r["name"]))


def rank_history(region_code: str, year: int) -> dict:
    """ECharts data: each station's rank per quarter (lower is better)."""
    bulletins = latest_published(Bulletin.objects.filter(region_id=region_code, year=year))
    labels = [f"{b.year}Q{b.quarter}" for b in bulletins]
    series: dict[str, list] = {}
    for index, bulletin in enumerate(bulletins):
        for row in bulletin.rows:
            series.setdefault(row["name"], [None] * len(bulletins))[index] = row["rank"]
    return {"labels": labels, "series": [{"name": n, "data": d} for n, d in sorted(series.items())]}


def latest_bulletin(region_code: str) -> Bulletin | None:
    """The newest published ranking that covers ``region_code``: its own district's (a bulletin is a district's)
    or, for a city or province, the newest of its districts'."""
    from shegong.core.regioncodes import ancestors_of, subtree_bounds

    low, high = subtree_bounds(region_code)
    around = Q(region_id__in=[*ancestors_of(region_code), region_code]) | Q(
        region_id__gte=low, region_id__lte=high
    )
    return (
        Bulletin.objects.filter(around, status=Bulletin.Status.PUBLISHED)
        .order_by("-year", "-quarter", "-published_at", "-version")
        .first()
    )

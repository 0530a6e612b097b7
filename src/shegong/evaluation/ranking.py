"""The quarterly ranking (一季一赛): a district's stations on the four themes, from the signed quarter assessments.

A station's quarter score combines the signed assessments of the quarter by the framework's four-party weights
(renormalised over the parties that assessed it); its theme scores combine the same way. **Order**: total points,
highest first; ties broken by the results theme, then progress, capability and blueprint, then the station's
region code (ascending) — so the same data always gives the same order. The top three get a red flag. A station
with no signed assessment in the quarter is listed after the ranked ones, unranked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from shegong.core.regioncodes import subtree_bounds
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode

from .models import Assessment, AssessmentStage, AssessmentStatus, Framework, Theme

THEMES = [Theme.BLUEPRINT, Theme.CAPABILITY, Theme.PROGRESS, Theme.RESULTS]
TIE_ORDER = [Theme.RESULTS, Theme.PROGRESS, Theme.CAPABILITY, Theme.BLUEPRINT]
TIE_RULE = _("同分时依次比较成果、进度、能力、蓝图主题得分，再按区划代码排序")
CENT = Decimal("0.01")
RED_FLAGS = 3


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = (
        datetime.date(year, 12, 31)
        if quarter == 4
        else datetime.date(year, 3 * quarter + 1, 1) - datetime.timedelta(days=1)
    )
    return start, end


def _stations(region):
    low, high = subtree_bounds(region.code)
    return (
        ServiceNode.objects.filter(level=NodeLevel.STATION, region_code__gte=low, region_code__lte=high)
        .exclude(status=NodeStatus.CLOSED)
        .order_by("region_code")
    )


def _combine(values: dict[str, Decimal], weights: dict) -> Decimal:
    total_weight = sum(Decimal(weights.get(p, 0)) for p in values)
    if not total_weight:
        # No weight for the parties present: a plain average.
        return (sum(values.values()) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)
    combined = sum(Decimal(weights.get(p, 0)) * v for p, v in values.items()) / total_weight
    return combined.quantize(CENT, rounding=ROUND_HALF_UP)


def rank(*, region, framework: Framework, year: int, quarter: int) -> list[dict]:
    start, end = quarter_bounds(year, quarter)
    stations = list(_stations(region))
    signed = Assessment.objects.filter(
        framework__code=framework.code,
        framework__region_id=framework.region_id,
        stage=AssessmentStage.QUARTER,
        status=AssessmentStatus.SIGNED,
        period_start=start,
        node__in=stations,
    ).order_by("id")
    by_node: dict[int, list[Assessment]] = defaultdict(list)
    for a in signed:
        by_node[a.node_id].append(a)
    weights = framework.party_weights or {}
    rows = []
    for node in stations:
        found = by_node.get(node.pk, [])
        row = {
            "node_id": node.pk,
            "name": node.name,
            "region_code": node.region_code,
            "assessments": [a.pk for a in found],
            "total": None,
            "themes": {},
            "parties": {},
            "rank": None,
            "red_flag": False,
        }
        if found:
            # One assessment per party counts: the latest signed.
            latest = {a.party: a for a in found}
            totals = {p: Decimal(a.signed_sheet["total"]) for p, a in latest.items()}
            row["parties"] = {p: str(v) for p, v in sorted(totals.items())}
            row["total"] = str(_combine(totals, weights))
            for theme in THEMES:
                per_party = {
                    p: sum(
                        (Decimal(s["points"]) for s in a.signed_sheet["scores"] if s.get("theme") == theme),
                        Decimal(0),
                    )
                    for p, a in latest.items()
                }
                row["themes"][str(theme)] = str(_combine(per_party, weights))
        rows.append(row)

    def key(row):
        return (
            -Decimal(row["total"]),
            *(-Decimal(row["themes"].get(str(t), "0")) for t in TIE_ORDER),
            row["region_code"],
        )

    ranked = sorted((r for r in rows if r["total"] is not None), key=key)
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
        row["red_flag"] = position <= RED_FLAGS
    unranked = [r for r in rows if r["total"] is None]
    return ranked + unranked

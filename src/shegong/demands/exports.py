"""The demand list (需求清单) as an Excel file: per catalogue item, requests, completed, unmet and average rating."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register

from . import selectors


def period(request) -> dict:
    today = timezone.localdate()
    default_since = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)

    def day(name, default):
        try:
            return datetime.date.fromisoformat(request.GET.get(name, "").strip())
        except ValueError:
            return default

    since, until = day("since", default_since), day("until", today)
    if until < since:
        since, until = until, since
    return {"since": since, "until": until, "region": request.GET.get("region", "").strip()}


def codes_for(actor, region: str) -> list[str]:
    """The regions the list covers: one the actor may see, or all its own."""
    mine = actor.regions_with("demands.view")
    if region and actor.scope.contains(region) and actor.can("demands.view", region):
        return [region]
    return mine


def _rows(filters, actor):
    _months, rows = selectors.demand_list(
        codes_for(actor, filters.get("region", "")), filters["since"], filters["until"]
    )
    return rows


DEMAND_LIST_EXPORT = register(
    ExportSpec(
        key="demands.demand_list",
        title=_("需求清单"),
        columns=[
            Column(_("服务领域"), lambda r: r.summary.domain, width=12),
            Column(_("服务事项"), lambda r: r.summary.item, width=20),
            Column(_("诉求数"), lambda r: r.summary.requests),
            Column(_("已办结"), lambda r: r.summary.completed),
            Column(_("未满足"), lambda r: r.unmet),
            Column(
                _("平均评价"),
                lambda r: r.summary.average_rating if r.summary.average_rating is not None else "",
            ),
            Column(_("趋势"), lambda r: {"up": "↑", "down": "↓"}.get(r.trend, "→")),
        ],
        rows=_rows,
        permission="demands.export",
        filters=period,
        region_of=lambda row: None,
    )
)

"""The integrity panel on every level's dashboard (``core.panels.PANELS``): open findings, each figure opening the
findings list it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shegong.core.panels import Figure, Panel, PanelScope

from . import checks, selectors


def findings_panel(scope: PanelScope) -> Panel | None:
    if not scope.can("integrity.view"):
        return None
    counts = selectors.open_counts(scope.code, station_id=scope.station_id)
    base = {"state": "open"}
    if scope.station_id is not None:
        base["node"] = scope.station_id
    else:
        base["under"] = scope.code
    url = reverse("integrity:home")

    def link(**extra) -> str:
        return f"{url}?{urlencode({**base, **extra})}"

    figures = [
        Figure("findings.open", _("待处理的诚信问题"), counts["open"], url=link(), alert=counts["open"] > 0),
        Figure("findings.bureau", _("其中由民政部门处理"), counts["bureau"], url=link(assigned="bureau")),
    ]
    for code, n in counts["top"]:
        check = checks.REGISTRY.get(code)
        figures.append(Figure(f"findings.{code}", check.title if check else code, n, url=link(check=code)))
    return Panel("integrity", _("诚信检查"), figures=figures, order=900)

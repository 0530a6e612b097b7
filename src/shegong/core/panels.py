"""Dashboard panels: the figures a region's dashboard shows, each with the list of records it counts.

The dashboards sit in the top layer; an app below them (integrity findings, for one) that has a figure for every
level's dashboard registers a contributor on ``PANELS`` from its ``AppConfig.ready()``, and the dashboards show it
beside their own panels without importing that app. A contributor is called with a ``PanelScope`` and returns a
``Panel`` or None (nothing to show there, or the actor may not see it). It must read counted figures (rollups,
``core.tallies``, a registry's counts), never scan service records, and run a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .hooks import Hook

PANELS = Hook("dashboard panels")


@dataclass(frozen=True)
class PanelScope:
    """Where and when a dashboard is drawn: the region (or a station's township), the month, and who looks."""

    code: str
    level: int
    name: str
    month: datetime.date
    today: datetime.date
    actor: Any
    station_id: int | None = None

    def can(self, permission: str) -> bool:
        return bool(self.actor.can(permission, self.code))


@dataclass(frozen=True)
class Figure:
    """One number: what it is, its value and the scoped list of the records it counts."""

    key: str
    label: str
    value: int | float | Decimal | None
    unit: str = ""
    url: str = ""
    note: str = ""
    alert: bool = False

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, Decimal):
            value = float(value)
        return {
            "key": self.key,
            "label": str(self.label),
            "value": value,
            "unit": str(self.unit),
            "url": self.url,
            "note": str(self.note),
            "alert": self.alert,
        }


@dataclass
class Panel:
    """A block of figures with an optional ECharts-ready chart (``{"type", "labels", "series", ...}``) or
    tiles (the 挂图作战 grid of child regions)."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    chart: dict | None = None
    tiles: list[dict] | None = None
    rows: list[dict] | None = None
    order: int = 100

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "figures": [f.as_dict() for f in self.figures],
            "chart": self.chart,
            "tiles": self.tiles,
            "rows": self.rows,
        }


def contributed(scope: PanelScope) -> list[Panel]:
    """Every registered contributor's panel for ``scope`` (contributors with nothing to show are left out)."""
    return [panel for panel in PANELS.results(scope) if panel is not None]

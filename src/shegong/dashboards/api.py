"""Dashboard figures over the API: coverage of a region and the monthly visit rate."""

import enum

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS, Month
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.network.selectors import coverage
from shegong.regions.api import code_or_404
from shegong.regions.models import Region

from . import panels, selectors

coverage_router = Router(tags=["dashboards"])
rate_router = Router(tags=["dashboards"])


class CoverageRowOut(Schema):
    code: str
    name: str
    level: int
    townships: int
    townships_covered: int
    station_rate: float | None
    villages: int
    villages_covered: int
    room_rate: float | None
    stations: int
    rooms: int
    rooms_standardised: int


class CoverageOut(Schema):
    total: CoverageRowOut
    children: list[CoverageRowOut]


@coverage_router.get("/{code}/coverage", response={200: CoverageOut, **STANDARD_ERRORS})
def get_coverage(request, code: str):
    request.auth.require("regions.view")
    region = get_scoped_or_404(Region, code=code_or_404(code))
    if not request.auth.scope.contains(region.code):
        raise Http404
    result = coverage(region)
    return {"total": result.total.as_dict(), "children": [row.as_dict() for row in result.children]}


class RatePointOut(Schema):
    month: str
    due: int
    visited: int
    rate: float | None


class RateRowOut(Schema):
    code: str
    name: str
    months: list[RatePointOut]


class RateOut(Schema):
    region: RateRowOut
    children: list[RateRowOut]


class RateFilter(Schema):
    region: str = Field(pattern=r"^\d{12}$")
    month: Month | None = None
    months: int = Field(12, ge=1, le=36)


def _row(row, months) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "months": [
            {
                "month": f"{m:%Y-%m}",
                "due": row.at(m).due,
                "visited": row.at(m).visited,
                "rate": row.at(m).rate,
            }
            for m in months
        ],
    }


@rate_router.get("", response={200: RateOut, **STANDARD_ERRORS})
def get_visit_rate(request, filters: Query[RateFilter]):
    request.auth.require("dashboard.view")
    region = get_scoped_or_404(Region, code=filters.region)
    month = filters.month or timezone.localdate().replace(day=1)
    rate = selectors.visit_rate(region, month=month, months=filters.months)
    return {
        "region": _row(rate.total, rate.months),
        "children": [_row(c, rate.months) for c in rate.children],
    }


dashboard_router = Router(tags=["dashboards"])


class LevelIn(enum.StrEnum):
    CITY = "city"
    DISTRICT = "district"
    TOWNSHIP = "township"
    STATION = "station"


class FigureOut(Schema):
    key: str
    label: str
    value: float | None
    unit: str
    url: str
    note: str
    alert: bool


class PanelOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]
    chart: dict | None
    tiles: list[dict] | None
    rows: list[dict] | None


class DashboardOut(Schema):
    level: str
    code: str
    name: str
    month: str
    generated_at: str
    panels: list[PanelOut]


@dashboard_router.get("/{level}/{code}", response={200: DashboardOut, **STANDARD_ERRORS})
def get_dashboard(request, level: LevelIn, code: str):
    """A level's dashboard: every panel's figures with the URL of the list each counts. ``level`` is city,
    district or township with a region code, or station with a station's id; another region's is a 404."""
    from shegong.audit.services import record
    from shegong.network.models import NodeLevel, ServiceNode

    request.auth.require("dashboard.view")
    station = None
    level = level.value
    if level == "station":
        if as_int(code) is None:
            raise Http404
        station = get_scoped_or_404(
            ServiceNode.objects.select_related("region"), pk=int(code), level=NodeLevel.STATION
        )
        region = station.region
    elif level in panels.LEVELS:
        region = get_scoped_or_404(Region, code=code_or_404(code))
        if region.level != panels.LEVELS[level]:
            raise Http404
    else:
        raise Http404
    if not request.auth.scope.contains(region.code):
        raise Http404
    board = panels.dashboard(region, request.auth, station=station)
    record(
        "dashboard.read",
        actor=request.auth,
        region_code=region.code,
        object_type="dashboard",
        object_id=f"{level}:{code}",
    )
    return board.as_dict()


ROUTERS = [("/regions", coverage_router), ("/visit-rate", rate_router), ("/dashboards", dashboard_router)]

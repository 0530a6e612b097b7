import datetime
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shegong.cases import selectors as case_selectors
from shegong.core.params import as_int
from shegong.core.regioncodes import Level
from shegong.core.scoping import get_scoped_or_404
from shegong.network.selectors import coverage
from shegong.regions.models import Region
from shegong.regions.selectors import breadcrumbs, region_from_request, scope_roots
from shegong.visits.selectors import overdue_counts, overdue_recipients, work_items

from . import panels, selectors


@login_required
def home(request):
    actor = request.actor
    if not actor.can("dashboard.view"):
        if actor.can("audit.view"):
            return redirect("audit:list")
        if actor.can("hours.log"):
            return redirect("people:my_hours")
        return render(request, "dashboards/admin_home.html")
    code = request.GET.get("region")
    landing = _landing(actor)
    if landing and not code and not request.htmx:
        return redirect(landing)
    if code:
        region = get_scoped_or_404(Region, code=code)
    else:
        region = scope_roots(actor.scope).first()
        if region is None:
            return render(request, "dashboards/admin_home.html")
        if "official" in actor.roles and region.level <= Level.TOWNSHIP and not request.htmx:
            # An official's work is its level's dashboard (city, district or township), shown on the home page.
            return _render_dashboard(request, region, care=_care(actor, region))
    # Ancestors are visible for breadcrumbs only: drilling up stops at the actor's own subtree.
    if not actor.scope.contains(region.code):
        raise Http404
    cov = coverage(region)
    chart = {
        "labels": [row.name for row in cov.children],
        "station_rate": [row.station_rate for row in cov.children],
        "room_rate": [row.room_rate for row in cov.children],
    }
    context = {
        **_care(actor, region),
        "region": region,
        "crumbs": [r for r in breadcrumbs(region) if actor.scope.contains(r.code)],
        "coverage": cov,
        "chart": chart,
        "can_drill": region.level < 4,
    }
    template = "dashboards/_coverage.html" if request.htmx else "dashboards/home.html"
    return render(request, template, context)


def _landing(actor) -> str | None:
    """Where a role's work is: the official's is its level's dashboard (drawn on the home page itself), a station
    head's its station, an operator organisation's its projects' desk, a worker's its list for today, a supervisor's the supervision due and done, an evaluator's
    the assessments. An account holding several roles lands on the widest one's page.

    Supervisors and evaluators are bound to relationships, not to an area's figures: the coverage page counts none
    of the stations they see (it showed them 0 stations and 0.0% coverage), so they start on their own lists."""
    roles = actor.roles
    if "official" in roles:
        return None
    if "township" in roles:
        return "dashboards:station"
    if "operator" in roles and actor.can("projects.view"):
        return "projects:desk"
    if "worker" in roles:
        return "visits:worklist"
    if "supervisor" in roles and actor.can("supervision.view"):
        return "supervision:sessions"
    if "evaluator" in roles and actor.can("evaluation.view"):
        return "evaluation:home"
    return None


def _care(actor, region) -> dict:
    """The visit-care figures of ``region``: last month's rate, this month against its pace, overdue counts."""
    rate = selectors.visit_rate(region, months=2)
    last = selectors.previous_month()
    context = {
        "care_last_month": last,
        "care_last": rate.total.at(last),
        "care_progress": selectors.month_progress(rate),
    }
    if actor.can("recipients.view"):
        context["care_counts"] = overdue_counts(region.code)
    return context


@login_required
def station(request):
    """A station head's page: its township's overdue and escalated recipients and this month's visit rate."""
    request.actor.require("recipients.view")
    region = region_from_request(request)
    now = timezone.now()
    escalated = overdue_recipients(under=region.code, escalated="1", now=now)[:10]
    overdue = overdue_recipients(under=region.code, now=now)[:10]
    return render(
        request,
        "dashboards/station.html",
        {
            **_care(request.actor, region),
            "region": region,
            "escalated": work_items(escalated, now),
            "overdue": work_items(overdue, now),
            "work": selectors.service_work(region.code),
            "caseload": case_selectors.caseload(region.code)
            if request.actor.can("cases.view", region.code)
            else None,
        },
    )


def _month_param(request) -> datetime.date:
    """The month asked for; by default the last complete one (the current month is shown as in progress)."""
    raw = request.GET.get("month", "")
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return selectors.previous_month()


@login_required
def visit_rate(request):
    request.actor.require("dashboard.view")
    region = region_from_request(request)
    month = _month_param(request)
    current = timezone.localdate().replace(day=1)
    # The window reaches the current month whenever the month shown is the last complete one or the current one,
    # so the page can show the month in progress beside it; the trend line holds complete months only.
    through = current if month >= selectors.previous_month() else month
    rate = selectors.visit_rate(region, month=through, months=13 if through == current else 12)
    progress = selectors.month_progress(rate)
    rate.months = [m for m in rate.months if m < current][-12:]
    chart = rate.chart(("", ""))
    chart["series"] += (
        [{"name": c.name, "data": [c.at(m).rate for m in rate.months]} for c in rate.children[:6]]
        if len(rate.children) <= 6
        else []
    )
    for child in rate.children:
        child.current = child.at(month)
    parent = Region.objects.filter(code=region.parent_id).first() if region.parent_id else None
    return render(
        request,
        "dashboards/rate.html",
        {
            "rate": rate,
            "region": region,
            "parent": parent,
            "month": month,
            "chart": chart,
            "chart_json": json.dumps(chart),
            "current": rate.total.at(month),
            "in_progress": month == current,
            "progress": progress,
            "villages": region.level == Level.TOWNSHIP,
        },
    )


# Dashboards per level -----------------------------------------------------------------------------------------


def _region_or_404(request, code: str) -> Region:
    """The region ``code`` if it is in the actor's own subtrees (an ancestor is visible for breadcrumbs only)."""
    request.actor.require("dashboard.view")
    if not (code.isdigit() and len(code) == 12):
        raise Http404
    region = get_scoped_or_404(Region, code=code)
    if not request.actor.scope.contains(region.code) or region.level > Level.TOWNSHIP:
        raise Http404
    return region


def _station_or_404(request, pk: int):
    from shegong.network.models import NodeLevel, ServiceNode

    request.actor.require("dashboard.view")
    station = get_scoped_or_404(ServiceNode.objects.select_related("region"), pk=pk, level=NodeLevel.STATION)
    if not request.actor.scope.contains(station.region_code):
        raise Http404
    return station


def _render_dashboard(request, region, station=None, care: dict | None = None):
    board = panels.dashboard(region, request.actor, station=station)
    care = care if care is not None else _care(request.actor, region)
    crumbs = [r for r in breadcrumbs(region) if request.actor.scope.contains(r.code)]
    return render(
        request,
        "dashboards/level.html",
        {
            "board": board,
            "region": region,
            "station": station,
            "crumbs": crumbs,
            "data": board.as_dict(),
            "screen_url": reverse("dashboards:screen", args=[region.code]),
            **care,
        },
    )


@login_required
def region_dashboard(request, code: str):
    """A city's, district's or township's dashboard, charts first; every figure links to the records it counts."""
    return _render_dashboard(request, _region_or_404(request, code))


@login_required
def station_dashboard(request, pk: int):
    """A station's dashboard: its township's figures under the station's name."""
    station = _station_or_404(request, pk)
    return _render_dashboard(request, station.region, station)


@login_required
def screen(request, code: str):
    """大屏: the same figures full screen for a command room, refreshed from ``data`` every few seconds."""
    region = _region_or_404(request, code)
    board = panels.dashboard(region, request.actor)
    return render(
        request,
        "dashboards/screen.html",
        {
            "board": board,
            "region": region,
            "data": board.as_dict(),
            "data_url": reverse("dashboards:data", args=[region.code]),
            "refresh_seconds": _seconds(request, "refresh", SCREEN_REFRESH_SECONDS),
            "rotate_seconds": _seconds(request, "rotate", SCREEN_ROTATE_SECONDS),
            "time_zone": settings.TIME_ZONE,
        },
    )


SCREEN_REFRESH_SECONDS = 30
SCREEN_ROTATE_SECONDS = 12


def _seconds(request, name: str, default: int) -> int:
    """A command room may ask for a faster or slower cycle (``?refresh=10``), within 2 seconds and 10 minutes."""
    raw = request.GET.get(name, "")
    seconds = as_int(raw)
    return min(max(seconds, 2), 600) if seconds is not None else default


@login_required
def data(request, code: str):
    """The dashboard's figures as JSON, for the big screen's refresh."""
    region = _region_or_404(request, code)
    return JsonResponse(panels.dashboard(region, request.actor).as_dict())

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from shegong.core.scoping import get_scoped_or_404
from shegong.network.selectors import coverage
from shegong.regions.models import Region
from shegong.regions.selectors import breadcrumbs, region_from_request, scope_roots

from . import selectors


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
    if code:
        region = get_scoped_or_404(Region, code=code)
    else:
        region = scope_roots(actor.scope).first()
        if region is None:
            return render(request, "dashboards/admin_home.html")
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
        "region": region,
        "crumbs": [r for r in breadcrumbs(region) if actor.scope.contains(r.code)],
        "coverage": cov,
        "chart": chart,
        "can_drill": region.level < 4,
    }
    template = "dashboards/_coverage.html" if request.htmx else "dashboards/home.html"
    return render(request, template, context)


def _month_param(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def visit_rate(request):
    request.actor.require("dashboard.view")
    region = region_from_request(request)
    month = _month_param(request)
    rate = selectors.visit_rate(region, month=month)
    chart = rate.chart(("", ""))
    chart["series"] += (
        [{"name": c.name, "data": [c.at(m).rate for m in rate.months]} for c in rate.children[:6]]
        if len(rate.children) <= 6
        else []
    )
    for child in rate.children:
        child.current = child.at(rate.month)
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
            "current": rate.total.at(rate.month),
        },
    )

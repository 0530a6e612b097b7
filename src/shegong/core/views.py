from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from shegong.core.scoping import get_scoped_or_404
from shegong.network.selectors import coverage
from shegong.regions.models import Region
from shegong.regions.selectors import breadcrumbs, scope_roots


@login_required
def home(request):
    actor = request.actor
    if not actor.can("dashboard.view"):
        if actor.can("audit.view"):
            return redirect("audit:list")
        if actor.can("hours.log"):
            return redirect("people:my_hours")
        return render(request, "core/admin_home.html")
    code = request.GET.get("region")
    if code:
        region = get_scoped_or_404(Region, code=code)
    else:
        region = scope_roots(actor.scope).first()
        if region is None:
            return render(request, "core/admin_home.html")
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
    template = "core/_coverage.html" if request.htmx else "core/home.html"
    return render(request, template, context)

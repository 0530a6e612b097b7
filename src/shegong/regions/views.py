from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shegong.core.scoping import get_scoped_or_404

from . import selectors
from .models import Region


@login_required
def browse(request, code: str | None = None):
    request.actor.require("regions.view")
    term = request.GET.get("q", "").strip()
    region = get_scoped_or_404(Region, code=code) if code else None
    if term:
        rows = list(selectors.search(term, under=code))
    elif region is not None:
        rows = list(selectors.children_of(region.code))
    else:
        rows = list(selectors.visible_roots())
    counts = selectors.child_counts([r.code for r in rows])
    for row in rows:
        row.child_count = counts.get(row.code, 0)
    context = {
        "region": region,
        "crumbs": selectors.breadcrumbs(region) if region else [],
        "rows": rows,
        "q": term,
    }
    template = "regions/_rows.html" if request.htmx else "regions/browse.html"
    return render(request, template, context)

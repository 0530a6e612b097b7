from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from shegong.core.scoping import get_scoped_or_404

from . import selectors
from .models import Region


def _start(roots: list[Region]) -> tuple[Region | None, list[Region]]:
    """Where the page starts for the actor: its one region, or the list of its regions when it has several."""
    if not roots:
        roots = list(selectors.visible_roots())
    return (roots[0], []) if len(roots) == 1 else (None, roots)


def _columns(request, rows: list[Region]) -> tuple[list, list]:
    """The figure columns the actor may see, and each row's cells (value and, when the actor may open the list it
    counts, its link)."""
    figures = [
        f for f in selectors.figures_for(rows) if not f.permission or request.actor.can(f.permission, None)
    ]
    for row in rows:
        row.cells = []
        for figure in figures:
            value = figure.values.get(row.code, 0)
            link = ""
            if figure.url_name and value:
                link = f"{reverse(figure.url_name)}?under={row.code}" + (
                    f"&{figure.query}" if figure.query else ""
                )
            row.cells.append({"value": value, "link": link, "label": figure.label})
        counted = [v for f in figures if isinstance(v := f.values.get(row.code, 0), int)]
        row.empty = row.child_count == 0 and not any(counted)
    return figures, rows


@login_required
def browse(request, code: str | None = None):
    request.actor.require("regions.view")
    term = request.GET.get("q", "").strip()
    scope = request.actor.scope
    own_roots = list(selectors.scope_roots(scope))
    if code:
        region = get_scoped_or_404(Region, code=code)
        roots = []
    else:
        region, roots = _start(own_roots)
    if term:
        rows = list(selectors.search(term, under=region.code if region else None))
    elif region is not None:
        rows = list(selectors.children_of(region.code)) or [region]
    else:
        rows = roots
    counts = selectors.child_counts([r.code for r in rows])
    for row in rows:
        row.child_count = counts.get(row.code, 0)
    figures, rows = _columns(request, rows)
    crumbs = [r for r in selectors.breadcrumbs(region) if scope.contains(r.code)] if region else []
    context = {
        "region": region,
        "crumbs": crumbs,
        "several_roots": len(own_roots) > 1,
        "rows": rows,
        "figures": figures,
        "q": term,
    }
    template = "regions/_rows.html" if request.htmx else "regions/browse.html"
    return render(request, template, context)

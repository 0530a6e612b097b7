from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.forms import submit
from shegong.core.regioncodes import Level
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


# A bureau's roster words ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_words(request):
    """The words a bureau's rosters use for imports' columns and values (城乡低保 → 最低生活保障), beside the
    shipped ones; they apply to imports in the region and below. Editing needs ``policy.change`` (audited)."""
    from shegong.core import importjobs
    from shegong.core.models import ImportSynonym

    from . import services
    from .forms import ImportWordForm

    roots = request.actor.regions_with("policy.change")
    if not roots:
        request.actor.require("policy.change")
    kinds = [(k, str(importjobs.importer_for(k).noun)) for k in importjobs._importers]
    fields = sorted(services.import_fields("").items())
    form = ImportWordForm(
        request.POST if request.method == "POST" and "delete" not in request.POST else None,
        regions=selectors.area_choices(roots, lowest=Level.TOWNSHIP),
        kinds=kinds,
        fields=fields,
    )
    if request.method == "POST" and "delete" in request.POST:
        word = get_scoped_or_404(ImportSynonym, pk=request.POST.get("delete"))
        services.import_word_delete(actor=request.actor, word=word)
        messages.success(request, _("已删除“%(t)s”。") % {"t": word.text})
        return redirect("regions:import_words")

    def save(form):
        data = form.cleaned_data
        return services.import_word_add(
            actor=request.actor,
            region_code=data["region"],
            kind=data["kind"],
            target=data["target"],
            field_key=data["field_key"],
            text=data["text"],
            value=data["value"],
        )

    if submit(request, form, save) is not None:
        messages.success(request, _("已添加。以后导入名册时会识别这个写法。"))
        return redirect("regions:import_words")
    labels = dict(kinds)
    field_labels = dict(fields)
    words = list(ImportSynonym.objects.filter(selectors.within_any_q(roots)))
    for word in words:
        word.kind_label = labels.get(word.kind, _("所有导入")) if word.kind else _("所有导入")
        word.field_label = field_labels.get(word.field_key, word.field_key)
    names = dict(Region.objects.filter(code__in={w.region_code for w in words}).values_list("code", "name"))
    for word in words:
        word.region_name = names.get(word.region_code, word.region_code)
    return render(request, "regions/import_words.html", {"form": form, "words": words})

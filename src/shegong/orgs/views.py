from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from shegong.core.excel import xlsx_response
from shegong.core.export_views import export_page
from shegong.core.exports import Column, ExportSpec, choice_label, register
from shegong.core.forms import apply_errors, submit
from shegong.core.importpage import import_page
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.imports import template_for
from shegong.regions.models import Region
from shegong.regions.selectors import region_choices, scope_roots

from . import selectors, services
from .forms import OrganisationForm
from .imports import SPEC
from .models import Organisation, OrgCategory, OrgFilingStatus, OrgKind, Rating


def _filters(request) -> dict:
    return {
        "kind": request.GET.get("kind", ""),
        "category": request.GET.get("category", ""),
        "rating": request.GET.get("rating", ""),
        "filing_status": request.GET.get("filing_status", ""),
        "under": request.GET.get("under", "").strip(),
        "q": request.GET.get("q", "").strip(),
    }


@login_required
def org_list(request):
    request.actor.require("orgs.view")
    filters = _filters(request)
    page = Paginator(selectors.organisations(**filters), 30).get_page(request.GET.get("page"))
    root = None
    if filters["under"]:
        root = Region.objects.filter(code=filters["under"]).first()
    root = root or scope_roots(request.actor.scope).first()
    total, children = selectors.counts_by_region(root) if root else (None, [])
    context = {
        "page": page,
        "filters": filters,
        "kinds": OrgKind.choices,
        "categories": OrgCategory.choices,
        "ratings": [c for c in Rating.choices if c[0]],
        "filing_statuses": [c for c in OrgFilingStatus.choices if c[0]],
        "total": total,
        "children": children,
        "root": root,
        "query": request.GET.urlencode(),
        "can_change": request.actor.can("orgs.change"),
    }
    template = "orgs/_table.html" if request.htmx else "orgs/list.html"
    return render(request, template, context)


# The contact phone is the organisation's registered public contact, exported as registered (no orgs.reveal).
_org_labels = {
    name: choice_label(Organisation, name) for name in ("kind", "category", "filing_status", "party_branch")
}

ORG_EXPORT = register(
    ExportSpec(
        key="orgs.organisation",
        title=gettext_lazy("社会组织"),
        permission="orgs.view",
        filters=_filters,
        rows=lambda filters, actor: selectors.organisations(**filters),
        # Named tuples of the written values: no model instance (and its region and hub) per row.
        values=(
            "region_code",
            "name",
            "credit_code",
            "kind",
            "category",
            "region__name",
            "region_id",
            "rating",
            "rating_date",
            "rating_expires",
            "filing_status",
            "filed_on",
            "incubated_by__name",
            "party_branch",
            "contact",
            "phone",
            "founded_on",
        ),
        limit=100000,
        columns=[
            Column(gettext_lazy("名称"), lambda o: o.name),
            Column(gettext_lazy("统一社会信用代码"), lambda o: o.credit_code or ""),
            Column(gettext_lazy("类型"), lambda o: _org_labels["kind"](o.kind)),
            Column(gettext_lazy("类别"), lambda o: _org_labels["category"](o.category)),
            Column(gettext_lazy("登记区划"), lambda o: o.region__name),
            Column(gettext_lazy("区划代码"), lambda o: o.region_id),
            Column(gettext_lazy("评估等级"), lambda o: o.rating or ""),
            Column(gettext_lazy("评级日期"), lambda o: o.rating_date),
            Column(gettext_lazy("等级有效期至"), lambda o: o.rating_expires),
            Column(
                gettext_lazy("备案状态"),
                lambda o: _org_labels["filing_status"](o.filing_status) if o.filing_status else "",
            ),
            Column(gettext_lazy("备案日期"), lambda o: o.filed_on),
            Column(gettext_lazy("孵化枢纽"), lambda o: o.incubated_by__name or ""),
            Column(gettext_lazy("党组织建设"), lambda o: _org_labels["party_branch"](o.party_branch)),
            Column(gettext_lazy("负责人"), lambda o: o.contact),
            Column(gettext_lazy("联系电话"), lambda o: o.phone),
            Column(gettext_lazy("成立日期"), lambda o: o.founded_on),
        ],
    )
)


@login_required
def org_export(request):
    return export_page(request, ORG_EXPORT)


@login_required
def org_detail(request, pk: int):
    request.actor.require("orgs.view")
    org = get_scoped_or_404(Organisation.objects.select_related("region", "incubated_by"), pk=pk)
    context = {
        "org": org,
        "incubated": org.incubated.order_by("name")[:50],
        "workers": org.workers.order_by("name")[:50],
        "nodes": org.operated_nodes.order_by("name")[:50],
        "can_change": request.actor.can("orgs.change", org.region_code),
    }
    return render(request, "orgs/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request):
    request.actor.require("orgs.change")
    form = OrganisationForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    org = submit(
        request, form, lambda form: services.org_create(actor=request.actor, data=form.service_data())
    )
    if org is not None:
        messages.success(request, _("已登记“%(name)s”。") % {"name": org.name})
        return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "title": _("登记社会组织")})


@login_required
@require_http_methods(["GET", "POST"])
def org_edit(request, pk: int):
    org = get_scoped_or_404(Organisation, pk=pk)
    request.actor.require("orgs.change", org.region_code)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.actor, org=org, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", pk=pk)
    return render(request, "orgs/form.html", {"form": form, "title": _("编辑社会组织"), "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def org_import(request):
    return import_page(
        request,
        kind="orgs.organisations",
        region_choices=region_choices(request.actor.regions_with("orgs.change")),
        template_url=reverse("orgs:template"),
    )


@login_required
def org_template(request):
    request.actor.require("orgs.view")
    return xlsx_response(
        "社会组织导入模板.xlsx", template_for(SPEC, actor=request.actor, permission="orgs.change")
    )

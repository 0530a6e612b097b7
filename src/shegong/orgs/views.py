from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.audit.services import record
from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.forms import apply_errors, submit
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.models import Region
from shegong.regions.selectors import scope_roots

from . import selectors, services
from .forms import OrganisationForm
from .imports import SPEC, import_organisations
from .importview import import_page
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


@login_required
def org_export(request):
    request.actor.require("orgs.view")
    filters = _filters(request)
    rows = [
        (
            o.name,
            o.credit_code or "",
            o.get_kind_display(),
            o.get_category_display(),
            o.region.name,
            o.region_id,
            o.rating or "",
            o.rating_date,
            o.rating_expires,
            o.get_filing_status_display() if o.filing_status else "",
            o.filed_on,
            o.incubated_by.name if o.incubated_by else "",
            o.get_party_branch_display(),
            o.contact,
            o.phone,
            o.founded_on,
        )
        for o in selectors.organisations(**filters)[:100000]
    ]
    headers = [
        "名称",
        "统一社会信用代码",
        "类型",
        "类别",
        "登记区划",
        "区划代码",
        "评估等级",
        "评级日期",
        "等级有效期至",
        "备案状态",
        "备案日期",
        "孵化枢纽",
        "党组织建设",
        "负责人",
        "联系电话",
        "成立日期",
    ]
    record(
        "export",
        actor=request.actor,
        object_type="orgs.organisation",
        request=request,
        region_code=request.actor.home_region_code,
        changes={"rows": len(rows), "filters": {k: v for k, v in filters.items() if v}},
    )
    sheet = _("社会组织")
    return xlsx_response(f"{sheet}-{timezone.localdate():%Y%m%d}.xlsx", build_workbook(sheet, headers, rows))


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
        title=_("导入社会组织"),
        permission="orgs.change",
        importer=import_organisations,
        template_url=reverse("orgs:template"),
        back_url=reverse("orgs:list"),
        noun=_("社会组织"),
    )


@login_required
def org_template(request):
    request.actor.require("orgs.view")
    return xlsx_response("社会组织导入模板.xlsx", SPEC.template())

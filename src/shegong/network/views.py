from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.forms import submit
from shegong.core.regioncodes import Level
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_messages
from shegong.regions.selectors import area_choices

from . import selectors, services
from .forms import DemonstrationForm, DocumentForm, NodeForm, StageForm
from .models import NodeLevel, NodeStatus, ServiceNode


@login_required
def node_list(request):
    request.actor.require("network.view")
    filters = {
        "level": request.GET.get("level", ""),
        "status": request.GET.get("status", ""),
        "under": request.GET.get("under", ""),
        "q": request.GET.get("q", "").strip(),
    }
    page = Paginator(selectors.nodes(**filters), 30).get_page(request.GET.get("page"))
    haves = selectors.five_haves([n for n in page if n.level == NodeLevel.STATION])
    grown = selectors.development([n for n in page if n.level == NodeLevel.STATION])
    for node in page:
        node.haves = haves.get(node.pk)
        node.development = grown.get(node.pk)
    context = {
        "page": page,
        "filters": filters,
        "levels": NodeLevel.choices,
        "statuses": NodeStatus.choices,
        "can_change": request.actor.can("network.change"),
    }
    template = "network/_table.html" if request.htmx else "network/list.html"
    return render(request, template, context)


@login_required
def node_detail(request, pk: int, stage_form=None, demonstration_form=None):
    request.actor.require("network.view")
    node = get_scoped_or_404(ServiceNode.objects.select_related("region", "operator"), pk=pk)
    context = {
        "node": node,
        "haves": selectors.five_haves([node])[node.pk] if node.level == NodeLevel.STATION else None,
        "documents": node.documents.all(),
        "activities": node.activities.all()[:10],
        "document_form": DocumentForm(),
        "can_change": request.actor.can("network.change", node.region_code),
        "is_station": node.level == NodeLevel.STATION,
        "stages": node.stages.all(),
        "demonstrations": node.demonstrations.all(),
        "stage_form": stage_form or StageForm(),
        "demonstration_form": demonstration_form or DemonstrationForm(),
    }
    return render(request, "network/detail.html", context)


@login_required
@require_POST
def stage_record(request, pk: int):
    node = get_scoped_or_404(ServiceNode, pk=pk)
    request.actor.require("network.change", node.region_code)
    form = StageForm(request.POST)
    done = submit(
        request, form, lambda form: services.stage_record(actor=request.actor, node=node, **form.cleaned_data)
    )
    if done is not None:
        messages.success(request, _("已记录发展阶段。"))
        return redirect("network:detail", pk=pk)
    return _refused(request, node, stage_form=form)


@login_required
@require_POST
def demonstration_add(request, pk: int):
    node = get_scoped_or_404(ServiceNode, pk=pk)
    request.actor.require("network.change", node.region_code)
    form = DemonstrationForm(request.POST)
    done = submit(
        request,
        form,
        lambda form: services.demonstration_add(actor=request.actor, node=node, **form.cleaned_data),
    )
    if done is not None:
        messages.success(request, _("已记录示范站命名。"))
        return redirect("network:detail", pk=pk)
    return _refused(request, node, demonstration_form=form)


def _refused(request, node: ServiceNode, **forms):
    """The station page again with the refused form open and what was typed; a node that is not a station has no
    such form, so the refusal becomes a message."""
    if node.level != NodeLevel.STATION:
        form = next(iter(forms.values()))
        messages.error(request, join_messages(e for errors in form.errors.values() for e in errors))
        return redirect("network:detail", pk=node.pk)
    response = node_detail(request, node.pk, **forms)
    response.status_code = 422
    return response


def _areas(request) -> list[tuple[str, str]]:
    """Where the user may place a service site: their regions and everything under them."""
    return area_choices(request.actor.regions_with("network.change"), lowest=Level.VILLAGE)


@login_required
@require_http_methods(["GET", "POST"])
def node_create(request):
    request.actor.require("network.change")
    initial = {"level": request.GET.get("level", ""), "region": request.GET.get("region", "")}
    form = NodeForm(request.POST or None, initial=initial, areas=_areas(request))
    node = submit(
        request, form, lambda form: services.node_create(actor=request.actor, data=form.service_data())
    )
    if node is not None:
        messages.success(request, _("已新增“%(name)s”。") % {"name": node.name})
        return redirect("network:detail", pk=node.pk)
    return render(request, "network/form.html", {"form": form, "title": _("新增服务阵地")})


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request, pk: int):
    node = get_scoped_or_404(ServiceNode, pk=pk)
    request.actor.require("network.change", node.region_code)
    form = NodeForm(request.POST or None, instance=node, areas=_areas(request))
    saved = submit(
        request,
        form,
        lambda form: services.node_update(actor=request.actor, node=node, data=form.service_data()),
    )
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect("network:detail", pk=pk)
    return render(request, "network/form.html", {"form": form, "title": _("编辑服务阵地"), "node": node})


@login_required
@require_POST
def document_add(request, pk: int):
    node = get_scoped_or_404(ServiceNode, pk=pk)
    form = DocumentForm(request.POST)
    if form.is_valid():
        try:
            services.document_add(actor=request.actor, node=node, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, join_messages(exc.messages))
    else:
        messages.error(request, _("请填写文件标题。"))
    return redirect("network:detail", pk=pk)

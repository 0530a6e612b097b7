"""Pages of demand intake and dispatch: the desk's board, desk entry, a request's page with its transitions, a
receiver's list, the catalogue and dispatch rules, and the demand list. The resident's public pages are in
``public.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.audit.services import record
from shegong.core.export_views import export_page
from shegong.core.forms import apply_errors, submit
from shegong.core.masking import mask_name, mask_phone
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.orgs.models import Organisation
from shegong.people.models import SocialWorker, VolunteerTeam, WorkerStatus
from shegong.regions.selectors import area_choices, village_choices
from shegong.visits.models import Visit
from shegong.visits.services import worker_of

from . import catalogue, selectors, services
from .exports import DEMAND_LIST_EXPORT, codes_for, period
from .forms import DeskRequestForm, DispatchForm, RatingForm, ReasonForm, ResolveForm
from .models import AT_DESK, CatalogueItem, DemandRequest, DispatchPolicy, Holiday, ReceiverKind


@login_required
def board(request):
    """The desk (前台): new, unaccepted, overdue and handed-back requests; stays an indexed query at 100,000."""
    request.actor.require("demands.dispatch")
    now = timezone.now()
    counts = selectors.board_counts(now=now)
    tab = request.GET.get("tab", "")
    if tab not in selectors.BOARD_TABS:
        # The menu's badge counts requests new or handed back: open where they are.
        tab = "returned" if not counts["new"] and counts["returned"] else "new"
    page = Paginator(selectors.board(tab, now), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "demands/board.html",
        {
            "tab": tab,
            "counts": counts,
            "page": page,
            "rows": _rows(page),
            "now": now,
        },
    )


@login_required
def request_list(request):
    """Requests under a region by state or month: what a dashboard figure counts, read-only."""
    request.actor.require("demands.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.REQUEST_FILTERS}
    now = timezone.now()
    page = Paginator(selectors.requests(**filters, now=now), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "demands/requests.html",
        {"filters": filters, "page": page, "rows": _rows(page), "now": now, "query": request.GET.urlencode()},
    )


def _rows(page):
    return [
        {"req": req, "name": mask_name(req.requester_name), "phone": mask_phone(req.requester_phone)}
        for req in page.object_list
    ]


@login_required
def mine(request):
    """What waits for the receiver: requests dispatched to it, by deadline (the worker's "today")."""
    request.actor.require("demands.handle")
    worker = worker_of(request.actor)
    page = Paginator(selectors.assigned(request.actor, worker=worker), 50).get_page(request.GET.get("page"))
    return render(request, "demands/mine.html", {"page": page, "rows": _rows(page), "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request):
    """Phone or walk-in entry by the desk, or a report by a worker, volunteer or grid member."""
    request.actor.require("demands.report")
    villages = village_choices(request.actor.regions_with("demands.report"))
    form = DeskRequestForm(request.POST or None, villages=villages)
    req = submit(request, form, lambda f: services.request_create(actor=request.actor, data=f.cleaned_data))
    if req is not None:
        messages.success(request, _("已受理，查询码 %(code)s") % {"code": req.tracking_code})
        return redirect("demands:detail", req.pk)
    return render(request, "demands/desk_new.html", {"form": form})


@login_required
@require_POST
def from_visit(request, pk):
    """The need found on a visit becomes a request in one step."""
    visit = get_scoped_or_404(Visit.objects.select_related("recipient__region"), pk=pk)
    try:
        req, created = services.request_from_visit(actor=request.actor, visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("visits:visit_detail", visit.pk)
    if not created:
        messages.info(request, _("这次探访发现的需求已转为诉求 %(code)s") % {"code": req.tracking_code})
    return redirect("demands:detail", req.pk)


def _fetch(pk):
    return get_scoped_or_404(
        DemandRequest.objects.select_related(
            "region",
            "region__parent",
            "item__domain",
            "station",
            "worker",
            "organisation",
            "team",
            "recipient",
        ),
        pk=pk,
    )


def _receiver_choices(req):
    district = req.region_code[:6]
    stations = ServiceNode.objects.filter(level=NodeLevel.STATION, region_code__startswith=district)
    workers = SocialWorker.objects.filter(status=WorkerStatus.ACTIVE, region_code__startswith=district)
    orgs = Organisation.objects.filter(region_code__startswith=district)
    teams = VolunteerTeam.objects.filter(region_code__startswith=district)
    groups = []
    for kind, rows in (
        (ReceiverKind.STATION, stations.order_by("region_code", "name")[:200]),
        (ReceiverKind.WORKER, workers.order_by("name")[:300]),
        (ReceiverKind.ORGANISATION, orgs.order_by("name")[:200]),
        (ReceiverKind.TEAM, teams.order_by("name")[:200]),
    ):
        options = [(f"{kind}:{row.pk}", row.name) for row in rows]
        if options:
            groups.append((str(kind.label), options))
    return groups


def _item_choices(req):
    return [
        (str(domain), [(str(item.pk), item.name) for item in items])
        for domain, items in catalogue.grouped(catalogue.items_for(req.region_code))
    ]


def _receiver(value: str):
    kind, _sep, pk = (value or "").partition(":")
    model = {
        ReceiverKind.STATION: ServiceNode,
        ReceiverKind.WORKER: SocialWorker,
        ReceiverKind.ORGANISATION: Organisation,
        ReceiverKind.TEAM: VolunteerTeam,
    }.get(kind)
    if model is None:
        return kind, None
    try:
        return kind, get_scoped_or_404(model, pk=pk)
    except Http404:
        return kind, None


def _detail_context(request, req, **forms):
    actor = request.actor
    at_desk = req.status in AT_DESK
    suggestions = catalogue.suggest(req.description, catalogue.items_for(req.region_code)) if at_desk else []
    dispatch_form = forms.get("dispatch") or DispatchForm(
        items=_item_choices(req) if at_desk else (),
        receivers=_receiver_choices(req) if at_desk else (),
        initial={
            "item": str(suggestions[0].pk) if suggestions else "",
            "urgency": suggestions[0].default_urgency if suggestions else "general",
        },
    )
    return {
        "req": req,
        "events": req.events.select_related("actor").order_by("at", "pk"),
        "name": mask_name(req.requester_name),
        "phone": mask_phone(req.requester_phone),
        "repeat": selectors.repeat_count(req),
        "suggestions": suggestions,
        "can_dispatch": actor.can("demands.dispatch", req.region_code),
        "can_handle": actor.can("demands.handle", req.region_code),
        "dispatch_form": dispatch_form,
        "reason_form": forms.get("reason") or ReasonForm(),
        "resolve_form": forms.get("resolve") or ResolveForm(req=req),
        "rating_form": forms.get("rating") or RatingForm(),
        "failed": forms.get("failed", ""),
        "revealed": forms.get("revealed"),
        "overdue": DemandRequest.objects.filter(selectors.overdue_q(), pk=req.pk).exists(),
    }


@login_required
def detail(request, pk):
    request.actor.require("demands.view")
    req = _fetch(pk)
    return render(request, "demands/detail.html", _detail_context(request, req))


ACTIONS = ("dispatch", "accept", "return", "start", "pause", "resume", "resolve", "rate", "cancel", "reveal")


@login_required
@require_POST
def act(request, pk, action):
    """One transition of a request (the form of that step on the request's page); errors come back on the page
    with what was typed."""
    req = _fetch(pk)
    if action not in ACTIONS:
        raise Http404
    actor = request.actor
    forms = {}
    try:
        if action == "dispatch":
            form = DispatchForm(request.POST, items=_item_choices(req), receivers=_receiver_choices(req))
            forms = {"dispatch": form, "failed": action}
            if form.is_valid():
                item = CatalogueItem.objects.filter(pk=form.cleaned_data["item"]).first()
                kind, receiver = _receiver(form.cleaned_data["receiver"])
                services.request_dispatch(
                    actor=actor,
                    req=req,
                    item=item,
                    urgency=form.cleaned_data["urgency"],
                    kind=kind,
                    receiver=receiver,
                )
                messages.success(request, _("已派单"))
                return redirect("demands:detail", req.pk)
        elif action in ("return", "pause", "cancel"):
            form = ReasonForm(request.POST)
            forms = {"reason": form, "failed": action}
            if form.is_valid():
                service = {
                    "return": services.request_return,
                    "pause": services.request_pause,
                    "cancel": services.request_cancel,
                }[action]
                service(actor=actor, req=req, reason=form.cleaned_data["reason"])
                if action == "return" and not actor.can("demands.view", req.region_code):
                    return redirect("demands:mine")
                return redirect("demands:detail", req.pk)
        elif action == "resolve":
            form = ResolveForm(request.POST, req=req)
            forms = {"resolve": form, "failed": action}
            if form.is_valid():
                services.request_resolve(
                    actor=actor,
                    req=req,
                    resolution=form.cleaned_data["resolution"],
                    project_id=form.cleaned_data.get("project_id"),
                )
                return redirect("demands:detail", req.pk)
        elif action == "rate":
            form = RatingForm(request.POST)
            forms = {"rating": form, "failed": action}
            if form.is_valid():
                services.request_rate(
                    actor=actor,
                    req=req,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    via="callback",
                )
                return redirect("demands:detail", req.pk)
        elif action == "reveal":
            form = ReasonForm(request.POST)
            forms = {"reason": form, "failed": action}
            if form.is_valid():
                # The desk calls back; the receiver calls to serve: both may see the number, with a reason.
                if not (
                    actor.can("demands.dispatch", req.region_code)
                    or actor.can("demands.handle", req.region_code)
                ):
                    raise PermissionDenied("demands.dispatch")
                record(
                    "reveal",
                    actor=actor,
                    obj=req,
                    reason=form.cleaned_data["reason"],
                    changes={"field": "requester_phone"},
                )
                forms = {
                    "revealed": {
                        "name": req.requester_name,
                        "phone": req.requester_phone,
                        "address": req.address,
                    }
                }
        else:
            service = {
                "accept": services.request_accept,
                "start": services.request_start,
                "resume": services.request_resume,
            }[action]
            service(actor=actor, req=req)
            return redirect("demands:detail", req.pk)
    except ValidationError as exc:
        form = next((f for k, f in forms.items() if k not in ("failed", "revealed")), None)
        if form is not None:
            apply_errors(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
            return redirect("demands:detail", req.pk)
    req.refresh_from_db()
    status = 200 if action == "reveal" and "revealed" in forms else 422
    return render(request, "demands/detail.html", _detail_context(request, req, **forms), status=status)


# Catalogue and rules --------------------------------------------------------------------------------------------


def _catalogue_region(request) -> str:
    mine = request.actor.regions_with("demands.catalogue") or request.actor.regions_with("demands.view")
    code = request.GET.get("region") or request.POST.get("region") or (mine[0] if mine else "")
    if not code or not request.actor.scope.contains(code):
        raise Http404
    return code


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_page(request):
    """The catalogue in use for a region (a starting point modelled on Chengdu's 8 domains and 45 items); an
    official makes the region's own copy to add, retire and re-word items."""
    request.actor.require("demands.view")
    code = _catalogue_region(request)
    owner = catalogue.owner_of(code)
    if request.method == "POST":
        request.actor.require("demands.catalogue", code)
        services_catalogue().customise(actor=request.actor, region_code=code)
        messages.success(request, _("已建立本地服务目录，可以修改了"))
        return redirect(f"{request.path}?region={code}")
    items = catalogue.items_for(code, include_retired=True)
    return render(
        request,
        "demands/catalogue.html",
        {
            "region": code,
            "own": owner == code,
            "inherited": owner,
            "groups": catalogue.grouped(items),
            "can_change": request.actor.can("demands.catalogue", code),
            "policy": services_catalogue().rules_for(code),
            "policy_fields": _policy_fields(code),
            "holidays": Holiday.objects.filter(region_id=code).order_by("-day")[:20],
        },
    )


def _policy_fields(code: str) -> list[tuple]:
    """(name, label, the region's own value or "", the value in force) for the rules form."""
    own = DispatchPolicy.objects.filter(region_id=code).first()
    in_force = services_catalogue().rules_for(code)
    return [
        (
            f.name,
            f.verbose_name,
            "" if own is None or getattr(own, f.name) is None else getattr(own, f.name),
            getattr(in_force, f.name),
        )
        for f in DispatchPolicy._meta.concrete_fields
        if f.name not in ("id", "region")
    ]


def services_catalogue():
    from . import catalogue_services

    return catalogue_services


def _own_item(request, pk) -> CatalogueItem:
    item = CatalogueItem.objects.select_related("domain").filter(pk=pk).first()
    if (
        item is None
        or item.domain.region_id is None
        or not request.actor.scope.contains(item.domain.region_id)
    ):
        raise Http404
    request.actor.require("demands.catalogue", item.domain.region_id)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    from .catalogue_services import ItemForm, item_update

    item = _own_item(request, pk)
    form = ItemForm(request.POST or None, instance=item, region_code=item.domain.region_id)
    if submit(request, form, lambda f: item_update(actor=request.actor, item=item, data=f.cleaned_data)):
        messages.success(request, _("已保存"))
        return redirect(f"/demands/catalogue/?region={item.domain.region_id}")
    return render(request, "demands/item_form.html", {"form": form, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    from .catalogue_services import ItemForm, item_create

    code = _catalogue_region(request)
    request.actor.require("demands.catalogue", code)
    if catalogue.owner_of(code) != code:
        raise Http404
    form = ItemForm(request.POST or None, region_code=code)
    if submit(
        request, form, lambda f: item_create(actor=request.actor, region_code=code, data=f.cleaned_data)
    ):
        messages.success(request, _("已新增事项"))
        return redirect(f"/demands/catalogue/?region={code}")
    return render(request, "demands/item_form.html", {"form": form, "item": None, "region": code})


@login_required
@require_POST
def rules_update(request):
    """An official sets the region's dispatch deadlines (blank inherits) or marks a day of its holiday calendar."""
    import datetime

    from .catalogue_services import holiday_set, policy_update
    from .policy import FIELDS

    code = _catalogue_region(request)
    request.actor.require("demands.catalogue", code)
    try:
        if request.POST.get("day"):
            try:
                day = datetime.date.fromisoformat(request.POST["day"])
            except ValueError:
                raise ValidationError({"day": [_("日期格式应为 YYYY-MM-DD")]}) from None
            holiday_set(
                actor=request.actor,
                region_code=code,
                day=day,
                working=request.POST.get("working") == "1",
                name=request.POST.get("name", ""),
            )
        else:
            values = {}
            for name in FIELDS:
                raw = request.POST.get(name, "").strip()
                if raw and as_int(raw, max_value=32767) is None:
                    raise ValidationError({name: [_("请填写整数")]})
                values[name] = as_int(raw) if raw else None
            policy_update(actor=request.actor, region_code=code, values=values)
        messages.success(request, _("已保存"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"/demands/catalogue/?region={code}")


# The demand list ------------------------------------------------------------------------------------------------


@login_required
def demand_list(request):
    """需求清单: requests per catalogue item and month, with unmet counts and trends, for project design."""
    request.actor.require("demands.view")
    filters = period(request)
    codes = codes_for(request.actor, filters["region"])
    months, rows = selectors.demand_list(codes, filters["since"], filters["until"])
    from .models import ProjectBasis

    return render(
        request,
        "demands/demand_list.html",
        {
            "filters": filters,
            "months": months,
            "rows": rows,
            "stations": selectors.station_figures(codes, filters["since"], filters["until"]),
            "query": request.GET.urlencode(),
            "can_export": request.actor.can("demands.export"),
            "can_mark": request.actor.can("demands.catalogue"),
            "bases": ProjectBasis.objects.select_related("item").order_by("-marked_at")[:20],
            "total": sum(r.summary.requests for r in rows),
            "areas": area_choices(request.actor.regions_with("demands.view")),
        },
    )


@login_required
def demand_list_export(request):
    return export_page(request, DEMAND_LIST_EXPORT)


@login_required
@require_POST
def mark_basis(request):
    from .catalogue_services import basis_mark

    filters = period(request)
    code = request.POST.get("region", "")
    if not code or not request.actor.scope.contains(code):
        raise Http404
    item = CatalogueItem.objects.filter(pk=request.POST.get("item")).first()
    if item is None:
        raise Http404
    try:
        basis_mark(
            actor=request.actor,
            region_code=code,
            item=item,
            since=filters["since"],
            until=filters["until"],
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已标记为项目设计依据"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"/demands/demand-list/?{request.GET.urlencode()}")

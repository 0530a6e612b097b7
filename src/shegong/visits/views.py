from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.export_views import export_options, export_page
from shegong.core.forms import apply_errors
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.people.models import SocialWorker
from shegong.recipients.models import Recipient, RiskTier
from shegong.recipients.selectors import unvisited as unvisited_recipients
from shegong.recipients.services import fetch as fetch_recipient
from shegong.regions.selectors import area_choices, region_from_request

from . import selectors, services
from .exports import OVERDUE_EXPORT, UNVISITED_EXPORT, month_of
from .forms import VisitForm
from .models import FINDING_VALUES, Visit, VisitPhoto


def _stations(request):
    return list(ServiceNode.objects.filter(level=NodeLevel.STATION).order_by("region_code"))


@login_required
def worklist(request):
    request.actor.require("visits.record")
    worker = services.worker_of(request.actor)
    today = timezone.localdate()
    context = {"worker": worker, "today": today, "show_worker": worker is None}
    if worker is not None:
        context["work"] = selectors.worklist(worker_id=worker.pk, today=today)
    else:
        stations = _stations(request)
        station_id = request.GET.get("station", "")
        station = next((s for s in stations if str(s.pk) == station_id), stations[0] if stations else None)
        context.update(stations=stations, station=station)
        if station is not None:
            context["work"] = selectors.worklist(station_id=station.pk, today=today)
    return render(request, "visits/worklist.html", context)


def _overdue_context(request) -> dict:
    filters = {name: request.GET.get(name, "").strip() for name in selectors.OVERDUE_FILTERS}
    now = timezone.now()
    page = Paginator(selectors.overdue_recipients(**filters, now=now), 50).get_page(request.GET.get("page"))
    areas = request.actor.regions_with("recipients.view")
    return {
        "filters": filters,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "items": selectors.work_items(page.object_list, now),
        "townships": area_choices(areas),
        # The workers responsible for recipients the actor may see (a relationship-bound role sees only its own).
        "workers": SocialWorker.objects.filter(pk__in=Recipient.objects.values("worker_id"))
        .order_by("name")
        .only("pk", "name"),
        "tiers": RiskTier.choices,
        "today": timezone.localdate(),
        "query": request.GET.urlencode(),
        "can_export": request.actor.can("recipients.export"),
        **export_options(request, OVERDUE_EXPORT),
    }


@login_required
def station_overdue(request):
    """Overdue and escalated recipients across the actor's whole area, filtered by township, worker and risk."""
    request.actor.require("recipients.view")
    return render(request, "visits/overdue.html", _overdue_context(request))


@login_required
def overdue_export(request):
    return export_page(request, OVERDUE_EXPORT)


@login_required
def unvisited(request):
    """The people behind a village's (or a larger area's) monthly visit-rate figure: due that month, not visited."""
    request.actor.require("recipients.view")
    region = region_from_request(request)
    month = month_of(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    page = Paginator(unvisited_recipients(under=region.code, month=month), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "visits/unvisited.html",
        {
            "region": region,
            "month": month,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": f"region={region.code}&month={month:%Y-%m}",
            "can_export": request.actor.can("recipients.export"),
            **export_options(request, UNVISITED_EXPORT),
        },
    )


@login_required
def unvisited_export(request):
    return export_page(request, UNVISITED_EXPORT)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk: int):
    recipient = fetch_recipient(pk)
    request.actor.require("visits.record", recipient.region_code)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        photos = [services.Photo(f.name, f.read()) for f in request.FILES.getlist("photos")[:20]]
        try:
            visit, created = services.visit_record(
                actor=request.actor,
                recipient=recipient,
                data=form.service_data(),
                photos=photos,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            # "recipient" and "photos" are no form fields: apply_errors already shows them above the form.
            apply_errors(form, exc)
        else:
            if created:
                messages.success(request, _("已记录对%(name)s的探访。") % {"name": recipient.name})
            else:
                messages.info(request, _("这次探访已经保存过，没有重复记录。"))
            return redirect(request.POST.get("next") or "visits:worklist")
    blocked = not recipient.is_open
    return render(
        request,
        "visits/visit_form.html",
        {
            "form": form,
            "r": recipient,
            "blocked": blocked,
            "next": request.GET.get("next", ""),
            "finding_values": FINDING_VALUES,
        },
    )


@login_required
def visit_detail(request, pk: int):
    request.actor.require("recipients.view")
    visit = get_scoped_or_404(Visit.objects.select_related("recipient", "worker"), pk=pk)
    return render(
        request,
        "visits/visit_detail.html",
        {"visit": visit, "photos": visit.photos.only("pk", "content_type", "size")},
    )


@login_required
def visit_photo(request, pk: int):
    request.actor.require("recipients.view")
    photo = get_scoped_or_404(VisitPhoto, pk=pk)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

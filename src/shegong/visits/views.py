import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.export_views import export_options, export_page
from shegong.core.forms import apply_errors
from shegong.core.masking import mask_phone
from shegong.core.pagination import paginate
from shegong.core.params import as_int
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
    context = {
        "worker": worker,
        "today": today,
        "show_worker": worker is None,
    }
    station = None
    if worker is not None:
        context["work"] = selectors.worklist(worker_id=worker.pk, today=today)
        context["extras"] = selectors.worklist_extras(worker_id=worker.pk, today=today)
    else:
        stations = _stations(request)
        station_id = request.GET.get("station", "")
        station = next((s for s in stations if str(s.pk) == station_id), stations[0] if stations else None)
        context.update(stations=stations, station=station)
        if station is not None:
            context["work"] = selectors.worklist(station_id=station.pk, today=today)
            context["extras"] = selectors.worklist_extras(station_id=station.pk, today=today)
    context["sections"] = [
        s
        for found in selectors.WORKLIST_SECTIONS.results(request.actor, worker, station=station)
        for s in found
    ]
    return render(request, "visits/worklist.html", context)


def _overdue_context(request) -> dict:
    filters = {name: request.GET.get(name, "").strip() for name in selectors.OVERDUE_FILTERS}
    now = timezone.now()
    paged = paginate(request, selectors.overdue_recipients(**filters, now=now), 50)
    page = paged["page"]
    areas = request.actor.regions_with("recipients.view")
    return {
        "filters": filters,
        **paged,
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
        # Other overdue work (case steps) of the same area and worker, on the first page.
        "extras": selectors.worklist_extras(under=filters["under"], worker_id=as_int(filters["worker"]))
        if not request.GET.get("page")
        else [],
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
    paged = paginate(request, unvisited_recipients(under=region.code, month=month), 50)
    return render(
        request,
        "visits/unvisited.html",
        {
            "region": region,
            "month": month,
            **paged,
            "query": f"region={region.code}&month={month:%Y-%m}",
            "can_export": request.actor.can("recipients.export"),
            **export_options(request, UNVISITED_EXPORT),
        },
    )


@login_required
def unvisited_export(request):
    return export_page(request, UNVISITED_EXPORT)


# Where the error summary links each error to: the control a keyboard or screen reader should land on.
ERROR_ANCHORS = {
    "project_id": "id_project_id",
    "method": "id_method_0",
    "visited_at": "id_visited_at",
    "findings": "findings",
    "photos": "id_photos",
    "location_consent": "id_location_consent",
    "location": "id_location",
    "notes": "id_notes",
    "needs_found": "id_needs_found",
    "follow_up": "id_follow_up",
}
# Service errors about things that are no form fields but do have a place on the page.
PAGE_FIELDS = {"findings": _lazy("探访发现"), "photos": _lazy("照片")}


def _form_key(form) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(form.data.get("idempotency_key", "")))
    except ValueError:
        return None


def _error_summary(form, page_errors: dict[str, list[str]]) -> list[dict]:
    """Every error of the page once, in page order: a field's links to it, the others stand alone."""
    items = [{"anchor": "", "label": "", "message": e} for e in form.non_field_errors()]
    for name in ERROR_ANCHORS:
        if name in form.fields:
            label, errors = form.fields[name].label, form.errors.get(name, [])
        elif name in PAGE_FIELDS:
            label, errors = PAGE_FIELDS[name], page_errors.get(name, [])
        else:
            continue
        items += [{"anchor": ERROR_ANCHORS[name], "label": label, "message": e} for e in errors]
    return items


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk: int):
    recipient = fetch_recipient(pk)
    request.actor.require("visits.record", recipient.region_code)
    worker = services.worker_of(request.actor)
    form = VisitForm(request.POST or None, worker_id=worker.pk if worker else None)
    page_errors: dict[str, list[str]] = {}
    held: list = []
    if request.method == "POST":
        key = _form_key(form)
        uploaded = [services.Photo(f.name, f.read()) for f in request.FILES.getlist("photos")[:20]]
        keep_ids = set(request.POST.getlist("keep_photo"))
        held_now = services.photo_drafts_held(actor=request.actor, key=key)
        # Only the photos held for this recipient's form (a key reused on another recipient's form takes none).
        kept = [d for d in held_now if str(d.pk) in keep_ids and d.recipient_id == recipient.pk]
        photos = [services.Photo(d.name, bytes(d.data)) for d in kept] + uploaded
        if form.is_valid():
            try:
                visit, created = services.visit_record(
                    actor=request.actor,
                    recipient=recipient,
                    data=form.service_data(),
                    photos=photos,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {}
                page_errors = {k: v for k, v in errors.items() if k in PAGE_FIELDS}
                rest = {k: v for k, v in errors.items() if k not in PAGE_FIELDS}
                if rest or not hasattr(exc, "error_dict"):
                    apply_errors(form, ValidationError(rest) if hasattr(exc, "error_dict") else exc)
            else:
                services.photo_drafts_discard(actor=request.actor, key=key)
                if created:
                    messages.success(request, _("已记录对%(name)s的探访。") % {"name": recipient.name})
                else:
                    messages.info(request, _("这次探访已经保存过，没有重复记录。"))
                return redirect(request.POST.get("next") or "visits:worklist")
        if key is not None:
            # The form comes back with an error: keep the photos chosen so far for the next submission.
            held = services.photo_drafts_hold(
                actor=request.actor, recipient=recipient, key=key, photos=uploaded, keep=kept
            )
    blocked = not recipient.is_open
    return render(
        request,
        "visits/visit_form.html",
        {
            "form": form,
            "r": recipient,
            "blocked": blocked,
            "next": request.GET.get("next", "") or request.POST.get("next", ""),
            "finding_values": FINDING_VALUES,
            "page_errors": page_errors,
            "error_summary": _error_summary(form, page_errors) if form.is_bound else [],
            "held_photos": held,
            "can_call": bool(recipient.phone)
            and request.actor.can("recipients.reveal", recipient.region_code)
            and services.is_assigned_worker(request.actor, recipient),
            "masked_phone": mask_phone(recipient.phone),
        },
    )


@login_required
@require_POST
def call_recipient(request, pk: int):
    """Reveal the recipient's phone to its assigned worker for one call (audited), then the page dials it.

    Anyone else gets the same 404 as a recipient out of scope: the button is not theirs to see.
    """
    recipient = fetch_recipient(pk)
    try:
        phone = services.phone_for_call(actor=request.actor, recipient=recipient)
    except PermissionDenied:
        raise Http404 from None
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"phone": phone, "tel": f"tel:{phone}"})
    else:
        response = render(request, "visits/call.html", {"r": recipient, "phone": phone})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def visit_detail(request, pk: int):
    request.actor.require("recipients.view")
    visit = get_scoped_or_404(Visit.objects.select_related("recipient", "worker"), pk=pk)
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            "photos": visit.photos.only("pk", "content_type", "size"),
            "actions": [a for found in selectors.VISIT_ACTIONS.results(request, visit) for a in found],
        },
    )


@login_required
def visit_photo(request, pk: int):
    request.actor.require("recipients.view")
    photo = get_scoped_or_404(VisitPhoto, pk=pk)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

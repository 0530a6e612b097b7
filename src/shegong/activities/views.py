from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.export_views import export_page
from shegong.core.forms import apply_errors
from shegong.core.pagination import paginate
from shegong.core.photos import Photo
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode

from . import selectors, services
from .exports import ACTIVITIES_EXPORT
from .forms import ActivityForm
from .models import Activity, ActivityPhoto


@login_required
def activity_list(request):
    request.actor.require("activities.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}
    paged = paginate(request, selectors.activities(**filters), 50)
    return render(
        request,
        "activities/list.html",
        {
            **paged,
            "filters": filters,
            "kinds": Activity.Kind.choices,
            "query": request.GET.urlencode(),
            "can_record": request.actor.can("activities.record"),
        },
    )


@login_required
def activity_export(request):
    return export_page(request, ACTIVITIES_EXPORT)


# Service errors about things that are not plain form fields but have a place on the page.
PAGE_FIELDS = ("photos", "volunteers", "recipients", "idempotency_key")


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    """Record an activity: choose the node (skipped when the actor has one), then one short form."""
    request.actor.require("activities.record")
    node_id = request.POST.get("node") or request.GET.get("node")
    nodes = ServiceNode.objects.filter(
        level__in=[NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.HUB, NodeLevel.CENTRE]
    )
    if not node_id:
        choices = list(nodes.order_by("level", "region_code", "name")[:200])
        if len(choices) != 1:
            return render(request, "activities/choose_node.html", {"nodes": choices})
        node_id = choices[0].pk
    node = get_scoped_or_404(nodes, pk=node_id)
    request.actor.require("activities.record", node.region_code)
    form = ActivityForm(request.POST or None, node=node, worker_id=services.worker_id_of(request.actor))
    page_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        photos = [Photo(f.name, f.read()) for f in request.FILES.getlist("photos")[:20]]
        try:
            activity, created = services.activity_record(
                actor=request.actor,
                node=node,
                data=form.service_data(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                recipients=form.cleaned_data["recipients"],
                volunteers=form.volunteers(),
                organisations=form.cleaned_data["organisations"],
                photos=photos,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            page_errors = {k: v for k, v in errors.items() if k not in form.fields}
            apply_errors(form, ValidationError({k: v for k, v in errors.items() if k in form.fields}))
        else:
            if created:
                messages.success(request, _("已记录活动“%(t)s”。") % {"t": activity.title})
            else:
                messages.info(request, _("这次活动已经保存过，没有重复记录。"))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "node": node,
            "page_errors": page_errors,
            "has_errors": bool(form.errors or page_errors),
            "photos_lost": request.method == "POST" and bool(request.FILES.getlist("photos")),
        },
    )


@login_required
def activity_detail(request, pk: int):
    request.actor.require("activities.view")
    activity = get_scoped_or_404(Activity.objects.select_related("node"), pk=pk)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "named": activity.named.select_related("recipient").order_by("recipient__name"),
            "hours": activity.volunteer_hours.select_related("volunteer").order_by("volunteer__name"),
            "organisations": activity.organisations.order_by("name"),
            "photos": activity.photos.only("pk", "content_type", "size"),
        },
    )


@login_required
def activity_photo(request, pk: int):
    request.actor.require("activities.view")
    photo = get_scoped_or_404(ActivityPhoto, pk=pk)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.forms import apply_errors
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.recipients.services import fetch as fetch_recipient
from shegong.regions.models import Region

from . import care, selectors, services
from .forms import EventHoursForm, RuleFormSet, VisitForm
from .models import FINDING_VALUES, Visit, VisitPhoto, VisitRule


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
    return render(request, "services/worklist.html", context)


@login_required
def station_overdue(request):
    request.actor.require("recipients.view")
    stations = _stations(request)
    station_id = request.GET.get("station", "")
    station = next((s for s in stations if str(s.pk) == station_id), stations[0] if stations else None)
    work = selectors.worklist(station_id=station.pk, overdue_only=True) if station else None
    escalated = [i for i in work.overdue if i.escalated] if work else []
    return render(
        request,
        "services/overdue.html",
        {
            "stations": stations,
            "station": station,
            "work": work,
            "escalated": escalated,
            "today": timezone.localdate(),
        },
    )


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
            apply_errors(form, exc)
            photo_errors = exc.message_dict.get("photos", []) if hasattr(exc, "error_dict") else []
            for message in photo_errors + (
                exc.message_dict.get("recipient", []) if hasattr(exc, "error_dict") else []
            ):
                form.add_error(None, message)
        else:
            if created:
                messages.success(request, _("已记录对%(name)s的探访。") % {"name": recipient.name})
            else:
                messages.info(request, _("这次探访已经保存过，没有重复记录。"))
            return redirect(request.POST.get("next") or "services:worklist")
    blocked = not recipient.is_open
    return render(
        request,
        "services/visit_form.html",
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
        "services/visit_detail.html",
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


def _region_param(request) -> Region:
    code = request.GET.get("region", "").strip()
    if code:
        return get_scoped_or_404(Region, code=code)
    home = request.actor.home_region_code
    region = Region.objects.filter(code=home).first() if home else None
    if region is None:
        region = Region.objects.order_by("level", "code").first()
    if region is None:
        raise Http404
    return region


def _month_param(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def visit_rate(request):
    request.actor.require("dashboard.view")
    region = _region_param(request)
    month = _month_param(request)
    rate = selectors.visit_rate(region, month=month)
    chart = rate.chart(("", ""))
    chart["series"] += (
        [{"name": c.name, "data": [c.at(m).rate for m in rate.months]} for c in rate.children[:6]]
        if len(rate.children) <= 6
        else []
    )
    for child in rate.children:
        child.current = child.at(rate.month)
    parent = Region.objects.filter(code=region.parent_id).first() if region.parent_id else None
    return render(
        request,
        "services/rate.html",
        {
            "rate": rate,
            "region": region,
            "parent": parent,
            "month": month,
            "chart": chart,
            "chart_json": json.dumps(chart),
            "current": rate.total.at(rate.month),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    request.actor.require("recipients.view")
    region = _region_param(request)
    table = care.rule_table(region.code)
    own = list(VisitRule.objects.filter(region=region).select_related("category"))
    can_change = request.actor.can("policy.change", region.code)
    initial = [{"category": r.category_id, "risk_tier": r.risk_tier, "frequency": r.frequency} for r in own]
    formset = RuleFormSet(request.POST or None, initial=initial, prefix="rule")
    hours_form = EventHoursForm(request.POST or None, initial={"event_hours": table.event_hours})
    if request.method == "POST":
        request.actor.require("policy.change", region.code)
        if request.POST.get("reset"):
            services.rules_reset(actor=request.actor, region=region)
            messages.success(request, _("已恢复默认规则。"))
            return redirect(f"{request.path}?region={region.code}")
        if formset.is_valid() and hours_form.is_valid():
            rows = [
                {
                    "category": f.cleaned_data.get("category"),
                    "risk_tier": f.cleaned_data.get("risk_tier"),
                    "frequency": f.cleaned_data.get("frequency"),
                }
                for f in formset.forms
                if f.cleaned_data.get("frequency")
            ]
            try:
                services.rules_replace(
                    actor=request.actor,
                    region=region,
                    rules=rows,
                    event_hours=hours_form.cleaned_data["event_hours"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("规则已保存，辖区内服务对象的应访日期已重新计算。"))
                return redirect(f"{request.path}?region={region.code}")
    return render(
        request,
        "services/rules.html",
        {
            "region": region,
            "table": table,
            "own": own,
            "formset": formset,
            "hours_form": hours_form,
            "can_change": can_change,
            "inherited": table.region_code != region.code,
        },
    )

"""The resident's pages, no login: report a need, then follow it and rate it by its tracking code.

Anonymous-safe: the submission is rate-limited per address (``services.public_limit``) and a hidden field traps
bots (no third-party CAPTCHA); the tracking page reads one request by its unguessable code and shows its steps,
never a name, a phone, an address or what anyone wrote.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shegong.core.forms import apply_errors
from shegong.core.net import client_address
from shegong.core.scoping import across_regions

from . import services
from .forms import PublicRequestForm, RatingForm
from .models import DemandRequest, EventKind, Status

# What the tracking page shows of each step: its kind and time, nothing anyone wrote.
SHOWN_STEPS = {
    EventKind.RECEIVED,
    EventKind.DISPATCHED,
    EventKind.ACCEPTED,
    EventKind.RETURNED,
    EventKind.STARTED,
    EventKind.PAUSED,
    EventKind.RESUMED,
    EventKind.RESOLVED,
    EventKind.RATED,
    EventKind.REOPENED,
}


@require_http_methods(["GET", "POST"])
def submit_request(request):
    form = PublicRequestForm(request.POST or None)
    if request.method == "POST" and "narrow" in request.POST:
        return render(
            request, "demands/public_new.html", {"form": PublicRequestForm(initial=request.POST.dict())}
        )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            # A bot filled the hidden field: answer like a success, store nothing.
            return render(request, "demands/public_new.html", {"form": PublicRequestForm(), "trapped": True})
        try:
            req = services.request_submit_public(
                data=form.cleaned_data, address=client_address(request), request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 429 if getattr(exc, "code", "") == "rate_limited" or _is_rate_limited(exc) else 422
            return render(request, "demands/public_new.html", {"form": form}, status=status)
        return redirect("public_requests:track", req.tracking_code)
    return render(request, "demands/public_new.html", {"form": form}, status=422 if form.errors else 200)


def _is_rate_limited(exc: ValidationError) -> bool:
    return any(
        getattr(e, "code", "") == "rate_limited"
        for errors in getattr(exc, "error_dict", {}).values()
        for e in errors
    )


def find(code: str) -> DemandRequest:
    code = (code or "").strip().upper()
    if not 6 <= len(code) <= 12:
        raise Http404
    with across_regions("the public tracking page reads one request by its unguessable code"):
        req = (
            DemandRequest.objects.select_related("item", "region", "region__parent")
            .filter(tracking_code=code)
            .first()
        )
        if req is None:
            raise Http404
        req.public_steps = [
            (e.kind, EventKind(e.kind).label, e.at)
            for e in req.events.filter(kind__in=SHOWN_STEPS).order_by("at", "pk").only("kind", "at")
        ]
    return req


@require_http_methods(["GET", "POST"])
def track(request, code):
    req = find(code)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and req.status == Status.RESOLVED and form.is_valid():
        try:
            with across_regions("a resident rates their own request by its tracking code"):
                services.request_rate(
                    req=req,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    via="tracking",
                )
            return redirect("public_requests:track", req.tracking_code)
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(
        request,
        "demands/public_track.html",
        {"req": req, "form": form, "created": request.GET.get("new") == "1", "thanks": _("感谢您的评价")},
        status=422 if form.errors else 200,
    )

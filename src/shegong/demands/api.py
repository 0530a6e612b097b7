"""The demands API: the catalogue, requests with their transitions as operations, the demand summary, and the
resident's public submission and tracking endpoints (no login, rate-limited, nothing personal in the answer)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.masking import mask_name, mask_phone
from shegong.core.net import client_address
from shegong.core.scoping import get_scoped_or_404

from . import catalogue, public, selectors, services
from .models import CatalogueItem, DemandRequest

catalogue_router = Router(tags=["demands"])
demands = Router(tags=["demands"])
public_router = Router(tags=["public"])


class ItemOut(Schema):
    id: int
    code: str
    domain: str
    name: str
    description: str
    receivers: list[str]
    default_urgency: str
    active: bool


class CatalogueFilter(Schema):
    region: str = Field("", max_length=12)


@catalogue_router.get("", response={200: list[ItemOut], **STANDARD_ERRORS})
def list_catalogue(request, filters: Query[CatalogueFilter]):
    """The catalogue in use for a region of the caller's (its own copy, an ancestor's, or the shipped default)."""
    request.auth.require("demands.view")
    code = filters.region or (request.auth.regions_with("demands.view") or [""])[0]
    if not request.auth.scope.contains(code):
        raise Http404
    return [
        {
            "id": i.pk,
            "code": i.code,
            "domain": i.domain.name,
            "name": i.name,
            "description": i.description,
            "receivers": list(i.receivers),
            "default_urgency": i.default_urgency,
            "active": i.active,
        }
        for i in catalogue.items_for(code, include_retired=True)
    ]


class DemandOut(Schema):
    id: int
    tracking_code: str
    region: str
    channel: str
    status: str
    urgency: str
    item: int | None
    receiver_kind: str
    receiver: int | None
    requester_name: str
    requester_phone: str
    received_at: datetime.datetime
    accept_due_at: datetime.datetime | None
    resolve_due_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    returns: int
    reopened: bool
    rating: int | None
    escalation: int


class DemandPage(Schema):
    count: int
    page: int
    pages: int
    results: list[DemandOut]


def _out(req: DemandRequest) -> dict[str, Any]:
    receiver = req.receiver
    return {
        "id": req.pk,
        "tracking_code": req.tracking_code,
        "region": req.region_code,
        "channel": req.channel,
        "status": req.status,
        "urgency": req.urgency,
        "item": req.item_id,
        "receiver_kind": req.receiver_kind,
        "receiver": receiver.pk if receiver is not None else None,
        "requester_name": mask_name(req.requester_name),
        "requester_phone": mask_phone(req.requester_phone),
        "received_at": req.received_at,
        "accept_due_at": req.accept_due_at,
        "resolve_due_at": req.resolve_due_at,
        "resolved_at": req.resolved_at,
        "returns": req.returns,
        "reopened": req.reopened,
        "rating": req.rating,
        "escalation": req.escalation,
    }


class DemandFilter(Schema):
    tab: Literal["new", "unaccepted", "overdue", "returned", "open", "all"] = "all"
    page: int = Field(1, ge=1, le=100000)


@demands.get("", response={200: DemandPage, **STANDARD_ERRORS})
def list_demands(request, filters: Query[DemandFilter]):
    request.auth.require("demands.view")
    queryset = DemandRequest.objects.select_related("station", "worker", "organisation", "team")
    if filters.tab != "all":
        queryset = queryset.filter(selectors.board_filter(filters.tab))
    return paginated(queryset.order_by("-received_at", "-pk"), filters.page, _out)


class DemandIn(StrictSchema):
    channel: Literal["phone", "walk_in", "volunteer", "grid", "case"]
    description: str = Field(..., max_length=1000)
    region: str = Field("", max_length=12)
    recipient: int | None = None
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    consent_contact: bool = False
    source_ref: str = Field("", max_length=40)


@demands.post("", response={201: DemandOut, **STANDARD_ERRORS})
def create_demand(request, payload: DemandIn):
    data = payload.model_dump()
    if payload.recipient is not None:
        from shegong.recipients.services import fetch as fetch_recipient

        data["recipient"] = fetch_recipient(payload.recipient)
    return 201, _out(services.request_create(actor=request.auth, data=data))


@demands.get("/{int:demand_id}", response={200: DemandOut, **STANDARD_ERRORS})
def get_demand(request, demand_id: int):
    request.auth.require("demands.view")
    return _out(get_scoped_or_404(DemandRequest, pk=demand_id))


class DispatchIn(StrictSchema):
    item: int
    urgency: Literal["urgent", "general", "complex"]
    receiver_kind: Literal["station", "worker", "organisation", "team"]
    receiver: int


@demands.post("/{int:demand_id}/dispatch", response={200: DemandOut, **STANDARD_ERRORS})
def dispatch_demand(request, demand_id: int, payload: DispatchIn):
    from .views import _receiver

    req = get_scoped_or_404(DemandRequest, pk=demand_id)
    item = CatalogueItem.objects.filter(pk=payload.item).first()
    kind, receiver = _receiver(f"{payload.receiver_kind}:{payload.receiver}")
    return _out(
        services.request_dispatch(
            actor=request.auth, req=req, item=item, urgency=payload.urgency, kind=kind, receiver=receiver
        )
    )


class ReasonIn(StrictSchema):
    reason: str = Field(..., max_length=500)


class ResolveIn(StrictSchema):
    resolution: str = Field(..., max_length=2000)
    # The project it was done under: needed only when the worker serves on several that day (one of them).
    project_id: int | None = None


class RatingIn(StrictSchema):
    rating: Annotated[int, Strict()] = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


def _fetch(demand_id):
    return get_scoped_or_404(DemandRequest, pk=demand_id)


@demands.post("/{int:demand_id}/accept", response={200: DemandOut, **STANDARD_ERRORS})
def accept_demand(request, demand_id: int):
    return _out(services.request_accept(actor=request.auth, req=_fetch(demand_id)))


@demands.post("/{int:demand_id}/return", response={200: DemandOut, **STANDARD_ERRORS})
def return_demand(request, demand_id: int, payload: ReasonIn):
    return _out(services.request_return(actor=request.auth, req=_fetch(demand_id), reason=payload.reason))


@demands.post("/{int:demand_id}/start", response={200: DemandOut, **STANDARD_ERRORS})
def start_demand(request, demand_id: int):
    return _out(services.request_start(actor=request.auth, req=_fetch(demand_id)))


@demands.post("/{int:demand_id}/pause", response={200: DemandOut, **STANDARD_ERRORS})
def pause_demand(request, demand_id: int, payload: ReasonIn):
    return _out(services.request_pause(actor=request.auth, req=_fetch(demand_id), reason=payload.reason))


@demands.post("/{int:demand_id}/resume", response={200: DemandOut, **STANDARD_ERRORS})
def resume_demand(request, demand_id: int):
    return _out(services.request_resume(actor=request.auth, req=_fetch(demand_id)))


@demands.post("/{int:demand_id}/resolve", response={200: DemandOut, **STANDARD_ERRORS})
def resolve_demand(request, demand_id: int, payload: ResolveIn):
    return _out(
        services.request_resolve(
            actor=request.auth,
            req=_fetch(demand_id),
            resolution=payload.resolution,
            project_id=payload.project_id,
        )
    )


@demands.post("/{int:demand_id}/rate", response={200: DemandOut, **STANDARD_ERRORS})
def rate_demand(request, demand_id: int, payload: RatingIn):
    """A rating the desk took on a phone callback."""
    return _out(
        services.request_rate(
            actor=request.auth,
            req=_fetch(demand_id),
            rating=payload.rating,
            comment=payload.comment,
            via="callback",
        )
    )


@demands.post("/{int:demand_id}/cancel", response={200: DemandOut, **STANDARD_ERRORS})
def cancel_demand(request, demand_id: int, payload: ReasonIn):
    return _out(services.request_cancel(actor=request.auth, req=_fetch(demand_id), reason=payload.reason))


class SummaryFilter(Schema):
    since: datetime.date
    until: datetime.date
    region: str = Field("", max_length=12)


class SummaryOut(Schema):
    domain: str
    item: str
    item_id: int | None
    requests: int
    completed: int
    open: int
    average_rating: float | None


@demands.get("/summary", response={200: list[SummaryOut], **STANDARD_ERRORS})
def demand_summary(request, filters: Query[SummaryFilter]):
    """The demand list per catalogue item for the period (需求清单), under one region of the caller's or all."""
    from .exports import codes_for

    request.auth.require("demands.view")
    if filters.region and not request.auth.scope.contains(filters.region):
        raise Http404
    rows = selectors.demand_summary(codes_for(request.auth, filters.region), filters.since, filters.until)
    return [row.__dict__ for row in rows]


# Public ---------------------------------------------------------------------------------------------------------


class PublicIn(StrictSchema):
    description: str = Field(..., max_length=1000)
    region: str = Field(..., max_length=12)
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field(..., max_length=20)
    address: str = Field("", max_length=200)
    consent_contact: bool


class StepOut(Schema):
    step: str
    at: datetime.datetime


class TrackOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    item: str
    community: str
    received_at: datetime.datetime
    steps: list[StepOut]


def _track_out(req) -> dict[str, Any]:
    return {
        "tracking_code": req.tracking_code,
        "status": req.status,
        "status_label": str(req.get_status_display()),
        "item": req.item.name if req.item else "",
        "community": req.region.name,
        "received_at": req.received_at,
        "steps": [{"step": kind, "at": at} for kind, _label, at in getattr(req, "public_steps", [])],
    }


@public_router.post("", auth=None, response={201: TrackOut, 429: Any, **STANDARD_ERRORS})
def submit_public_request(request, payload: PublicIn):
    """A resident's own request, no login. Rate-limited per address (429 with code ``rate_limited``)."""
    try:
        req = services.request_submit_public(
            data=payload.model_dump(), address=client_address(request), request=request
        )
    except ValidationError as exc:
        if public._is_rate_limited(exc):
            return 429, {"code": "rate_limited", "detail": exc.messages[0]}
        raise
    req.public_steps = [("received", "", req.received_at)]  # just received: no need to read it back
    return 201, _track_out(req)


@public_router.get("/{code}", auth=None, response={200: TrackOut, **STANDARD_ERRORS})
def track_public_request(request, code: str):
    """A request's progress by its tracking code: steps and times, nothing personal."""
    return _track_out(public.find(code))


ROUTERS = [("/catalogue", catalogue_router), ("/demands", demands), ("/public/requests", public_router)]

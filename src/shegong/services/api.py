import datetime
import uuid
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, Month, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.recipients.services import fetch as fetch_recipient
from shegong.regions.models import Region

from . import selectors, services
from .models import Visit

visits = Router(tags=["visits"])
worklist_router = Router(tags=["visits"])
rate_router = Router(tags=["visits"])

FindingValue = Literal["ok", "issue", "na"]


class Findings(StrictSchema):
    health: FindingValue = "na"
    mental: FindingValue = "na"
    gas: FindingValue = "na"
    water: FindingValue = "na"
    power: FindingValue = "na"
    heating: FindingValue = "na"
    hygiene: FindingValue = "na"
    living: FindingValue = "na"


class VisitIn(StrictSchema):
    recipient: int
    idempotency_key: Annotated[uuid.UUID, Strict(False)]
    visited_at: Annotated[datetime.datetime, Strict(False)]
    method: Literal["home", "phone", "video", "third_party", "volunteer", "relatives", "smart_alert"]
    findings: Findings = Findings()
    notes: str = Field("", max_length=4000)
    needs_found: str = Field("", max_length=2000)
    follow_up: str = Field("", max_length=2000)
    location_consent: bool = False
    location: str = Field("", max_length=60)


class VisitOut(Schema):
    id: int
    recipient: int
    worker: int | None
    visited_at: datetime.datetime
    method: str
    findings: dict[str, str]
    needs_found: str
    follow_up: str
    idempotency_key: uuid.UUID
    created: bool = False


class VisitPage(Schema):
    count: int
    page: int
    pages: int
    results: list[VisitOut]


class VisitFilter(Schema):
    recipient: int | None = None
    page: int = Field(1, ge=1, le=100000)


def _out(v: Visit, created: bool = False) -> dict:
    return {
        "id": v.pk,
        "recipient": v.recipient_id,
        "worker": v.worker_id,
        "visited_at": v.visited_at,
        "method": v.method,
        "findings": v.findings,
        "needs_found": v.needs_found,
        "follow_up": v.follow_up,
        "idempotency_key": v.idempotency_key,
        "created": created,
    }


@visits.get("", response={200: VisitPage, **STANDARD_ERRORS})
def list_visits(request, filters: Query[VisitFilter]):
    request.auth.require("recipients.view")
    queryset = Visit.objects.order_by("-visited_at", "-pk")
    if filters.recipient is not None:
        queryset = queryset.filter(recipient_id=filters.recipient)
    return paginated(queryset, filters.page, _out)


@visits.post("", response={201: VisitOut, 200: VisitOut, **STANDARD_ERRORS})
def record_visit(request, payload: VisitIn):
    """Record a visit. Resending the same idempotency_key returns the first visit (200) and writes nothing."""
    recipient = fetch_recipient(payload.recipient)
    data = payload.model_dump(exclude={"recipient", "idempotency_key"})
    visit, created = services.visit_record(
        actor=request.auth, recipient=recipient, data=data, idempotency_key=payload.idempotency_key
    )
    return (201 if created else 200), _out(visit, created)


@visits.get("/{int:visit_id}", response={200: VisitOut, **STANDARD_ERRORS})
def get_visit(request, visit_id: int):
    request.auth.require("recipients.view")
    return _out(get_scoped_or_404(Visit, pk=visit_id))


class WorkItemOut(Schema):
    recipient: int
    name: str
    risk_tier: int
    region: str
    due_on: datetime.date
    days_late: int
    event_due_at: datetime.datetime | None
    escalated: bool


class WorklistOut(Schema):
    overdue: list[WorkItemOut]
    today: list[WorkItemOut]
    week: list[WorkItemOut]


class WorklistFilter(Schema):
    station: int | None = None
    overdue_only: bool = False


def _items(items) -> list[dict]:
    return [
        {
            "recipient": i.recipient.pk,
            "name": i.recipient.name,
            "risk_tier": i.recipient.risk_tier,
            "region": i.recipient.region_code,
            "due_on": i.due_on,
            "days_late": i.days_late,
            "event_due_at": i.event_due_at,
            "escalated": i.escalated,
        }
        for i in items
    ]


@worklist_router.get("", response={200: WorklistOut, **STANDARD_ERRORS})
def get_worklist(request, filters: Query[WorklistFilter]):
    """The caller's own worklist; with ``station``, that station's (station heads)."""
    request.auth.require("recipients.view")
    if filters.station is not None:
        from shegong.network.models import ServiceNode

        station = get_scoped_or_404(ServiceNode, pk=filters.station)
        work = selectors.worklist(station_id=station.pk, overdue_only=filters.overdue_only)
    else:
        worker = services.worker_of(request.auth)
        if worker is None:
            return {"overdue": [], "today": [], "week": []}
        work = selectors.worklist(worker_id=worker.pk, overdue_only=filters.overdue_only)
    return {"overdue": _items(work.overdue), "today": _items(work.today), "week": _items(work.week)}


class RatePointOut(Schema):
    month: str
    due: int
    visited: int
    rate: float | None


class RateRowOut(Schema):
    code: str
    name: str
    months: list[RatePointOut]


class RateOut(Schema):
    region: RateRowOut
    children: list[RateRowOut]


class RateFilter(Schema):
    region: str = Field(pattern=r"^\d{12}$")
    month: Month | None = None
    months: int = Field(12, ge=1, le=36)


def _row(row, months) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "months": [
            {
                "month": f"{m:%Y-%m}",
                "due": row.at(m).due,
                "visited": row.at(m).visited,
                "rate": row.at(m).rate,
            }
            for m in months
        ],
    }


@rate_router.get("", response={200: RateOut, **STANDARD_ERRORS})
def get_visit_rate(request, filters: Query[RateFilter]):
    request.auth.require("dashboard.view")
    region = get_scoped_or_404(Region, code=filters.region)
    month = filters.month or timezone.localdate().replace(day=1)
    rate = selectors.visit_rate(region, month=month, months=filters.months)
    return {
        "region": _row(rate.total, rate.months),
        "children": [_row(c, rate.months) for c in rate.children],
    }


ROUTERS = [("/visits", visits), ("/worklist", worklist_router), ("/visit-rate", rate_router)]

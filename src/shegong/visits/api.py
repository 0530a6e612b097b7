import datetime
import uuid
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema
from pydantic import Strict, create_model

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.recipients.services import fetch as fetch_recipient

from . import selectors, services
from .models import FINDING_VALUES, FINDINGS, Visit, VisitMethod

visits = Router(tags=["visits"])
worklist_router = Router(tags=["visits"])


def choice_literal(values: Iterable[str]) -> Any:
    """``Literal[...]`` of the given values: OpenAPI shows them as the field's enum."""
    return Literal.__getitem__(tuple(values))


FindingValue = choice_literal(FINDING_VALUES)


def findings_schema(items: Iterable[tuple[str, Any]]) -> type[StrictSchema]:
    """The findings checklist as a strict schema: one optional item per entry of the model's list, "na" if unsent."""
    fields: dict[str, Any] = {key: (FindingValue, "na") for key, _label in items}
    return create_model("Findings", __base__=StrictSchema, **fields)


Findings = findings_schema(FINDINGS)


class VisitIn(StrictSchema):
    recipient: int
    idempotency_key: Annotated[uuid.UUID, Strict(False)]
    visited_at: Annotated[datetime.datetime, Strict(False)]
    method: choice_literal(VisitMethod.values)  # type: ignore[valid-type]
    findings: Findings = Findings()  # type: ignore[valid-type]
    notes: str = Field("", max_length=4000)
    needs_found: str = Field("", max_length=2000)
    follow_up: str = Field("", max_length=2000)
    location_consent: bool = False
    location: str = Field("", max_length=60)
    # The project the visit was done under: needed only when the worker serves on several that day (one is linked
    # by itself, none leaves it empty); must be one of them.
    project_id: int | None = None


class VisitOut(Schema):
    id: int
    recipient: int
    worker: int | None
    project: int | None
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
        "project": v.project_id,
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


ROUTERS = [("/visits", visits), ("/worklist", worklist_router)]

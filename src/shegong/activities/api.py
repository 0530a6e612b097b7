"""/api/v1/activities: the same service as the page (photos are taken by the page only)."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import ServiceNode
from shegong.orgs.models import Organisation
from shegong.people.models import Volunteer
from shegong.recipients.models import Recipient

from . import selectors, services
from .models import Activity

activities_router = Router(tags=["activities"])

Day = Annotated[datetime.date, Strict(False)]
Time = Annotated[datetime.time, Strict(False)]
Num = Annotated[Decimal, Strict(False)]
Kind = Literal[tuple(Activity.Kind.values)]  # type: ignore[valid-type]


class ActivityVolunteerIn(StrictSchema):
    volunteer: int
    hours: Num = Field(ge=Decimal("0.5"), le=Decimal("24"), max_digits=3, decimal_places=1)


class ActivityIn(StrictSchema):
    node: int
    idempotency_key: Annotated[uuid.UUID, Strict(False)]
    title: str = Field(min_length=1, max_length=120)
    kind: Kind
    held_on: Day
    starts_at: Time | None = None
    ends_at: Time | None = None
    place: str = Field("", max_length=120)
    participants: int = Field(ge=0, le=100000)
    recipients: list[int] = Field(default_factory=list, max_length=1000)
    volunteers: list[ActivityVolunteerIn] = Field(default_factory=list, max_length=200)
    organisations: list[int] = Field(default_factory=list, max_length=50)
    outcome: str = Field("", max_length=500)
    # The project it was done under: needed only when the worker serves on several that day (one of them).
    project_id: int | None = None


class VolunteerHoursOut(Schema):
    volunteer: int
    hours: Decimal
    status: str


class ActivityOut(Schema):
    id: int
    node: int
    title: str
    kind: str
    held_on: datetime.date
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    place: str
    participants: int
    recipients: list[int]
    volunteers: list[VolunteerHoursOut]
    organisations: list[int]
    outcome: str
    photos: int
    idempotency_key: uuid.UUID | None
    created: bool = False


class ActivityPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ActivityOut]


class ActivityFilter(Schema):
    under: str = Field("", pattern=r"^(\d{12})?$")
    kind: Kind | None = None
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$")
    q: str = Field("", max_length=50)
    page: int = Field(1, ge=1, le=100000)


def _out(a: Activity, created: bool = False) -> dict:
    return {
        "id": a.pk,
        "node": a.node_id,
        "title": a.title,
        "kind": a.kind,
        "held_on": a.held_on,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "place": a.place,
        "participants": a.participants,
        "recipients": [p.recipient_id for p in a.named.all()],
        "volunteers": [
            {"volunteer": h.volunteer_id, "hours": h.hours, "status": h.status}
            for h in a.volunteer_hours.all()
        ],
        "organisations": [o.pk for o in a.organisations.all()],
        "outcome": a.outcome,
        "photos": len(a.photos.all()),
        "idempotency_key": a.idempotency_key,
        "created": created,
    }


PREFETCH = ("named", "volunteer_hours", "organisations", "photos")


@activities_router.get("", response={200: ActivityPage, **STANDARD_ERRORS})
def list_activities(request, filters: Query[ActivityFilter]):
    request.auth.require("activities.view")
    queryset = selectors.activities(
        under=filters.under, kind=filters.kind or "", month=filters.month, q=filters.q
    ).prefetch_related(*PREFETCH)
    return paginated(queryset, filters.page, _out)


@activities_router.post("", response={201: ActivityOut, 200: ActivityOut, **STANDARD_ERRORS})
def record_activity(request, payload: ActivityIn):
    """Record an activity. Resending the same idempotency_key returns the first (200) and writes nothing."""
    node = get_scoped_or_404(ServiceNode, pk=payload.node)
    activity, created = services.activity_record(
        actor=request.auth,
        node=node,
        data=payload.model_dump(
            include={
                "title",
                "kind",
                "held_on",
                "starts_at",
                "ends_at",
                "place",
                "participants",
                "outcome",
                "project_id",
            }
        ),
        idempotency_key=payload.idempotency_key,
        recipients=[get_scoped_or_404(Recipient, pk=pk) for pk in dict.fromkeys(payload.recipients)],
        volunteers=[(get_scoped_or_404(Volunteer, pk=v.volunteer), v.hours) for v in payload.volunteers],
        organisations=[get_scoped_or_404(Organisation, pk=pk) for pk in dict.fromkeys(payload.organisations)],
    )
    fresh = Activity.objects.prefetch_related(*PREFETCH).get(pk=activity.pk)
    return (201 if created else 200), _out(fresh, created)


@activities_router.get("/{int:activity_id}", response={200: ActivityOut, **STANDARD_ERRORS})
def get_activity(request, activity_id: int):
    request.auth.require("activities.view")
    return _out(get_scoped_or_404(Activity.objects.prefetch_related(*PREFETCH), pk=activity_id))


ROUTERS = [("/activities", activities_router)]

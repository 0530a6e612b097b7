import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS, PatchSchema, StrictSchema, paginated
from shegong.core.masking import mask_id_number, mask_phone

from . import selectors, services
from .models import Category, Recipient

router = Router(tags=["recipients"])


class CategoryIn(StrictSchema):
    code: str = Field(max_length=40)
    start_on: datetime.date
    end_on: datetime.date | None = None
    authority: str = Field("", max_length=100)


class RecipientIn(StrictSchema):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=30)
    phone: str = Field("", max_length=30)
    region: str = Field(pattern=r"^\d{12}$")
    address: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)
    risk_tier: Literal[1, 2, 3] = 3
    risk_reason: str = Field("", max_length=200)
    categories: list[CategoryIn] = []


class RecipientPatch(PatchSchema):
    django_model = Recipient

    name: str | None = Field(None, min_length=1, max_length=50)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)


class RecipientOut(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    sex: str
    birth_date: datetime.date | None
    region: str
    region_name: str
    address: str
    status: str
    risk_tier: int
    categories: list[str]
    worker: int | None
    station: int | None
    frequency: str
    next_due_on: datetime.date | None
    last_visit_at: datetime.datetime | None


class RecipientPage(Schema):
    count: int
    page: int
    pages: int
    results: list[RecipientOut]


class RecipientFilter(Schema):
    q: str | None = Field(None, max_length=50)
    status: Literal["active", "moved", "deceased", "closed"] | None = None
    risk: Literal["1", "2", "3"] | None = None
    category: str | None = Field(None, max_length=40)
    under: str | None = Field(None, pattern=r"^\d{12}$")
    due: Literal["overdue", "week"] | None = None
    page: int = Field(1, ge=1, le=100000)


class RevealIn(StrictSchema):
    field: Literal["id_number", "phone"]
    reason: str = Field(min_length=2, max_length=200)


class RevealOut(Schema):
    field: str
    value: str


def _out(r: Recipient) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "id_number_masked": mask_id_number(r.id_number),
        "phone_masked": mask_phone(r.phone),
        "sex": r.sex,
        "birth_date": r.birth_date,
        "region": r.region_id,
        "region_name": r.region.name,
        "address": r.address,
        "status": r.status,
        "risk_tier": r.risk_tier,
        "categories": [m.category.code for m in r.memberships.all() if m.is_current()],
        "worker": r.worker_id,
        "station": r.station_id,
        "frequency": r.frequency,
        "next_due_on": r.next_due_on,
        "last_visit_at": r.last_visit_at,
    }


def _fetch(pk: int) -> Recipient:
    return services.fetch(pk)


@router.get("", response={200: RecipientPage, **STANDARD_ERRORS})
def list_recipients(request, filters: Query[RecipientFilter]):
    request.auth.require("recipients.view")
    queryset = selectors.recipients(**{k: v or "" for k, v in filters.model_dump(exclude={"page"}).items()})
    return paginated(queryset.prefetch_related("memberships__category"), filters.page, _out)


@router.post("", response={201: RecipientOut, **STANDARD_ERRORS})
def create_recipient(request, payload: RecipientIn):
    data = payload.model_dump()
    categories = []
    for item in data.pop("categories"):
        category = Category.objects.filter(code=item.pop("code"), active=True).first()
        if category is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"categories": [_("未知的对象类别")]})
        categories.append({"category": category, **item})
    tier, reason = data.pop("risk_tier"), data.pop("risk_reason")
    recipient = services.recipient_create(
        actor=request.auth, data=data, categories=categories, risk_tier=tier, risk_reason=reason
    )
    return 201, _out(_fetch(recipient.pk))


@router.get("/{int:recipient_id}", response={200: RecipientOut, **STANDARD_ERRORS})
def get_recipient(request, recipient_id: int):
    request.auth.require("recipients.view")
    return _out(_fetch(recipient_id))


@router.patch("/{int:recipient_id}", response={200: RecipientOut, **STANDARD_ERRORS})
def update_recipient(request, recipient_id: int, payload: RecipientPatch):
    recipient = services.recipient_update(
        actor=request.auth, recipient=_fetch(recipient_id), data=payload.model_dump(exclude_unset=True)
    )
    return _out(_fetch(recipient.pk))


@router.post("/{int:recipient_id}/reveal", response={200: RevealOut, **STANDARD_ERRORS})
def reveal_recipient(request, recipient_id: int, payload: RevealIn):
    value = services.reveal(
        actor=request.auth, recipient=_fetch(recipient_id), field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}


ROUTERS = [("/recipients", router)]

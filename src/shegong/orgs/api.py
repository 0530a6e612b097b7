import datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, PatchSchema, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Organisation

# Dates and decimals arrive as JSON strings; everything else stays strict.
Day = Annotated[datetime.date, Strict(False)]

router = Router(tags=["organisations"])

KindLiteral = Literal["agency", "community", "hub", "foundation"]
CategoryLiteral = Literal["", "public_service", "governance", "hub_support", "social_work"]
RatingLiteral = Literal["", "3A", "4A", "5A"]
FilingLiteral = Literal["", "pending", "filed"]
PartyLiteral = Literal["none", "independent", "joint", "hub"]


class OrgIn(StrictSchema):
    name: str = Field(min_length=1, max_length=150)
    credit_code: str | None = Field(None, max_length=18)
    kind: KindLiteral
    category: CategoryLiteral = ""
    region: str = Field(pattern=r"^\d{12}$")
    rating: RatingLiteral = ""
    rating_date: Day | None = None
    rating_expires: Day | None = None
    filing_status: FilingLiteral = ""
    filed_on: Day | None = None
    incubated_by: int | None = None
    party_branch: PartyLiteral = "none"
    contact: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    founded_on: Day | None = None


class OrgPatch(PatchSchema):
    django_model = Organisation

    name: str | None = Field(None, min_length=1, max_length=150)
    credit_code: str | None = Field(None, max_length=18)
    kind: KindLiteral | None = None
    category: CategoryLiteral | None = None
    region: str | None = Field(None, pattern=r"^\d{12}$")
    rating: RatingLiteral | None = None
    rating_date: Day | None = None
    rating_expires: Day | None = None
    filing_status: FilingLiteral | None = None
    filed_on: Day | None = None
    incubated_by: int | None = None
    party_branch: PartyLiteral | None = None
    contact: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=30)
    founded_on: Day | None = None


class OrgOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    category: str
    region: str
    region_name: str
    rating: str
    rating_date: datetime.date | None
    rating_expires: datetime.date | None
    filing_status: str
    filed_on: datetime.date | None
    incubated_by: int | None
    party_branch: str
    contact: str
    phone: str
    founded_on: datetime.date | None


class OrgPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OrgOut]


class OrgFilter(Schema):
    kind: KindLiteral | None = None
    category: CategoryLiteral | None = None
    rating: Literal["3A", "4A", "5A", "none"] | None = None
    filing_status: Literal["pending", "filed"] | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100000)


def _out(org: Organisation) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "credit_code": org.credit_code,
        "kind": org.kind,
        "category": org.category,
        "region": org.region_id,
        "region_name": org.region.name,
        "rating": org.rating,
        "rating_date": org.rating_date,
        "rating_expires": org.rating_expires,
        "filing_status": org.filing_status,
        "filed_on": org.filed_on,
        "incubated_by": org.incubated_by_id,
        "party_branch": org.party_branch,
        "contact": org.contact,
        "phone": org.phone,
        "founded_on": org.founded_on,
    }


def _fetch(pk: int) -> Organisation:
    return get_scoped_or_404(Organisation.objects.select_related("region"), pk=pk)


@router.get("", response={200: OrgPage, **STANDARD_ERRORS})
def list_organisations(request, filters: Query[OrgFilter]):
    request.auth.require("orgs.view")
    queryset = selectors.organisations(
        kind=filters.kind or "",
        category=filters.category or "",
        rating=filters.rating or "",
        filing_status=filters.filing_status or "",
        under=filters.under or "",
        q=filters.q or "",
    )
    return paginated(queryset, filters.page, _out)


@router.post("", response={201: OrgOut, **STANDARD_ERRORS})
def create_organisation(request, payload: OrgIn):
    org = services.org_create(actor=request.auth, data=payload.model_dump())
    return 201, _out(_fetch(org.pk))


@router.get("/{int:org_id}", response={200: OrgOut, **STANDARD_ERRORS})
def get_organisation(request, org_id: int):
    request.auth.require("orgs.view")
    return _out(_fetch(org_id))


@router.patch("/{int:org_id}", response={200: OrgOut, **STANDARD_ERRORS})
def update_organisation(request, org_id: int, payload: OrgPatch):
    org = services.org_update(
        actor=request.auth, org=_fetch(org_id), data=payload.model_dump(exclude_unset=True)
    )
    return _out(_fetch(org.pk))


ROUTERS = [("/organisations", router)]

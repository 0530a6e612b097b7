import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS, JsonDate, JsonDecimal, PatchSchema, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import ServiceNode

router = Router(tags=["nodes"])

LevelLiteral = Literal["centre", "hub", "station", "room"]
StatusLiteral = Literal["planned", "operating", "suspended", "closed"]
FunctionLiteral = Literal["casework", "group", "multi", "office", "reception"]
RegionCode = str


class NodeIn(StrictSchema):
    level: LevelLiteral
    region: RegionCode = Field(pattern=r"^\d{12}$")
    name: str = Field(min_length=1, max_length=120)
    address: str = Field("", max_length=200)
    operator: int | None = None
    site_area: JsonDecimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    function_rooms: list[FunctionLiteral] = []
    has_signage: bool = False
    opening_date: JsonDate | None = None
    status: StatusLiteral = "operating"
    standardised: bool = False
    phone: str = Field("", max_length=30)


class NodePatch(PatchSchema):
    django_model = ServiceNode

    level: LevelLiteral | None = None
    region: RegionCode | None = Field(None, pattern=r"^\d{12}$")
    name: str | None = Field(None, min_length=1, max_length=120)
    address: str | None = Field(None, max_length=200)
    operator: int | None = None
    site_area: JsonDecimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    function_rooms: list[FunctionLiteral] | None = None
    has_signage: bool | None = None
    opening_date: JsonDate | None = None
    status: StatusLiteral | None = None
    standardised: bool | None = None
    phone: str | None = Field(None, max_length=30)


class NodeOut(Schema):
    id: int
    level: str
    region: str
    region_name: str
    name: str
    address: str
    operator: int | None
    site_area: Decimal | None
    function_rooms: list[str]
    has_signage: bool
    opening_date: datetime.date | None
    status: str
    standardised: bool
    phone: str


class NodePage(Schema):
    count: int
    page: int
    pages: int
    results: list[NodeOut]


class NodeFilter(Schema):
    level: LevelLiteral | None = None
    status: StatusLiteral | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100000)


def _out(node: ServiceNode) -> dict:
    return {
        "id": node.pk,
        "level": node.level,
        "region": node.region_id,
        "region_name": node.region.name,
        "name": node.name,
        "address": node.address,
        "operator": node.operator_id,
        "site_area": node.site_area,
        "function_rooms": list(node.function_rooms or []),
        "has_signage": node.has_signage,
        "opening_date": node.opening_date,
        "status": node.status,
        "standardised": node.standardised,
        "phone": node.phone,
    }


def _fetch(pk: int) -> ServiceNode:
    return get_scoped_or_404(ServiceNode.objects.select_related("region"), pk=pk)


@router.get("", response={200: NodePage, **STANDARD_ERRORS})
def list_nodes(request, filters: Query[NodeFilter]):
    request.auth.require("network.view")
    queryset = selectors.nodes(
        level=filters.level or "", status=filters.status or "", under=filters.under or "", q=filters.q or ""
    )
    return paginated(queryset, filters.page, _out)


@router.post("", response={201: NodeOut, **STANDARD_ERRORS})
def create_node(request, payload: NodeIn):
    node = services.node_create(actor=request.auth, data=payload.model_dump())
    return Status(201, _out(_fetch(node.pk)))


@router.get("/{int:node_id}", response={200: NodeOut, **STANDARD_ERRORS})
def get_node(request, node_id: int):
    request.auth.require("network.view")
    return _out(_fetch(node_id))


@router.put("/{int:node_id}", response={200: NodeOut, **STANDARD_ERRORS})
def replace_node(request, node_id: int, payload: NodeIn):
    node = services.node_update(actor=request.auth, node=_fetch(node_id), data=payload.model_dump())
    return _out(_fetch(node.pk))


@router.patch("/{int:node_id}", response={200: NodeOut, **STANDARD_ERRORS})
def update_node(request, node_id: int, payload: NodePatch):
    data = payload.model_dump(exclude_unset=True)
    node = services.node_update(actor=request.auth, node=_fetch(node_id), data=data)
    return _out(_fetch(node.pk))


@router.delete("/{int:node_id}", response={204: None, **STANDARD_ERRORS})
def delete_node(request, node_id: int):
    services.node_delete(actor=request.auth, node=_fetch(node_id))
    return Status(204, None)

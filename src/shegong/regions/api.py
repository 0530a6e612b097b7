from django.http import Http404
from ninja import Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS
from shegong.core.regioncodes import RegionCodeError, normalise
from shegong.core.scoping import get_scoped_or_404

from . import selectors
from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    children: int


class RegionFilter(Schema):
    parent: str | None = None
    q: str | None = None


def _out(regions: list[Region]) -> list[dict]:
    counts = selectors.child_counts([r.code for r in regions])
    return [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent_code": r.parent_id,
            "children": counts.get(r.code, 0),
        }
        for r in regions
    ]


def code_or_404(code: str) -> str:
    try:
        return normalise(code)
    except RegionCodeError as exc:
        raise Http404 from exc


@router.get("", response={200: list[RegionOut], **STANDARD_ERRORS}, summary="Children of a region, or search")
def list_regions(request, filters: Query[RegionFilter]):
    request.auth.require("regions.view")
    if filters.q:
        under = code_or_404(filters.parent) if filters.parent else None
        return _out(list(selectors.search(filters.q, under=under)))
    if filters.parent:
        parent = get_scoped_or_404(Region, code=code_or_404(filters.parent))
        return _out(list(selectors.children_of(parent.code)))
    return _out(list(selectors.visible_roots()))


@router.get("/{code}", response={200: RegionOut, **STANDARD_ERRORS})
def get_region(request, code: str):
    request.auth.require("regions.view")
    return _out([get_scoped_or_404(Region, code=code_or_404(code))])[0]

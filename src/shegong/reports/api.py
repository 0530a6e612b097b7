"""/api/v1/reports: list, detail, generate and sign, scoped like the pages and written through the services."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import ServiceNode

from . import selectors, services
from .models import Report

router = Router(tags=["reports"])


class ListIn(Schema):
    page: int = Field(1, ge=1, le=100000)
    kind: Literal["", "weekly", "monthly", "quarterly"] = ""


class ReportOut(Schema):
    id: int
    kind: str
    region_code: str
    node_id: int | None
    period_start: datetime.date
    period_end: datetime.date
    version: int
    state: str
    corrects_id: int | None
    correction_note: str
    signed_at: datetime.datetime | None


class ReportDetailOut(ReportOut):
    remarks: str
    content: dict[str, Any]


class ReportPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ReportOut]


class GenerateIn(StrictSchema):
    kind: Literal["weekly", "monthly", "quarterly"]
    day: datetime.date
    node_id: int | None = None
    region_code: str = Field("", max_length=12)


class SignIn(StrictSchema):
    pass


def _out(r: Report, detail: bool = False) -> dict:
    out = {
        "id": r.pk,
        "kind": r.kind,
        "region_code": r.region_code,
        "node_id": r.node_id,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "version": r.version,
        "state": r.state,
        "corrects_id": r.corrects_id,
        "correction_note": r.correction_note,
        "signed_at": r.signed_at,
    }
    if detail:
        out.update(remarks=r.remarks, content=r.content)
    return out


@router.get("", response={200: ReportPage, **STANDARD_ERRORS})
def list_reports(request, filters: Query[ListIn]):
    request.auth.require("reports.view")
    return paginated(selectors.reports(kind=filters.kind), filters.page, _out)


@router.get("/{int:report_id}", response={200: ReportDetailOut, **STANDARD_ERRORS})
def get_report(request, report_id: int):
    request.auth.require("reports.view")
    return _out(get_scoped_or_404(selectors.reports(), pk=report_id), detail=True)


@router.post("/generate", response={200: ReportDetailOut, **STANDARD_ERRORS})
def generate_report(request, payload: GenerateIn):
    """The period's draft from live data (the page runs the same service as a background job)."""
    request.auth.require("reports.view")
    node = region = None
    if payload.kind == "weekly":
        node = get_scoped_or_404(ServiceNode, pk=payload.node_id or 0)
    else:
        region = get_scoped_or_404(
            selectors.districts(request.auth.regions_with("reports.view")), code=payload.region_code
        )
    report = services.report_generate(
        actor=request.auth, kind=payload.kind, region=region, node=node, day=payload.day
    )
    return _out(report, detail=True)


@router.post("/{int:report_id}/sign", response={200: ReportDetailOut, **STANDARD_ERRORS})
def sign_report(request, report_id: int, payload: SignIn):
    request.auth.require("reports.view")
    report = get_scoped_or_404(selectors.reports(), pk=report_id)
    return _out(services.report_sign(actor=request.auth, report=report), detail=True)


ROUTERS = [("/reports", router)]

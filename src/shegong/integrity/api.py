"""/api/v1/findings: the integrity findings, scoped like the page, decided through the same service."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import DECIDED_STATES, Finding, FindingState

findings_router = Router(tags=["integrity"])


class EvidenceOut(Schema):
    model: str
    id: int
    text: str


class FindingOut(Schema):
    id: int
    region: str
    check: str
    subject: str
    summary: str
    state: str
    assigned_to: str
    node: int | None
    occurred_on: datetime.date | None
    first_found_at: datetime.datetime
    last_found_at: datetime.datetime
    decided_by: int | None
    decided_at: datetime.datetime | None
    reason: str
    resolved_at: datetime.datetime | None
    resolved_note: str
    evidence: list[EvidenceOut]


class FindingPage(Schema):
    count: int
    page: int
    pages: int
    results: list[FindingOut]


class FindingFilter(Schema):
    check: str = Field("", max_length=40)
    state: Literal[("", *FindingState.values)] = ""  # type: ignore[valid-type]
    node: int | None = Field(None, ge=1, le=2**31 - 1)
    under: str = Field("", pattern=r"^(\d{12})?$", description="a region code: findings in its subtree")
    assigned: Literal["", "station", "bureau"] = ""
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")
    page: int = Field(1, ge=1, le=100000)


class DecideIn(StrictSchema):
    state: Literal[tuple(s.value for s in DECIDED_STATES)]  # type: ignore[valid-type]
    reason: str = Field(..., min_length=1, max_length=500)


def _out(f: Finding) -> dict:
    return {
        "id": f.pk,
        "region": f.region_code,
        "check": f.check_code,
        "subject": f.subject,
        "summary": f.summary,
        "state": f.state,
        "assigned_to": f.assigned_to,
        "node": f.node_id,
        "occurred_on": f.occurred_on,
        "first_found_at": f.first_found_at,
        "last_found_at": f.last_found_at,
        "decided_by": f.decided_by_id,
        "decided_at": f.decided_at,
        "reason": f.reason,
        "resolved_at": f.resolved_at,
        "resolved_note": f.resolved_note,
        "evidence": [
            {"model": str(e.get("model", "")), "id": int(e.get("id", 0)), "text": str(e.get("text", ""))}
            for e in f.evidence
        ],
    }


@findings_router.get("", response={200: FindingPage, **STANDARD_ERRORS})
def list_findings(request, filters: Query[FindingFilter]):
    """Findings in the caller's area, newest first; without ``state``, those not closed."""
    request.auth.require("integrity.view")
    queryset = selectors.finding_list(
        check=filters.check,
        state=filters.state,
        node=str(filters.node or ""),
        assigned=filters.assigned,
        month=filters.month,
        under=filters.under,
    )
    return paginated(queryset, filters.page, _out)


@findings_router.get("/{int:finding_id}", response={200: FindingOut, **STANDARD_ERRORS})
def get_finding(request, finding_id: int):
    request.auth.require("integrity.view")
    return _out(get_scoped_or_404(Finding, pk=finding_id))


@findings_router.post("/{int:finding_id}/decide", response={200: FindingOut, **STANDARD_ERRORS})
def decide_finding(request, finding_id: int, payload: DecideIn):
    """Explain, confirm or dismiss a finding, with the reason (kept with who decided and when)."""
    finding = get_scoped_or_404(Finding, pk=finding_id)
    services.finding_decide(actor=request.auth, finding=finding, state=payload.state, reason=payload.reason)
    return _out(finding)


ROUTERS = [("/findings", findings_router)]

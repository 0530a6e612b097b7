"""/api/v1/cases: the case list and one case (stage and dates; the notes only for those who read them), opening a
case, and the stage transitions as operations — each calls the same service as the page."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404
from shegong.people.models import SocialWorker
from shegong.recipients.models import NeedDomain
from shegong.recipients.services import fetch as fetch_recipient

from . import access, selectors, services
from .models import Approval, ClosingReason, GoalResult, IntakeSource, InterventionMethod, Stage, Transfer

router = Router(tags=["cases"])
LaxDate = Annotated[datetime.date, Strict(False)]


def _literal(values) -> Any:
    return Literal.__getitem__(tuple(values))


class CaseOut(Schema):
    id: int
    number: str
    station: int
    recipient: int | None
    person_name: str
    worker: int
    stage: str
    plan_status: str
    opened_on: datetime.date
    assessed_on: datetime.date | None
    plan_approved_on: datetime.date | None
    ended_on: datetime.date | None
    presenting_problem: str | None = None  # only for the lead worker, the supervisor and the station head


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseOut]


class CaseFilter(Schema):
    stage: str = ""
    worker: str = ""
    overdue: bool = False
    page: int = Field(1, ge=1, le=100000)


def _out(case, actor=None) -> dict:
    out = {
        "id": case.pk,
        "number": case.number,
        "station": case.station_id,
        "recipient": case.recipient_id,
        "person_name": case.person_name,
        "worker": case.worker_id,
        "stage": case.stage,
        "plan_status": case.plan_status,
        "opened_on": case.opened_on,
        "assessed_on": case.assessed_on,
        "plan_approved_on": case.plan_approved_on,
        "ended_on": case.ended_on,
    }
    if actor is not None and access.can_read_notes(actor, case):
        out["presenting_problem"] = case.presenting_problem
    return out


@router.get("", response={200: CasePage, **STANDARD_ERRORS})
def list_cases(request, filters: Query[CaseFilter]):
    request.auth.require("cases.view")
    queryset = selectors.cases(
        stage=filters.stage, worker=filters.worker, overdue="1" if filters.overdue else ""
    )
    return paginated(queryset, filters.page, _out)


class OpenIn(StrictSchema):
    recipient: int | None = None
    resident_name: str = Field("", max_length=50)
    resident_birth_date: LaxDate | None = None
    source: _literal(IntakeSource.values)  # type: ignore[valid-type]
    presenting_problem: str = Field(..., max_length=4000)
    opened_on: LaxDate
    guardian_consent: bool = False
    guardian_name: str = Field("", max_length=50)
    # The project it was done under: needed only when the worker serves on several that day (one of them).
    project_id: int | None = None


@router.post("", response={201: CaseOut, **STANDARD_ERRORS})
def open_case(request, payload: OpenIn):
    """Open a case as the calling worker, at its station."""
    actor = request.auth
    actor.require("cases.change")
    recipient = fetch_recipient(payload.recipient) if payload.recipient is not None else None
    worker = access.worker_of(actor)
    if worker is None:
        raise PermissionDenied("cases.change")
    station = services.station_of_worker(worker)
    if station is None:
        raise PermissionDenied("cases.change")
    data = payload.model_dump()
    data["recipient"] = recipient
    case = services.case_open(actor=actor, station=station, worker=worker, data=data)
    return 201, _out(case, actor)


def _case(request, case_id: int):
    request.auth.require("cases.view")
    return services.fetch(case_id)


@router.get("/{int:case_id}", response={200: CaseOut, **STANDARD_ERRORS})
def get_case(request, case_id: int):
    return _out(_case(request, case_id), request.auth)


class AssessIn(StrictSchema):
    assessed_on: LaxDate
    scores: dict[_literal(NeedDomain.values), int]  # type: ignore[valid-type]
    text: str = Field(..., max_length=4000)


@router.post("/{int:case_id}/assess", response={200: CaseOut, **STANDARD_ERRORS})
def assess(request, case_id: int, payload: AssessIn):
    case = _case(request, case_id)
    services.case_assess(actor=request.auth, case=case, data=payload.model_dump())
    return _out(case, request.auth)


class GoalIn(StrictSchema):
    title: str = Field(..., max_length=300)
    indicator: str = Field(..., max_length=300)
    target_on: LaxDate


class PlanIn(StrictSchema):
    text: str = Field(..., max_length=6000)
    goals: list[GoalIn] = Field(..., max_length=10)


@router.post("/{int:case_id}/plan", response={200: CaseOut, **STANDARD_ERRORS})
def save_plan(request, case_id: int, payload: PlanIn):
    case = _case(request, case_id)
    services.case_plan_save(
        actor=request.auth, case=case, text=payload.text, goals=[g.model_dump() for g in payload.goals]
    )
    return _out(case, request.auth)


@router.post("/{int:case_id}/plan/submit", response={200: CaseOut, **STANDARD_ERRORS})
def submit_plan(request, case_id: int):
    case = _case(request, case_id)
    services.case_plan_submit(actor=request.auth, case=case)
    return _out(case, request.auth)


class CaseDecisionIn(StrictSchema):
    approve: bool
    comment: str = Field("", max_length=500)


@router.post("/{int:case_id}/decide", response={200: CaseOut, **STANDARD_ERRORS})
def decide(request, case_id: int, payload: CaseDecisionIn):
    """The pending approval (plan or closing) decided by the case's approver."""
    case = _case(request, case_id)
    approval = get_scoped_or_404(Approval.objects.filter(case=case, decision=Approval.Decision.PENDING))
    services.case_decide(
        actor=request.auth, approval=approval, approve=payload.approve, comment=payload.comment
    )
    return _out(services.fetch(case_id), request.auth)


class NoteIn(StrictSchema):
    idempotency_key: Annotated[uuid.UUID, Strict(False)]
    noted_on: LaxDate
    method: _literal(InterventionMethod.values)  # type: ignore[valid-type]
    content: str = Field(..., max_length=4000)
    next_step: str = Field("", max_length=1000)


@router.post("/{int:case_id}/notes", response={201: CaseOut, 200: CaseOut, **STANDARD_ERRORS})
def add_note(request, case_id: int, payload: NoteIn):
    case = _case(request, case_id)
    data = payload.model_dump(exclude={"idempotency_key"})
    _note, created = services.case_note_add(
        actor=request.auth, case=case, data=data, idempotency_key=payload.idempotency_key
    )
    return (201 if created else 200), _out(case, request.auth)


class EvaluationIn(StrictSchema):
    goal: int
    result: _literal(GoalResult.values)  # type: ignore[valid-type]
    evidence: str = Field(..., max_length=2000)


class EvaluateIn(StrictSchema):
    results: list[EvaluationIn] = Field(..., max_length=10)


@router.post("/{int:case_id}/evaluate", response={200: CaseOut, **STANDARD_ERRORS})
def evaluate(request, case_id: int, payload: EvaluateIn):
    case = _case(request, case_id)
    results = {r.goal: {"result": r.result, "evidence": r.evidence} for r in payload.results}
    services.case_evaluate(actor=request.auth, case=case, results=results)
    return _out(case, request.auth)


class CloseIn(StrictSchema):
    reason: _literal(ClosingReason.values)  # type: ignore[valid-type]
    summary: str = Field(..., max_length=4000)


@router.post("/{int:case_id}/close", response={200: CaseOut, **STANDARD_ERRORS})
def request_closing(request, case_id: int, payload: CloseIn):
    case = _case(request, case_id)
    services.case_closing_request(
        actor=request.auth, case=case, reason=payload.reason, summary=payload.summary
    )
    return _out(case, request.auth)


class DeclineIn(StrictSchema):
    reason: str = Field(..., max_length=1000)
    pointed_to: str = Field(..., max_length=120)


@router.post("/{int:case_id}/decline", response={200: CaseOut, **STANDARD_ERRORS})
def decline(request, case_id: int, payload: DeclineIn):
    case = _case(request, case_id)
    services.case_decline(actor=request.auth, case=case, reason=payload.reason, pointed_to=payload.pointed_to)
    return _out(case, request.auth)


class TransferIn(StrictSchema):
    to_worker: int
    reason: str = Field(..., max_length=300)


class TransferOut(Schema):
    id: int
    case: int
    status: str


@router.post("/{int:case_id}/transfer", response={201: TransferOut, **STANDARD_ERRORS})
def transfer(request, case_id: int, payload: TransferIn):
    case = _case(request, case_id)
    to_worker = get_scoped_or_404(SocialWorker, pk=payload.to_worker)
    t = services.case_transfer_request(
        actor=request.auth, case=case, to_worker=to_worker, reason=payload.reason
    )
    return 201, {"id": t.pk, "case": t.case_id, "status": t.status}


class TransferDecisionIn(StrictSchema):
    accept: bool
    note: str = Field("", max_length=300)


@router.post("/transfers/{int:transfer_id}", response={200: TransferOut, **STANDARD_ERRORS})
def decide_transfer(request, transfer_id: int, payload: TransferDecisionIn):
    """The receiver accepts (the case becomes its own) or declines an offered case."""
    request.auth.require("cases.view")
    t = get_scoped_or_404(Transfer.objects.select_related("to_worker"), pk=transfer_id)
    if t.to_worker.user_id != access.user_id_of(request.auth):
        from django.http import Http404

        raise Http404
    if payload.accept:
        services.case_transfer_accept(actor=request.auth, transfer=t)
    else:
        services.case_transfer_decline(actor=request.auth, transfer=t, note=payload.note)
    t.refresh_from_db()
    return {"id": t.pk, "case": t.case_id, "status": t.status}


class ReferIn(StrictSchema):
    organisation: int | None = None
    department: str = Field("", max_length=120)
    service_asked: str = Field(..., max_length=200)
    letter: str = Field(..., max_length=4000)
    referred_on: LaxDate
    ends_case: bool = False


@router.post("/{int:case_id}/refer", response={200: CaseOut, **STANDARD_ERRORS})
def refer(request, case_id: int, payload: ReferIn):
    from shegong.orgs.models import Organisation

    case = _case(request, case_id)
    data = payload.model_dump()
    data["organisation"] = (
        get_scoped_or_404(Organisation, pk=payload.organisation) if payload.organisation else None
    )
    services.case_refer(actor=request.auth, case=case, data=data)
    return _out(case, request.auth)


STAGES = Stage
ROUTERS = [("/cases", router)]

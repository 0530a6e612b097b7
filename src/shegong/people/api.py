"""/api/v1/workers, /api/v1/volunteers and /api/v1/volunteer-hours: the same services as the pages."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from shegong.core.api import STANDARD_ERRORS, PatchSchema, StrictSchema, paginated
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import SocialWorker, Volunteer, VolunteerHours, WorkerAssignment

# Dates and decimals arrive as JSON strings; everything else stays strict.
Day = Annotated[datetime.date, Strict(False)]
Num = Annotated[Decimal, Strict(False)]

workers_router = Router(tags=["workers"])
volunteers_router = Router(tags=["volunteers"])
hours_router = Router(tags=["volunteer-hours"])

RegionCode = Field(pattern=r"^\d{12}$")
CertificateLiteral = Literal["none", "assistant", "social_worker", "senior"]
EducationLiteral = Literal["", "high_school", "college", "bachelor", "master", "doctor"]
WorkerStatusLiteral = Literal["active", "leaving", "left"]
SkillLiteral = Literal[
    "care", "medical", "counselling", "legal", "tutoring", "arts", "it", "repair", "emergency", "publicity"
]


class Page(Schema):
    count: int
    page: int
    pages: int


# Workers ---------------------------------------------------------------------------------------------------------


class WorkerIn(StrictSchema):
    region: str = RegionCode
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str = Field("", max_length=20)
    education: EducationLiteral = ""
    major: str = Field("", max_length=40)
    certificate: CertificateLiteral = "none"
    certificate_number: str = Field("", max_length=40)
    certificate_date: Day | None = None
    employer: int | None = None
    pay_post: int | None = None
    pay_grade: int | None = Field(None, ge=1, le=50)
    status: WorkerStatusLiteral = "active"


class WorkerPatch(PatchSchema):
    django_model = SocialWorker

    region: str | None = Field(None, pattern=r"^\d{12}$")
    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, min_length=15, max_length=18)
    phone: str | None = Field(None, max_length=20)
    education: EducationLiteral | None = None
    major: str | None = Field(None, max_length=40)
    certificate: CertificateLiteral | None = None
    certificate_number: str | None = Field(None, max_length=40)
    certificate_date: Day | None = None
    employer: int | None = None
    pay_post: int | None = None
    pay_grade: int | None = Field(None, ge=1, le=50)
    status: WorkerStatusLiteral | None = None


class AssignmentOut(Schema):
    id: int
    node: int
    node_name: str
    post: str
    start_date: datetime.date
    end_date: datetime.date | None
    full_time: bool
    filing_status: str
    filing_due: datetime.date
    filing_overdue: bool


class WorkerOut(Schema):
    id: int
    region: str
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    birth_date: datetime.date | None
    education: str
    certificate: str
    certificate_number: str
    certificate_date: datetime.date | None
    employer: int | None
    pay_post: int | None
    pay_grade: int | None
    status: str
    barred_until: datetime.date | None
    assignments: list[AssignmentOut]


class WorkerPage(Page):
    results: list[WorkerOut]


class WorkerFilter(Schema):
    status: WorkerStatusLiteral | None = None
    certificate: Literal["none", "assistant", "social_worker", "senior", "certified"] | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    overdue: bool = False
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100000)


class AssignmentIn(StrictSchema):
    node: int
    start_date: Day | None = None
    full_time: bool = True
    post: str = Field("", max_length=30)


class DishonestyIn(StrictSchema):
    reason: str = Field(min_length=1, max_length=300)
    listed_on: Day | None = None
    listed_by: str = Field("", max_length=100)


class DishonestyOut(Schema):
    id: int
    worker: int
    reason: str
    listed_on: datetime.date
    bar_until: datetime.date


class DepartureIn(StrictSchema):
    notice_date: Day
    planned_leaving_date: Day
    reason: str = Field("", max_length=200)
    replacement: int | None = None


class DepartureOut(Schema):
    id: int
    worker: int
    notice_date: datetime.date
    planned_leaving_date: datetime.date
    left_on: datetime.date | None
    replacement: int | None
    breaches: list[str]


def _assignment_out(a: WorkerAssignment, today: datetime.date) -> dict:
    return {
        "id": a.pk,
        "node": a.node_id,
        "node_name": a.node.name,
        "post": a.post,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "full_time": a.full_time,
        "filing_status": a.filing_status,
        "filing_due": a.filing_due,
        "filing_overdue": a.filing_overdue(today),
    }


def _worker_out(w: SocialWorker) -> dict:
    today = timezone.localdate()
    bar = services.dishonesty_bar(w, today)
    return {
        "id": w.pk,
        "region": w.region_id,
        "name": w.name,
        "id_number_masked": mask_id_number(w.id_number),
        "phone_masked": mask_phone(w.phone),
        "gender": w.gender,
        "birth_date": w.birth_date,
        "education": w.education,
        "certificate": w.certificate,
        "certificate_number": w.certificate_number,
        "certificate_date": w.certificate_date,
        "employer": w.employer_id,
        "pay_post": w.pay_post_id,
        "pay_grade": w.pay_grade,
        "status": w.status,
        "barred_until": bar.bar_until if bar else None,
        "assignments": [
            _assignment_out(a, today) for a in w.assignments.select_related("node").order_by("-start_date")
        ],
    }


def _worker(pk: int) -> SocialWorker:
    return get_scoped_or_404(SocialWorker, pk=pk)


@workers_router.get("", response={200: WorkerPage, **STANDARD_ERRORS})
def list_workers(request, filters: Query[WorkerFilter]):
    request.auth.require("people.view")
    queryset = selectors.workers(
        status=filters.status or "",
        certificate=filters.certificate or "",
        under=filters.under or "",
        overdue=filters.overdue,
        q=filters.q or "",
    )
    return paginated(queryset.prefetch_related("assignments__node"), filters.page, _worker_out)


@workers_router.post("", response={201: WorkerOut, **STANDARD_ERRORS})
def create_worker(request, payload: WorkerIn):
    worker = services.worker_create(actor=request.auth, data=payload.model_dump())
    return 201, _worker_out(_worker(worker.pk))


@workers_router.get("/{int:worker_id}", response={200: WorkerOut, **STANDARD_ERRORS})
def get_worker(request, worker_id: int):
    request.auth.require("people.view")
    return _worker_out(_worker(worker_id))


@workers_router.patch("/{int:worker_id}", response={200: WorkerOut, **STANDARD_ERRORS})
def update_worker(request, worker_id: int, payload: WorkerPatch):
    worker = services.worker_update(
        actor=request.auth, worker=_worker(worker_id), data=payload.model_dump(exclude_unset=True)
    )
    return _worker_out(_worker(worker.pk))


@workers_router.post("/{int:worker_id}/assignments", response={201: AssignmentOut, **STANDARD_ERRORS})
def create_assignment(request, worker_id: int, payload: AssignmentIn):
    worker = _worker(worker_id)
    request.auth.require("people.view", worker.region_code)
    assignment = services.assignment_create(
        actor=request.auth,
        worker=worker,
        node=payload.node,
        start_date=payload.start_date,
        full_time=payload.full_time,
        post=payload.post,
    )
    return 201, _assignment_out(assignment, timezone.localdate())


@workers_router.post(
    "/assignments/{int:assignment_id}/filing", response={200: AssignmentOut, **STANDARD_ERRORS}
)
def submit_filing(request, assignment_id: int):
    assignment = services.filing_submit(
        actor=request.auth, assignment=get_scoped_or_404(WorkerAssignment, pk=assignment_id)
    )
    return _assignment_out(assignment, timezone.localdate())


@workers_router.post(
    "/assignments/{int:assignment_id}/filing/confirm", response={200: AssignmentOut, **STANDARD_ERRORS}
)
def confirm_filing(request, assignment_id: int):
    assignment = services.filing_confirm(
        actor=request.auth, assignment=get_scoped_or_404(WorkerAssignment, pk=assignment_id)
    )
    return _assignment_out(assignment, timezone.localdate())


@workers_router.post("/{int:worker_id}/dishonesty", response={201: DishonestyOut, **STANDARD_ERRORS})
def add_dishonesty(request, worker_id: int, payload: DishonestyIn):
    entry = services.dishonesty_add(
        actor=request.auth,
        worker=_worker(worker_id),
        reason=payload.reason,
        listed_on=payload.listed_on,
        listed_by=payload.listed_by,
    )
    return 201, {
        "id": entry.pk,
        "worker": entry.worker_id,
        "reason": entry.reason,
        "listed_on": entry.listed_on,
        "bar_until": entry.bar_until,
    }


@workers_router.post("/{int:worker_id}/departures", response={201: DepartureOut, **STANDARD_ERRORS})
def create_departure(request, worker_id: int, payload: DepartureIn):
    worker = _worker(worker_id)
    replacement = _worker(payload.replacement) if payload.replacement else None
    departure = services.departure_notice(
        actor=request.auth,
        worker=worker,
        notice_date=payload.notice_date,
        planned_leaving_date=payload.planned_leaving_date,
        reason=payload.reason,
        replacement=replacement,
    )
    return 201, {
        "id": departure.pk,
        "worker": worker.pk,
        "notice_date": departure.notice_date,
        "planned_leaving_date": departure.planned_leaving_date,
        "left_on": departure.left_on,
        "replacement": departure.replacement_id,
        "breaches": departure.breaches(),
    }


# Volunteers ------------------------------------------------------------------------------------------------------


class VolunteerIn(StrictSchema):
    region: str = RegionCode
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field("", max_length=18)
    phone: str = Field(min_length=7, max_length=20)
    skills: list[SkillLiteral] = []
    team: int | None = None
    recruited_by: int | None = None
    status: Literal["pending", "active", "inactive"] = "active"


class VolunteerPatch(PatchSchema):
    django_model = Volunteer

    region: str | None = Field(None, pattern=r"^\d{12}$")
    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, min_length=7, max_length=20)
    skills: list[SkillLiteral] | None = None
    team: int | None = None
    recruited_by: int | None = None
    status: Literal["pending", "active", "inactive"] | None = None


class VolunteerOut(Schema):
    id: int
    region: str
    name: str
    id_number_masked: str
    phone_masked: str
    skills: list[str]
    team: int | None
    recruited_by: int | None
    status: str
    registered_on: datetime.date
    confirmed_hours: Decimal


class VolunteerPage(Page):
    results: list[VolunteerOut]


class VolunteerFilter(Schema):
    status: Literal["pending", "active", "inactive"] | None = None
    team: int | None = None
    skill: SkillLiteral | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    recruited_by: int | None = None
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100000)


def _volunteer_out(v: Volunteer, confirmed: Decimal | None = None) -> dict:
    if confirmed is None:
        confirmed = getattr(v, "confirmed_hours", None)
    if confirmed is None:
        confirmed = sum((h.hours for h in v.hours.filter(status="confirmed")), Decimal("0"))
    return {
        "id": v.pk,
        "region": v.region_id,
        "name": v.name,
        "id_number_masked": mask_id_number(v.id_number),
        "phone_masked": mask_phone(v.phone),
        "skills": list(v.skills or []),
        "team": v.team_id,
        "recruited_by": v.recruited_by_id,
        "status": v.status,
        "registered_on": v.registered_on,
        "confirmed_hours": confirmed or Decimal("0"),
    }


def _volunteer(pk: int) -> Volunteer:
    return get_scoped_or_404(Volunteer, pk=pk)


@volunteers_router.get("", response={200: VolunteerPage, **STANDARD_ERRORS})
def list_volunteers(request, filters: Query[VolunteerFilter]):
    request.auth.require("volunteers.view")
    queryset = selectors.volunteers(
        status=filters.status or "",
        team=str(filters.team or ""),
        skill=filters.skill or "",
        under=filters.under or "",
        recruited_by=str(filters.recruited_by or ""),
        q=filters.q or "",
    )
    return paginated(queryset, filters.page, _volunteer_out)


@volunteers_router.post("", response={201: VolunteerOut, **STANDARD_ERRORS})
def create_volunteer(request, payload: VolunteerIn):
    volunteer = services.volunteer_create(actor=request.auth, data=payload.model_dump())
    return 201, _volunteer_out(_volunteer(volunteer.pk))


@volunteers_router.get("/{int:volunteer_id}", response={200: VolunteerOut, **STANDARD_ERRORS})
def get_volunteer(request, volunteer_id: int):
    request.auth.require("volunteers.view")
    return _volunteer_out(_volunteer(volunteer_id))


@volunteers_router.patch("/{int:volunteer_id}", response={200: VolunteerOut, **STANDARD_ERRORS})
def update_volunteer(request, volunteer_id: int, payload: VolunteerPatch):
    volunteer = services.volunteer_update(
        actor=request.auth, volunteer=_volunteer(volunteer_id), data=payload.model_dump(exclude_unset=True)
    )
    return _volunteer_out(_volunteer(volunteer.pk))


# Hours -----------------------------------------------------------------------------------------------------------


class HoursIn(StrictSchema):
    served_on: Day
    hours: Num = Field(ge=Decimal("0.5"), le=Decimal("24"), max_digits=3, decimal_places=1)
    description: str = Field(min_length=1, max_length=200)
    activity: int | None = None
    team: int | None = None


class DecisionIn(StrictSchema):
    note: str = Field("", max_length=200)


class HoursOut(Schema):
    id: int
    volunteer: int
    volunteer_name: str
    team: int | None
    activity: int | None
    served_on: datetime.date
    hours: Decimal
    description: str
    status: str
    note: str


class HoursPage(Page):
    results: list[HoursOut]


class HoursFilter(Schema):
    status: Literal["logged", "confirmed", "rejected"] | None = None
    team: int | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    mine: bool = False
    page: int = Field(1, ge=1, le=100000)


def _hours_out(h: VolunteerHours) -> dict:
    return {
        "id": h.pk,
        "volunteer": h.volunteer_id,
        "volunteer_name": h.volunteer.name,
        "team": h.team_id,
        "activity": h.activity_id,
        "served_on": h.served_on,
        "hours": h.hours,
        "description": h.description,
        "status": h.status,
        "note": h.note,
    }


@hours_router.get("", response={200: HoursPage, **STANDARD_ERRORS})
def list_hours(request, filters: Query[HoursFilter]):
    if filters.mine:
        request.auth.require("hours.log")
        volunteer = services.own_volunteer(request.auth)
        queryset = selectors.hours_entries(
            status=filters.status or "", volunteer=volunteer.pk if volunteer else -1
        )
    else:
        request.auth.require("volunteers.view")
        queryset = selectors.hours_entries(
            status=filters.status or "", team=str(filters.team or ""), under=filters.under or ""
        )
    return paginated(queryset, filters.page, _hours_out)


@hours_router.post("", response={201: HoursOut, **STANDARD_ERRORS})
def log_hours(request, payload: HoursIn):
    entry = services.hours_log(actor=request.auth, data=payload.model_dump())
    return 201, _hours_out(entry)


@hours_router.post("/{int:hours_id}/confirm", response={200: HoursOut, **STANDARD_ERRORS})
def confirm_hours(request, hours_id: int, payload: DecisionIn):
    entry = services.hours_confirm(
        actor=request.auth, entry=get_scoped_or_404(VolunteerHours, pk=hours_id), note=payload.note
    )
    return _hours_out(entry)


@hours_router.post("/{int:hours_id}/reject", response={200: HoursOut, **STANDARD_ERRORS})
def reject_hours(request, hours_id: int, payload: DecisionIn):
    entry = services.hours_reject(
        actor=request.auth, entry=get_scoped_or_404(VolunteerHours, pk=hours_id), note=payload.note
    )
    return _hours_out(entry)


ROUTERS = [
    ("/workers", workers_router),
    ("/volunteers", volunteers_router),
    ("/volunteer-hours", hours_router),
]

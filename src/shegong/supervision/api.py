"""/api/v1/supervision-sessions, /api/v1/trainings and /api/v1/resources: scoped like the pages, the same services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.masking import mask_phone
from shegong.core.scoping import get_scoped_or_404
from shegong.people.models import SupervisionAssignment

from . import selectors, services
from .models import Course, CourseKind, SessionKind, SessionMode, SupervisionSession

sessions_router = Router(tags=["supervision"])
trainings_router = Router(tags=["supervision"])
resources_router = Router(tags=["supervision"])


class SupervisionSessionIn(StrictSchema):
    assignment: int
    kind: Literal[tuple(SessionKind.values)] = SessionKind.INDIVIDUAL  # type: ignore[valid-type]
    mode: Literal[tuple(SessionMode.values)] = SessionMode.OFFLINE  # type: ignore[valid-type]
    held_on: datetime.date
    minutes: int = Field(..., ge=10, le=600)
    topics: list[str] = Field(..., min_length=1, max_length=10)
    attendees: list[int] = Field(..., min_length=1, max_length=200)
    problems: str = Field(..., min_length=1, max_length=2000)
    advice: str = Field(..., min_length=1, max_length=2000)
    follow_up: str = Field("", max_length=300)
    follow_up_due: datetime.date | None = None


class SupervisionSessionOut(Schema):
    id: int
    supervisor: int
    assignment: int
    node: int | None
    kind: str
    mode: str
    held_on: datetime.date
    minutes: int
    topics: list[str]
    problems: str
    advice: str
    follow_up: str
    follow_up_due: datetime.date | None
    attendees: list[int]
    confirmed: list[int]


class SupervisionSessionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[SupervisionSessionOut]


class SupervisionSessionFilter(Schema):
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$")
    page: int = Field(1, ge=1, le=100000)


def _session_out(s: SupervisionSession) -> dict:
    lines = list(s.attendance.all())
    return {
        "id": s.pk,
        "supervisor": s.supervisor_id,
        "assignment": s.assignment_id,
        "node": s.node_id,
        "kind": s.kind,
        "mode": s.mode,
        "held_on": s.held_on,
        "minutes": s.minutes,
        "topics": sorted(t.code for t in s.topics.all()),
        "problems": s.problems,
        "advice": s.advice,
        "follow_up": s.follow_up,
        "follow_up_due": s.follow_up_due,
        "attendees": [line.worker_id for line in lines],
        "confirmed": [line.worker_id for line in lines if line.confirmed_at],
    }


@sessions_router.get("", response={200: SupervisionSessionPage, **STANDARD_ERRORS})
def list_sessions(request, filters: Query[SupervisionSessionFilter]):
    request.auth.require("supervision.view")
    queryset = selectors.sessions(month=filters.month).prefetch_related("attendance")
    return paginated(queryset, filters.page, _session_out)


@sessions_router.get(
    "/{int:supervision_session_id}", response={200: SupervisionSessionOut, **STANDARD_ERRORS}
)
def get_session(request, supervision_session_id: int):
    request.auth.require("supervision.view")
    return _session_out(get_scoped_or_404(SupervisionSession, pk=supervision_session_id))


@sessions_router.post("", response={201: SupervisionSessionOut, **STANDARD_ERRORS})
def record_session(request, payload: SupervisionSessionIn):
    """Record a session under one of the caller's supervision relationships (the caller must be its supervisor)."""
    assignment = get_scoped_or_404(
        SupervisionAssignment.objects.select_related("supervisor"), pk=payload.assignment
    )
    data = payload.model_dump(exclude={"assignment", "topics", "attendees"})
    session = services.session_record(
        actor=request.auth,
        assignment=assignment,
        data=data,
        topics=payload.topics,
        attendees=payload.attendees,
    )
    return Status(201, _session_out(session))


@sessions_router.post(
    "/{int:supervision_session_id}/confirm", response={200: SupervisionSessionOut, **STANDARD_ERRORS}
)
def confirm_session(request, supervision_session_id: int):
    """The calling supervisee confirms the record of a session it attended."""
    session = get_scoped_or_404(SupervisionSession, pk=supervision_session_id)
    services.session_confirm(actor=request.auth, session=session)
    return _session_out(session)


# Trainings ---------------------------------------------------------------------------------------------------------


class EnrolmentOut(Schema):
    worker: int
    name: str
    attended: bool | None
    hours: Decimal


class CourseOut(Schema):
    id: int
    region: str
    title: str
    kind: str
    layer: str
    organiser: str
    lecturers: list[int]
    other_lecturers: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Decimal
    place: str
    enrolments: list[EnrolmentOut] | None = None


class CoursePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CourseOut]


class CourseFilter(Schema):
    kind: Literal[("", *CourseKind.values)] = ""  # type: ignore[valid-type]
    year: int | None = Field(None, ge=2000, le=2100)
    page: int = Field(1, ge=1, le=100000)


class AttendanceIn(StrictSchema):
    present: list[int] = Field(..., max_length=2000)


def _course_out(c: Course, with_enrolments: bool = False) -> dict:
    out = {
        "id": c.pk,
        "region": c.region_code,
        "title": c.title,
        "kind": c.kind,
        "layer": c.layer,
        "organiser": c.organiser,
        "lecturers": sorted(s.pk for s in c.lecturers.all()),
        "other_lecturers": c.other_lecturers,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "hours": c.hours,
        "place": c.place,
    }
    if with_enrolments:
        out["enrolments"] = [
            {"worker": e.worker_id, "name": e.worker.name, "attended": e.attended, "hours": e.hours}
            for e in selectors.attendance_rows(c)
        ]
    return out


@trainings_router.get("", response={200: CoursePage, **STANDARD_ERRORS})
def list_trainings(request, filters: Query[CourseFilter]):
    request.auth.require("training.view")
    year = str(filters.year) if filters.year else ""
    queryset = selectors.courses(kind=filters.kind, year=year).prefetch_related("lecturers")
    return paginated(queryset, filters.page, _course_out)


@trainings_router.get("/{int:course_id}", response={200: CourseOut, **STANDARD_ERRORS})
def get_training(request, course_id: int):
    """A course with its enrolments and attendance (the enrolments of workers the caller may see)."""
    request.auth.require("training.view")
    return _course_out(get_scoped_or_404(Course, pk=course_id), with_enrolments=True)


@trainings_router.post("/{int:course_id}/attendance", response={200: CourseOut, **STANDARD_ERRORS})
def record_attendance(request, course_id: int, payload: AttendanceIn):
    """Record who attended (every other enrolment is absent); attendees are credited the course's hours."""
    course = get_scoped_or_404(Course, pk=course_id)
    services.course_attendance(actor=request.auth, course=course, present=payload.present)
    return _course_out(course, with_enrolments=True)


# Resources ---------------------------------------------------------------------------------------------------------


class ResourceOut(Schema):
    kind: str
    id: int
    title: str
    text: str
    tags: list[str]
    answered_by: int | None = None
    phone: str | None = None


class ResourceFilter(Schema):
    q: str = Field("", max_length=50)
    kind: Literal["", "question", "expert", "project"] = ""


class ResourceList(Schema):
    count: int
    results: list[ResourceOut]


@resources_router.get("", response={200: ResourceList, **STANDARD_ERRORS})
def list_resources(request, filters: Query[ResourceFilter]):
    """Search the question, expert and project banks; a two-character Chinese query finds the entries holding it.
    Experts' phone numbers come masked."""
    request.auth.require("resources.view")
    found = selectors.search_resources(filters.q, filters.kind)
    results = []
    for q in found.get("question", []):
        results.append(
            {
                "kind": "question",
                "id": q.pk,
                "title": q.title,
                "text": q.answer,
                "tags": q.tags,
                "answered_by": q.answered_by_id,
            }
        )
    for e in found.get("expert", []):
        results.append(
            {
                "kind": "expert",
                "id": e.pk,
                "title": e.name,
                "text": e.field,
                "tags": e.tags,
                "phone": mask_phone(e.phone),
            }
        )
    for p in found.get("project", []):
        results.append({"kind": "project", "id": p.pk, "title": p.title, "text": p.summary, "tags": p.tags})
    return {"count": len(results), "results": results}


ROUTERS = [
    ("/supervision-sessions", sessions_router),
    ("/trainings", trainings_router),
    ("/resources", resources_router),
]

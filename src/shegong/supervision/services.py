"""Writes on supervision, training and the resource libraries. Each checks the actor's permission in the row's
region, validates (a ValidationError naming the field), writes atomically, counts into ``core.tallies`` and audits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.services import record
from shegong.core import tallies
from shegong.core.records import RecordKind, create_record, update_record
from shegong.core.scoping import across_regions, get_scoped_or_404
from shegong.people.models import SocialWorker, SupervisionAssignment, Supervisor, WorkerAssignment
from shegong.people.selectors import supervisor_of_user
from shegong.regions.models import Region

from .models import (
    Attendance,
    Course,
    Enrolment,
    Expert,
    Question,
    ReferenceProject,
    SessionKind,
    SessionMode,
    SupervisionSession,
    Topic,
)
from .selectors import ATTENDANCES, SESSIONS


def _worker_of(actor) -> SocialWorker | None:
    user = getattr(actor, "user", None)
    if user is None or not getattr(user, "pk", None):
        return None
    with across_regions("the actor's own worker record, wherever it is filed"):
        return SocialWorker.objects.filter(user=user).first()


def _resolve(model, values: Iterable, field: str) -> list:
    rows = []
    for value in values or []:
        if isinstance(value, model):
            rows.append(value)
            continue
        try:
            rows.append(get_scoped_or_404(model, pk=value))
        except Exception:  # noqa: BLE001 - any unknown or unseen id is the same refusal, named by field
            raise ValidationError(
                {field: [_("选择的第 %(n)s 项不存在或不在您的管辖范围内") % {"n": value}]}
            ) from None
    return rows


def eligible_attendees(assignment: SupervisionAssignment, on: datetime.date):
    """Who may attend a session under ``assignment``: its worker, or the workers in post at its station that day."""
    if assignment.worker_id:
        return SocialWorker.objects.filter(pk=assignment.worker_id)
    if assignment.node_id:
        ids = WorkerAssignment.objects.filter(
            WorkerAssignment.in_post(on), node_id=assignment.node_id
        ).values("worker_id")
        return SocialWorker.objects.filter(pk__in=ids)
    return SocialWorker.objects.all()


def session_record(
    *, actor, assignment: SupervisionAssignment, data: dict[str, Any], topics: Iterable, attendees: Iterable
) -> SupervisionSession:
    """Record a session held by the assignment's supervisor (only it may): counted in ``supervision.sessions``."""
    actor.require("supervision.record", assignment.region_code)
    me = supervisor_of_user(getattr(actor, "user", None))
    if me is None or me.pk != assignment.supervisor_id:
        raise ValidationError({"assignment": [_("只能记录您本人负责的督导关系")]})
    today = timezone.localdate()
    held_on = data.get("held_on")
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("请填写督导日期")]
    elif held_on > today:
        errors["held_on"] = [_("督导日期不能晚于今天")]
    elif held_on < assignment.start_date or (assignment.end_date and held_on > assignment.end_date):
        errors["held_on"] = [_("督导日期不在该督导关系的起止日期内")]
    topic_rows = _resolve_topics(topics, errors)
    people = _resolve(SocialWorker, attendees, "attendees")
    if not people:
        errors["attendees"] = [_("请选择参加督导的社工")]
    elif "held_on" not in errors:
        allowed = set(eligible_attendees(assignment, held_on).values_list("pk", flat=True))
        outsiders = [w.name for w in people if w.pk not in allowed]
        if outsiders:
            errors["attendees"] = [
                _("%(names)s 不是该督导关系的被督导社工") % {"names": "、".join(outsiders)}
            ]
    kind = data.get("kind") or SessionKind.INDIVIDUAL
    if kind == SessionKind.INDIVIDUAL and len(people) > 1:
        errors.setdefault("kind", []).append(_("个别督导只能有一名社工参加；多人请选择团体督导"))
    due = data.get("follow_up_due")
    if due and not (data.get("follow_up") or "").strip():
        errors.setdefault("follow_up", []).append(_("填写了跟进期限，请写明跟进事项"))
    if errors:
        raise ValidationError(errors)
    node = assignment.node
    if node is None and assignment.worker_id:
        post = (
            WorkerAssignment.objects.filter(WorkerAssignment.in_post(held_on), worker_id=assignment.worker_id)
            .select_related("node")
            .order_by("-full_time", "start_date")
            .first()
        )
        node = post.node if post else None
    session = SupervisionSession(
        supervisor=assignment.supervisor,
        assignment=assignment,
        node=node,
        kind=kind,
        mode=data.get("mode") or SessionMode.OFFLINE,
        held_on=held_on,
        minutes=data.get("minutes"),
        problems=(data.get("problems") or "").strip(),
        advice=(data.get("advice") or "").strip(),
        follow_up=(data.get("follow_up") or "").strip(),
        follow_up_due=due,
        recorded_by=getattr(actor, "user", None),
    )
    session.region_code = session.derived_region_code()
    session.full_clean(exclude=["topics"])
    with transaction.atomic():
        session.save()
        session.topics.set(topic_rows)
        Attendance.objects.bulk_create(
            [Attendance(session=session, worker=w, region_code=session.region_code) for w in people]
        )
        tallies.add(session.region_code, held_on, SESSIONS, 1)
        record(
            "supervision.session.record",
            actor=actor,
            obj=session,
            changes={
                "assignment": assignment.pk,
                "held_on": str(held_on),
                "kind": session.kind,
                "mode": session.mode,
                "minutes": session.minutes,
                "topics": sorted(t.code for t in topic_rows),
                "attendees": sorted(w.pk for w in people),
            },
        )
    return session


def _resolve_topics(topics: Iterable, errors: dict) -> list[Topic]:
    wanted = [t.code if isinstance(t, Topic) else str(t) for t in topics or []]
    rows = list(Topic.objects.filter(code__in=wanted, active=True))
    if not wanted:
        errors["topics"] = [_("请选择至少一个督导主题")]
    elif len(rows) != len(set(wanted)):
        unknown = sorted(set(wanted) - {t.code for t in rows})
        errors["topics"] = [_("无法识别的督导主题：%(t)s") % {"t": "、".join(unknown)}]
    return rows


def session_confirm(*, actor, session: SupervisionSession) -> Attendance:
    """The supervisee confirms the record of a session it attended."""
    actor.require("supervision.confirm", session.region_code)
    me = _worker_of(actor)
    line = session.attendance.filter(worker=me).first() if me else None
    if line is None:
        raise ValidationError({"session": [_("您没有参加这次督导，不能确认记录")]})
    if line.confirmed_at:
        return line
    with transaction.atomic():
        line.confirmed_at = timezone.now()
        line.confirmed_by = actor.user
        line.save(update_fields=["confirmed_at", "confirmed_by"])
        record("supervision.session.confirm", actor=actor, obj=session, changes={"worker": me.pk})
    return line


# Training ---------------------------------------------------------------------------------------------------------

COURSE_FIELDS = [
    "region",
    "title",
    "kind",
    "layer",
    "organiser",
    "other_lecturers",
    "starts_on",
    "ends_on",
    "hours",
    "place",
]


def _validate_course(course: Course, *, actor) -> None:
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        raise ValidationError({"ends_on": [_("结束日期不能早于开始日期")]})


_COURSE = RecordKind(
    model=Course,
    permission="training.change",
    fields=COURSE_FIELDS,
    refs={"region": Region},
    validate=_validate_course,
    action="supervision.course",
    missing_region=gettext_lazy("请选择举办区划"),
)


def course_create(*, actor, data: dict[str, Any], lecturers: Iterable = ()) -> Course:
    people = _resolve(Supervisor, lecturers, "lecturers")
    with transaction.atomic():
        course = create_record(_COURSE, actor=actor, data=data)
        course.lecturers.set(people)
    return course


def course_enrol(*, actor, course: Course, workers: Iterable) -> list[Enrolment]:
    """Enrol workers on a course; one already enrolled is left as it is."""
    actor.require("training.change", course.region_code)
    people = _resolve(SocialWorker, workers, "workers")
    if not people:
        raise ValidationError({"workers": [_("请选择报名的社工")]})
    have = set(course.enrolments.values_list("worker_id", flat=True))
    fresh = [
        Enrolment(course=course, worker=w, region_code=w.region_code) for w in people if w.pk not in have
    ]
    with transaction.atomic():
        Enrolment.objects.bulk_create(fresh)
        record(
            "supervision.course.enrol",
            actor=actor,
            obj=course,
            changes={"workers": sorted(e.worker_id for e in fresh)},
        )
    return fresh


def course_attendance(
    *, actor, course: Course, present: Iterable[int], today: datetime.date | None = None
) -> int:
    """Record who attended (every enrolment not in ``present`` is absent): an attendee is credited the course's
    hours toward its year. Returns how many changed."""
    actor.require("training.change", course.region_code)
    today = today or timezone.localdate()
    if course.starts_on > today:
        raise ValidationError({"present": [_("课程尚未开始，不能登记出勤")]})
    present = {int(p) for p in present}
    enrolments = list(course.enrolments.all())
    unknown = present - {e.worker_id for e in enrolments}
    if unknown:
        raise ValidationError({"present": [_("出勤名单中有未报名的社工")]})
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for e in enrolments:
            attended = e.worker_id in present
            if e.attended is attended:
                continue
            if attended:
                tallies.add(e.region_code, course.starts_on, ATTENDANCES, 1)
            elif e.attended:
                tallies.add(e.region_code, course.starts_on, ATTENDANCES, -1)
            e.attended = attended
            e.hours = course.hours if attended else Decimal(0)
            e.recorded_at = now
            e.save(update_fields=["attended", "hours", "recorded_at"])
            changed += 1
        record(
            "supervision.course.attendance",
            actor=actor,
            obj=course,
            changes={"present": sorted(present), "changed": changed},
        )
    return changed


# Resource libraries -----------------------------------------------------------------------------------------------


def _tags(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").split(",")
    return [t.strip() for t in value or [] if t and t.strip()][:10]


def _library_create(model, action: str, *, actor, data: dict[str, Any], fields: list[str]):
    region = data.get("region")
    if region is not None and not isinstance(region, Region):
        region = get_scoped_or_404(Region, pk=region)
    if region is None:
        raise ValidationError({"region": [_("请选择所属区划")]})
    actor.require("resources.change", region.code)
    entry = model(region=region, tags=_tags(data.get("tags")))
    for name in fields:
        if name in data and data[name] is not None:
            setattr(entry, name, data[name].strip() if isinstance(data[name], str) else data[name])
    entry.region_code = region.code
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(action, actor=actor, obj=entry, changes={"title": str(entry)})
    return entry


def question_create(*, actor, data: dict[str, Any]) -> Question:
    return _library_create(
        Question, "supervision.question.create", actor=actor, data=data, fields=["title", "detail"]
    )


def question_answer(*, actor, question: Question, answer: str) -> Question:
    """A supervisor answers a question of the bank; the answer and who gave it are kept."""
    actor.require("resources.change", question.region_code)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("请填写解答")]})
    me = supervisor_of_user(getattr(actor, "user", None))
    with transaction.atomic():
        question.answer = answer
        question.answered_by = me
        question.answered_on = timezone.localdate()
        question.full_clean()
        question.save()
        record(
            "supervision.question.answer",
            actor=actor,
            obj=question,
            changes={"answered_by": getattr(me, "pk", None)},
        )
    return question


def expert_create(*, actor, data: dict[str, Any]) -> Expert:
    from shegong.core.identity import IdentityError, validate_phone

    if data.get("phone"):
        try:
            data = {**data, "phone": validate_phone(data["phone"])}
        except IdentityError as exc:
            raise ValidationError({"phone": [str(exc)]}) from None
    return _library_create(
        Expert,
        "supervision.expert.create",
        actor=actor,
        data=data,
        fields=["name", "field", "organisation", "title", "phone", "email"],
    )


def project_create(*, actor, data: dict[str, Any]) -> ReferenceProject:
    return _library_create(
        ReferenceProject,
        "supervision.project.create",
        actor=actor,
        data=data,
        fields=["title", "summary", "organisation", "year", "documents"],
    )


def course_update(*, actor, course: Course, data: dict[str, Any]) -> Course:
    return update_record(_COURSE, course, actor=actor, data=data)

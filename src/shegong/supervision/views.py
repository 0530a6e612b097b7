"""Pages of supervision, training and the resource libraries: thin — parse, scoped fetch, one service call."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.charts import month_labels
from shegong.core.export_views import export_page
from shegong.core.forms import submit
from shegong.core.masking import mask_phone
from shegong.core.params import as_int
from shegong.core.regioncodes import Level
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_messages
from shegong.people.models import SupervisionAssignment
from shegong.people.selectors import supervisor_of_user
from shegong.regions.selectors import area_choices

from . import selectors, services
from .exports import ATTENDANCE_EXPORT
from .forms import AnswerForm, CourseForm, EnrolForm, ExpertForm, ProjectForm, QuestionForm, SessionForm
from .models import Course, CourseKind, Expert, Question, ReferenceProject, SupervisionSession


def _year(request) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    year = as_int(raw)
    return year if year is not None and 2000 <= year <= today.year + 1 else today.year


# Supervision -------------------------------------------------------------------------------------------------------


@login_required
def session_list(request):
    request.actor.require("supervision.view")
    filters = {
        "supervisor": request.GET.get("supervisor", ""),
        "node": request.GET.get("node", ""),
        "month": request.GET.get("month", ""),
        "unconfirmed": request.GET.get("unconfirmed") == "1",
    }
    queryset = selectors.sessions(**filters)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    # Counted figures are whole regions': a reader bound by a relationship counts the records it sees instead.
    if request.actor.scope.relations:
        counts = selectors.monthly_counts_seen(today=today)
    else:
        counts = selectors.monthly_counts(sorted(request.actor.scope.region_codes), today=today)
    since_year = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    chart = {
        "labels": month_labels([c["month"] for c in counts], today=today),
        "series": [
            {"name": _("督导次数"), "data": [c["sessions"] for c in counts]},
            {"name": _("培训出勤人次"), "data": [c["attendances"] for c in counts]},
            {"name": _("个案审批数"), "data": [c["case_decisions"] for c in counts]},
        ],
    }
    since = (today.replace(day=1) - datetime.timedelta(days=150)).replace(day=1)
    per_supervisor = selectors.by_supervisor_month(selectors.sessions(), since=since)
    months = sorted({m for row in per_supervisor for m in (*row["months"], *row["decisions"])})
    for row in per_supervisor:
        row["cells"] = [(row["months"].get(m, 0), row["decisions"].get(m, 0)) for m in months]
    me = supervisor_of_user(request.user)
    stations = selectors.by_station(sorted(request.actor.scope.region_codes), since=since_year, until=today)
    context = {
        "page": page,
        "stations": stations,
        "filters": filters,
        "chart": chart,
        "per_supervisor": per_supervisor,
        "months": months,
        "overdue": selectors.due(supervisor_user=request.user if me else None, overdue_only=True)[:20],
        "is_supervisor": me is not None,
    }
    return render(request, "supervision/sessions.html", context)


@login_required
def due_list(request):
    """Supervision due per relationship: the supervisor's own, or every relationship of the station head's area."""
    request.actor.require("supervision.view")
    me = supervisor_of_user(request.user)
    overdue_only = request.GET.get("overdue") == "1"
    rows = selectors.due(supervisor_user=request.user if me else None, overdue_only=overdue_only)
    context = {
        "rows": rows,
        "overdue_only": overdue_only,
        "can_record": me is not None and request.actor.can("supervision.record"),
    }
    return render(request, "supervision/due.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk: int):
    """Record a session under supervision relationship ``pk`` (the supervisor's own)."""
    assignment = get_scoped_or_404(
        SupervisionAssignment.objects.select_related("supervisor", "worker", "node"), pk=pk
    )
    request.actor.require("supervision.record", assignment.region_code)
    held_on = timezone.localdate()
    form = SessionForm(
        request.POST or None, attendees=services.eligible_attendees(assignment, held_on).order_by("name")
    )
    session = submit(
        request,
        form,
        lambda form: services.session_record(
            actor=request.actor,
            assignment=assignment,
            data=form.cleaned_data,
            topics=form.cleaned_data["topics"],
            attendees=[int(x) for x in form.cleaned_data["attendees"]],
        ),
    )
    if session is not None:
        messages.success(request, _("已记录督导，等待被督导社工确认。"))
        return redirect("supervision:session_detail", pk=session.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "supervision/session_form.html", {"form": form, "assignment": assignment}, status=status
    )


@login_required
def session_detail(request, pk: int):
    request.actor.require("supervision.view")
    session = get_scoped_or_404(
        SupervisionSession.objects.select_related("supervisor", "node", "assignment"), pk=pk
    )
    lines = list(session.attendance.select_related("worker"))
    mine = services._worker_of(request.actor)
    context = {
        "session": session,
        "lines": lines,
        "topics": list(session.topics.all()),
        "can_confirm": bool(mine)
        and request.actor.can("supervision.confirm", session.region_code)
        and any(line.worker_id == mine.pk and not line.confirmed_at for line in lines),
    }
    return render(request, "supervision/session_detail.html", context)


@login_required
@require_POST
def session_confirm(request, pk: int):
    session = get_scoped_or_404(SupervisionSession, pk=pk)
    try:
        services.session_confirm(actor=request.actor, session=session)
        messages.success(request, _("已确认督导记录。"))
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    return redirect("supervision:session_detail", pk=pk)


# Training ---------------------------------------------------------------------------------------------------------


@login_required
def course_list(request):
    request.actor.require("training.view")
    filters = {
        "kind": request.GET.get("kind", ""),
        "year": request.GET.get("year", ""),
        "q": request.GET.get("q", "").strip(),
    }
    page = Paginator(selectors.courses(**filters), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "kinds": CourseKind.choices,
        "can_change": request.actor.can("training.change"),
    }
    return render(request, "supervision/courses.html", context)


def _areas(request, permission: str) -> list[tuple[str, str]]:
    return area_choices(request.actor.regions_with(permission), lowest=Level.TOWNSHIP)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    request.actor.require("training.change")
    form = CourseForm(request.POST or None, areas=_areas(request, "training.change"))
    course = submit(
        request,
        form,
        lambda form: services.course_create(
            actor=request.actor, data=form.service_data(), lecturers=form.cleaned_data["lecturers"]
        ),
    )
    if course is not None:
        messages.success(request, _("已新增课程“%(t)s”。") % {"t": course.title})
        return redirect("supervision:course_detail", pk=course.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "supervision/form.html", {"form": form, "title": _("新增培训课程")}, status=status)


def _course_context(request, course: Course, enrol_form=None) -> dict:
    return {
        "course": course,
        "lecturers": list(course.lecturers.all()),
        "rows": list(selectors.attendance_rows(course)),
        "enrol_form": enrol_form or EnrolForm(),
        "can_change": request.actor.can("training.change", course.region_code),
        "started": course.starts_on <= timezone.localdate(),
    }


@login_required
def course_detail(request, pk: int):
    request.actor.require("training.view")
    course = get_scoped_or_404(Course, pk=pk)
    return render(request, "supervision/course_detail.html", _course_context(request, course))


@login_required
@require_POST
def course_enrol(request, pk: int):
    course = get_scoped_or_404(Course, pk=pk)
    request.actor.require("training.change", course.region_code)
    form = EnrolForm(request.POST)
    done = submit(
        request,
        form,
        lambda form: services.course_enrol(
            actor=request.actor, course=course, workers=form.cleaned_data["workers"]
        ),
    )
    if done is not None:
        messages.success(request, _("已报名 %(n)d 人。") % {"n": len(done)})
        return redirect("supervision:course_detail", pk=pk)
    return render(
        request,
        "supervision/course_detail.html",
        _course_context(request, course, enrol_form=form),
        status=422,
    )


@login_required
@require_POST
def course_attendance(request, pk: int):
    course = get_scoped_or_404(Course, pk=pk)
    request.actor.require("training.change", course.region_code)
    present = [str(p) for p in map(as_int, request.POST.getlist("present")) if p is not None]
    try:
        changed = services.course_attendance(actor=request.actor, course=course, present=present)
        messages.success(request, _("已登记出勤（%(n)d 人有变化）。") % {"n": changed})
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    return redirect("supervision:course_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def course_export(request, pk: int):
    get_scoped_or_404(Course, pk=pk)
    return export_page(request, ATTENDANCE_EXPORT)


@login_required
def training_hours(request):
    """Each worker's continuing-education hours this year against the region's requirement; who is short."""
    request.actor.require("training.view")
    year = _year(request)
    short_only = request.GET.get("all") != "1"
    rows = selectors.training_hours(year, short_only=short_only)
    context = {
        "rows": rows,
        "year": year,
        "short_only": short_only,
        "years": range(timezone.localdate().year, 2019, -1),
    }
    return render(request, "supervision/hours.html", context)


# Resource libraries -----------------------------------------------------------------------------------------------


@login_required
def resource_list(request):
    request.actor.require("resources.view")
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    if kind not in selectors.RESOURCE_KINDS:
        kind = ""
    found = selectors.search_resources(q, kind)
    for expert in found.get("expert", []):
        expert.masked_phone = mask_phone(expert.phone)
    context = {
        "q": q,
        "kind": kind,
        "found": found,
        "can_change": request.actor.can("resources.change"),
    }
    return render(request, "supervision/resources.html", context)


_LIBRARY = {
    "question": (QuestionForm, services.question_create, _("新增问题")),
    "expert": (ExpertForm, services.expert_create, _("新增专家")),
    "project": (ProjectForm, services.project_create, _("新增项目资源")),
}


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request, kind: str):
    if kind not in _LIBRARY:
        raise Http404
    request.actor.require("resources.change")
    form_class, create, title = _LIBRARY[kind]
    form = form_class(request.POST or None, areas=_areas(request, "resources.change"))
    entry = submit(request, form, lambda form: create(actor=request.actor, data=form.cleaned_data))
    if entry is not None:
        messages.success(request, _("已保存。"))
        if kind == "question":
            return redirect("supervision:question_detail", pk=entry.pk)
        if kind == "project":
            return redirect("supervision:project_detail", pk=entry.pk)
        return redirect("supervision:expert_detail", pk=entry.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "supervision/form.html", {"form": form, "title": title}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request, pk: int):
    request.actor.require("resources.view")
    question = get_scoped_or_404(Question.objects.select_related("answered_by"), pk=pk)
    can_answer = request.actor.can("resources.change", question.region_code)
    form = AnswerForm(request.POST or None, initial={"answer": question.answer})
    if request.method == "POST":
        request.actor.require("resources.change", question.region_code)
        if submit(
            request,
            form,
            lambda form: services.question_answer(
                actor=request.actor, question=question, **form.cleaned_data
            ),
        ):
            messages.success(request, _("已保存解答。"))
            return redirect("supervision:question_detail", pk=pk)
    context = {"question": question, "form": form, "can_answer": can_answer}
    return render(request, "supervision/question_detail.html", context, status=422 if form.errors else 200)


@login_required
def project_detail(request, pk: int):
    request.actor.require("resources.view")
    project = get_scoped_or_404(ReferenceProject, pk=pk)
    return render(request, "supervision/project_detail.html", {"project": project})


@login_required
def expert_detail(request, pk: int):
    request.actor.require("resources.view")
    expert = get_scoped_or_404(Expert, pk=pk)
    context = {
        "expert": expert,
        "masked_phone": mask_phone(expert.phone),
        "masked_email": _mask_email(expert.email),
    }
    return render(request, "supervision/expert_detail.html", context)


def _mask_email(value: str) -> str:
    if not value or "@" not in value:
        return ""
    name, domain = value.split("@", 1)
    return f"{name[:1]}***@{domain}"

"""Pages for social workers, filings, departures, the dishonesty list, volunteers, teams and hours."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.audit.services import record
from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.forms import apply_errors
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import ServiceNode
from shegong.orgs.importview import import_page
from shegong.regions.models import Region
from shegong.regions.selectors import scope_roots

from . import imports, selectors, services
from .forms import (
    AssignmentForm,
    DecisionForm,
    DepartureCompleteForm,
    DepartureForm,
    DishonestyForm,
    HoursForm,
    RevealForm,
    SignupForm,
    TeamForm,
    VolunteerForm,
    WorkerForm,
)
from .models import (
    VOLUNTEER_TARGET_PER_WORKER,
    Certificate,
    Departure,
    FilingStatus,
    HoursStatus,
    PayLadder,
    Skill,
    SocialWorker,
    TeamLevel,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    WorkerAssignment,
    WorkerStatus,
)


def _export(request, *, filename: str, headers: list[str], rows: list, object_type: str, filters: dict):
    record(
        "export",
        actor=request.actor,
        object_type=object_type,
        request=request,
        region_code=request.actor.home_region_code,
        changes={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    return xlsx_response(
        f"{filename}-{timezone.localdate():%Y%m%d}.xlsx", build_workbook(filename, headers, rows)
    )


# Social workers --------------------------------------------------------------------------------------------------


def _worker_filters(request) -> dict:
    return {
        "status": request.GET.get("status", ""),
        "certificate": request.GET.get("certificate", ""),
        "under": request.GET.get("under", "").strip(),
        "node": request.GET.get("node", "") if request.GET.get("node", "").isdigit() else "",
        "q": request.GET.get("q", "").strip(),
        "overdue": request.GET.get("overdue") == "1",
    }


@login_required
def worker_list(request):
    request.actor.require("people.view")
    filters = _worker_filters(request)
    page = Paginator(selectors.workers(**filters), 30).get_page(request.GET.get("page"))
    posts = selectors.current_posts([w.pk for w in page])
    for worker in page:
        worker.posts = posts.get(worker.pk, [])
        worker.masked_phone = mask_phone(worker.phone)
    context = {
        "page": page,
        "filters": filters,
        "statuses": WorkerStatus.choices,
        "certificates": Certificate.choices,
        "target": VOLUNTEER_TARGET_PER_WORKER,
        "query": request.GET.urlencode(),
        "can_change": request.actor.can("people.change"),
        "can_import": request.actor.can("people.import"),
    }
    template = "people/_workers_table.html" if request.htmx else "people/workers.html"
    return render(request, template, context)


@login_required
def worker_export(request):
    request.actor.require("people.view")
    filters = _worker_filters(request)
    queryset = list(selectors.workers(**filters)[:50000])
    posts = selectors.current_posts([w.pk for w in queryset])
    rows = [
        (
            w.name,
            mask_id_number(w.id_number),
            mask_phone(w.phone),
            w.get_gender_display(),
            w.birth_date,
            w.get_education_display(),
            w.get_certificate_display(),
            w.certificate_number,
            w.certificate_date,
            w.employer.name if w.employer else "",
            w.pay_post.ladder.name if w.pay_post else "",
            w.pay_post.name if w.pay_post else "",
            w.pay_grade,
            w.get_status_display(),
            w.region.name,
            "、".join(a.node.name for a in posts.get(w.pk, [])),
            w.recruit_count,
        )
        for w in queryset
    ]
    headers = [
        "姓名",
        "身份证号",
        "手机号",
        "性别",
        "出生日期",
        "学历",
        "职业资格",
        "证书编号",
        "取证日期",
        "用人机构",
        "薪酬体系",
        "薪酬岗位",
        "薪级",
        "状态",
        "登记区划",
        "在岗阵地",
        "招募志愿者",
    ]
    return _export(
        request,
        filename="社工",
        headers=headers,
        rows=rows,
        object_type="people.socialworker",
        filters=filters,
    )


def _worker_context(request, worker: SocialWorker, assignment_form=None) -> dict:
    today = timezone.localdate()
    assignments = list(worker.assignments.select_related("node").order_by("-start_date"))
    for a in assignments:
        a.is_overdue = a.filing_overdue(today)
    bar = services.dishonesty_bar(worker, today)
    return {
        "worker": worker,
        "assignments": assignments,
        "bar": bar,
        "bar_message": services.dishonesty_message(bar) if bar else "",
        "history": worker.dishonesty.order_by("-listed_on"),
        "departures": worker.departures.select_related("replacement").order_by("-notice_date"),
        "recruits": worker.recruits.filter(status=VolunteerStatus.ACTIVE).count(),
        "target": VOLUNTEER_TARGET_PER_WORKER,
        "masked_id": mask_id_number(worker.id_number),
        "masked_phone": mask_phone(worker.phone),
        "assignment_form": assignment_form or AssignmentForm(),
        "open_assign": assignment_form is not None,
        "dishonesty_form": DishonestyForm(),
        "reveal_form": RevealForm(),
        "can_change": request.actor.can("people.change", worker.region_code),
        "can_file": request.actor.can("filing.submit", worker.region_code),
        "can_confirm": request.actor.can("filing.confirm", worker.region_code),
        "can_list": request.actor.can("dishonesty.change", worker.region_code),
        "can_reveal": request.actor.can("people.reveal", worker.region_code),
        "today": today,
    }


def _fetch_worker(pk: int) -> SocialWorker:
    return get_scoped_or_404(
        SocialWorker.objects.select_related("region", "employer", "pay_post__ladder"), pk=pk
    )


@login_required
def worker_detail(request, pk: int):
    request.actor.require("people.view")
    return render(request, "people/worker_detail.html", _worker_context(request, _fetch_worker(pk)))


@login_required
@require_http_methods(["GET", "POST"])
def worker_create(request):
    request.actor.require("people.change")
    form = WorkerForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_create(actor=request.actor, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记社工“%(name)s”。") % {"name": worker.name})
            return redirect("people:worker_detail", pk=worker.pk)
    return render(
        request, "people/form.html", {"form": form, "title": _("登记社工"), "back": reverse("people:workers")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def worker_edit(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    request.actor.require("people.change", worker.region_code)
    form = WorkerForm(request.POST or None, instance=worker)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update(
                actor=request.actor, worker=get_scoped_or_404(SocialWorker, pk=pk), data=form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:worker_detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("编辑社工档案"), "back": reverse("people:worker_detail", args=[pk])},
    )


def _reveal(request, obj, permission: str, back: str):
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            value = services.reveal(actor=request.actor, obj=obj, permission=permission, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            label = dict(form.fields["field"].choices)[form.cleaned_data["field"]]
            messages.info(
                request, _("%(label)s：%(value)s（本次查看已记录）") % {"label": label, "value": value}
            )
    else:
        messages.error(request, _("请填写查看事由。"))
    return redirect(back)


@login_required
@require_POST
def worker_reveal(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    return _reveal(request, worker, "people.reveal", reverse("people:worker_detail", args=[pk]))


@login_required
@require_POST
def assignment_create(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    request.actor.require("people.change")
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_create(
                actor=request.actor,
                worker=worker,
                node=form.cleaned_data["node"],
                start_date=form.cleaned_data["start_date"],
                full_time=form.cleaned_data["full_time"],
                post=form.cleaned_data["post"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已安排岗位。请在 7 天内完成备案。"))
            return redirect("people:worker_detail", pk=pk)
    # Show the worker page again with the refusal and what was typed.
    return render(
        request, "people/worker_detail.html", _worker_context(request, _fetch_worker(pk), form), status=422
    )


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@login_required
@require_POST
def filing_submit(request, pk: int):
    assignment = get_scoped_or_404(WorkerAssignment, pk=pk)
    try:
        services.filing_submit(actor=request.actor, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已报备，待民政部门确认。"))
    return redirect(_back(request, reverse("people:worker_detail", args=[assignment.worker_id])))


@login_required
@require_POST
def filing_confirm(request, pk: int):
    assignment = get_scoped_or_404(WorkerAssignment, pk=pk)
    try:
        services.filing_confirm(actor=request.actor, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已确认备案。"))
    return redirect(_back(request, reverse("people:worker_detail", args=[assignment.worker_id])))


@login_required
def filing_list(request):
    request.actor.require("people.view")
    filters = {
        "state": request.GET.get("state", "overdue"),
        "under": request.GET.get("under", "").strip(),
        "node": request.GET.get("node", "") if request.GET.get("node", "").isdigit() else "",
    }
    today = timezone.localdate()
    page = Paginator(selectors.filings(**filters, today=today), 30).get_page(request.GET.get("page"))
    for a in page:
        a.is_overdue = a.filing_overdue(today)
    stations = list(ServiceNode.objects.filter(level="station").order_by("region_code"))
    overdue = selectors.overdue_filings_by_station([s.pk for s in stations], today)
    context = {
        "page": page,
        "filters": filters,
        "states": [("overdue", _("逾期未备案"))] + list(FilingStatus.choices),
        "stations": [(s, overdue.get(s.pk, 0)) for s in stations if overdue.get(s.pk)],
        "overdue_total": sum(overdue.values()),
        "can_file": request.actor.can("filing.submit"),
        "can_confirm": request.actor.can("filing.confirm"),
        "query": request.GET.urlencode(),
    }
    return render(request, "people/filings.html", context)


@login_required
def station_staff(request, pk: int):
    request.actor.require("people.view")
    node = get_scoped_or_404(ServiceNode.objects.select_related("region"), pk=pk)
    context = {
        "node": node,
        "staff": selectors.station_staffing_summary(node),
        "can_file": request.actor.can("filing.submit", node.region_code),
    }
    return render(request, "people/station_staff.html", context)


# Dishonesty list and departures ----------------------------------------------------------------------------------


@login_required
def dishonesty_list(request):
    request.actor.require("people.view")
    filters = {"active_only": request.GET.get("all") != "1", "q": request.GET.get("q", "").strip()}
    page = Paginator(selectors.dishonesty_entries(**filters), 30).get_page(request.GET.get("page"))
    return render(
        request, "people/dishonesty.html", {"page": page, "filters": filters, "today": timezone.localdate()}
    )


@login_required
@require_POST
def dishonesty_add(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    form = DishonestyForm(request.POST)
    if form.is_valid():
        try:
            entry = services.dishonesty_add(actor=request.actor, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.warning(
                request, _("已列入失信名单，%(d)s 前不得安排社会工作岗位。") % {"d": entry.bar_until}
            )
    else:
        messages.error(request, _("请填写列入原因。"))
    return redirect("people:worker_detail", pk=pk)


@login_required
def departure_list(request):
    request.actor.require("people.view")
    filters = {"open_only": request.GET.get("open") == "1", "under": request.GET.get("under", "").strip()}
    page = Paginator(selectors.departures(**filters), 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for d in page:
        d.breach_list = d.breaches(today)
    return render(request, "people/departures.html", {"page": page, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
def departure_create(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    request.actor.require("people.change", worker.region_code)
    form = DepartureForm(request.POST or None, exclude=worker, initial={"notice_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            departure = services.departure_notice(actor=request.actor, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            breaches = departure.breaches()
            if breaches:
                messages.warning(request, _("已登记离职申请，但存在问题：%(b)s") % {"b": "；".join(breaches)})
            else:
                messages.success(request, _("已登记离职申请。"))
            return redirect("people:worker_detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("登记离职申请：%(n)s") % {"n": worker.name},
            "back": reverse("people:worker_detail", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def departure_complete(request, pk: int):
    departure = get_scoped_or_404(Departure.objects.select_related("worker"), pk=pk)
    request.actor.require("people.change", departure.region_code)
    form = DepartureCompleteForm(
        request.POST or None,
        exclude=departure.worker,
        initial={"left_on": timezone.localdate(), "replacement": departure.replacement_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.departure_complete(actor=request.actor, departure=departure, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            breaches = departure.breaches()
            if breaches:
                messages.warning(request, _("已办结离职，存在问题：%(b)s") % {"b": "；".join(breaches)})
            else:
                messages.success(request, _("已办结离职。"))
            return redirect("people:worker_detail", pk=departure.worker_id)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("办结离职：%(n)s") % {"n": departure.worker.name},
            "back": reverse("people:worker_detail", args=[departure.worker_id]),
        },
    )


@login_required
def ladder_list(request):
    request.actor.require("people.view")
    ladders = PayLadder.objects.prefetch_related("posts").order_by("name")
    return render(request, "people/ladders.html", {"ladders": ladders})


@login_required
@require_http_methods(["GET", "POST"])
def worker_import(request):
    return import_page(
        request,
        title=_("导入社工"),
        permission="people.import",
        importer=imports.import_workers,
        template_url=reverse("people:workers_template"),
        back_url=reverse("people:workers"),
        noun=_("社工"),
    )


@login_required
def worker_template(request):
    request.actor.require("people.view")
    return xlsx_response("社工导入模板.xlsx", imports.WORKER_SPEC.template())


# Volunteers ------------------------------------------------------------------------------------------------------


def _volunteer_filters(request) -> dict:
    return {
        "status": request.GET.get("status", ""),
        "team": request.GET.get("team", ""),
        "skill": request.GET.get("skill", "") if request.GET.get("skill", "") in Skill.values else "",
        "under": request.GET.get("under", "").strip(),
        "recruited_by": request.GET.get("recruited_by", "")
        if request.GET.get("recruited_by", "").isdigit()
        else "",
        "q": request.GET.get("q", "").strip(),
    }


@login_required
def volunteer_list(request):
    request.actor.require("volunteers.view")
    filters = _volunteer_filters(request)
    page = Paginator(selectors.volunteers(**filters), 30).get_page(request.GET.get("page"))
    for v in page:
        v.masked_phone = mask_phone(v.phone)
    context = {
        "page": page,
        "filters": filters,
        "statuses": VolunteerStatus.choices,
        "skills": Skill.choices,
        "teams": VolunteerTeam.objects.order_by("region_code", "level", "name"),
        "query": request.GET.urlencode(),
        "pending": Volunteer.objects.filter(status=VolunteerStatus.PENDING).count(),
        "can_change": request.actor.can("volunteers.change"),
    }
    template = "people/_volunteers_table.html" if request.htmx else "people/volunteers.html"
    return render(request, template, context)


@login_required
def volunteer_export(request):
    request.actor.require("volunteers.view")
    filters = _volunteer_filters(request)
    rows = [
        (
            v.name,
            mask_id_number(v.id_number),
            mask_phone(v.phone),
            "、".join(v.skill_labels),
            v.team.name if v.team else "",
            v.recruited_by.name if v.recruited_by else "",
            v.get_status_display(),
            v.region.name,
            v.registered_on,
            v.confirmed_hours or 0,
        )
        for v in selectors.volunteers(**filters)[:50000]
    ]
    headers = [
        "姓名",
        "身份证号",
        "手机号",
        "技能",
        "所属队伍",
        "招募社工",
        "状态",
        "所在区划",
        "登记日期",
        "已确认时长",
    ]
    return _export(
        request,
        filename="志愿者",
        headers=headers,
        rows=rows,
        object_type="people.volunteer",
        filters=filters,
    )


@login_required
def volunteer_detail(request, pk: int):
    request.actor.require("volunteers.view")
    volunteer = get_scoped_or_404(Volunteer.objects.select_related("region", "team", "recruited_by"), pk=pk)
    hours = volunteer.hours.select_related("team", "activity").order_by("-served_on")[:50]
    total = sum((h.hours for h in volunteer.hours.filter(status=HoursStatus.CONFIRMED)), 0)
    context = {
        "volunteer": volunteer,
        "hours": hours,
        "total": total,
        "reveal_form": RevealForm(),
        "masked_id": mask_id_number(volunteer.id_number),
        "masked_phone": mask_phone(volunteer.phone),
        "can_change": request.actor.can("volunteers.change", volunteer.region_code),
        "can_reveal": request.actor.can("people.reveal", volunteer.region_code),
    }
    return render(request, "people/volunteer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request):
    request.actor.require("volunteers.change")
    form = VolunteerForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(actor=request.actor, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记志愿者“%(name)s”。") % {"name": volunteer.name})
            return redirect("people:volunteer_detail", pk=volunteer.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("登记志愿者"), "back": reverse("people:volunteers")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    request.actor.require("volunteers.change", volunteer.region_code)
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                actor=request.actor, volunteer=get_scoped_or_404(Volunteer, pk=pk), data=form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:volunteer_detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("编辑志愿者"), "back": reverse("people:volunteer_detail", args=[pk])},
    )


@login_required
@require_POST
def volunteer_reveal(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    return _reveal(request, volunteer, "people.reveal", reverse("people:volunteer_detail", args=[pk]))


@login_required
@require_POST
def volunteer_approve(request, pk: int):
    volunteer = get_scoped_or_404(Volunteer, pk=pk)
    try:
        services.volunteer_approve(actor=request.actor, volunteer=volunteer)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已通过“%(n)s”的志愿者登记。") % {"n": volunteer.name})
    return redirect(_back(request, reverse("people:volunteer_detail", args=[pk])))


@require_http_methods(["GET", "POST"])
def volunteer_signup(request):
    """Public self-registration: no login; the registration waits for the station's approval."""
    form = SignupForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    done = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            done = True  # a bot filled the hidden field: say thanks, store nothing
        else:
            try:
                services.volunteer_self_register(data=form.cleaned_data, request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done = True
    return render(request, "people/signup.html", {"form": form, "done": done})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_import(request):
    return import_page(
        request,
        title=_("导入志愿者"),
        permission="volunteers.change",
        importer=imports.import_volunteers,
        template_url=reverse("people:volunteers_template"),
        back_url=reverse("people:volunteers"),
        noun=_("志愿者"),
    )


@login_required
def volunteer_template(request):
    request.actor.require("volunteers.view")
    return xlsx_response("志愿者导入模板.xlsx", imports.VOLUNTEER_SPEC.template())


# Teams and hours -------------------------------------------------------------------------------------------------


@login_required
def team_list(request):
    request.actor.require("volunteers.view")
    under = request.GET.get("under", "").strip()
    rows = selectors.flatten(selectors.team_tree(under=under))
    return render(
        request,
        "people/teams.html",
        {"rows": rows, "levels": TeamLevel.choices, "can_change": request.actor.can("volunteers.change")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    request.actor.require("volunteers.change")
    form = TeamForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.actor, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立队伍“%(n)s”。") % {"n": team.name})
            return redirect("people:team_detail", pk=team.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("新建志愿服务队伍"), "back": reverse("people:teams")},
    )


@login_required
def team_detail(request, pk: int):
    request.actor.require("volunteers.view")
    team = get_scoped_or_404(VolunteerTeam.objects.select_related("region", "parent"), pk=pk)
    ids = selectors.team_with_descendants(team.pk)
    context = {
        "team": team,
        "total": selectors.team_total(team),
        "children": team.children.order_by("name"),
        "members": Volunteer.objects.filter(team_id__in=ids).order_by("name")[:200],
        "recent": selectors.hours_entries(team=str(team.pk))[:30],
    }
    return render(request, "people/team_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_hours(request):
    request.actor.require("hours.log")
    volunteer = services.own_volunteer(request.actor)
    form = HoursForm(request.POST or None, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_log(actor=request.actor, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交，等待社工确认。"))
            return redirect("people:my_hours")
    entries = selectors.hours_entries(volunteer=volunteer.pk)[:100] if volunteer else []
    confirmed = sum((e.hours for e in entries if e.status == HoursStatus.CONFIRMED), 0)
    pending = sum((e.hours for e in entries if e.status == HoursStatus.LOGGED), 0)
    return render(
        request,
        "people/my_hours.html",
        {
            "form": form,
            "volunteer": volunteer,
            "entries": entries,
            "confirmed": confirmed,
            "pending": pending,
        },
        status=422 if request.method == "POST" else 200,
    )


def _hours_filters(request) -> dict:
    return {
        "status": request.GET.get("status", "logged"),
        "team": request.GET.get("team", ""),
        "under": request.GET.get("under", "").strip(),
        "q": request.GET.get("q", "").strip(),
    }


@login_required
def hours_list(request):
    request.actor.require("volunteers.view")
    filters = _hours_filters(request)
    page = Paginator(selectors.hours_entries(**filters), 30).get_page(request.GET.get("page"))
    root = Region.objects.filter(code=filters["under"]).first() if filters["under"] else None
    root = root or scope_roots(request.actor.scope).first()
    total, children = selectors.hours_by_region(root) if root else (None, [])
    context = {
        "page": page,
        "filters": filters,
        "statuses": HoursStatus.choices,
        "total": total,
        "children": children,
        "teams": VolunteerTeam.objects.order_by("region_code", "level", "name"),
        "query": request.GET.urlencode(),
        "can_confirm": request.actor.can("hours.confirm"),
        "decision_form": DecisionForm(),
    }
    return render(request, "people/hours.html", context)


@login_required
def hours_export(request):
    request.actor.require("volunteers.view")
    filters = _hours_filters(request)
    rows = [
        (
            h.volunteer.name,
            h.served_on,
            h.hours,
            h.description,
            h.team.name if h.team else "",
            h.activity.title if h.activity else "",
            h.get_status_display(),
            h.confirmed_by.label if h.confirmed_by else "",
            h.note,
        )
        for h in selectors.hours_entries(**filters)[:100000]
    ]
    headers = ["志愿者", "服务日期", "时长", "服务内容", "队伍", "活动", "状态", "确认人", "意见"]
    return _export(
        request,
        filename="志愿服务时长",
        headers=headers,
        rows=rows,
        object_type="people.volunteerhours",
        filters=filters,
    )


@login_required
@require_POST
def hours_decide(request, pk: int, decision: str):
    entry = get_scoped_or_404(VolunteerHours, pk=pk)
    form = DecisionForm(request.POST)
    note = form.data.get("note", "")
    try:
        if decision == "confirm":
            services.hours_confirm(actor=request.actor, entry=entry, note=note)
            messages.success(
                request, _("已确认 %(n)s 的 %(h)s 小时。") % {"n": entry.volunteer.name, "h": entry.hours}
            )
        else:
            services.hours_reject(actor=request.actor, entry=entry, note=note)
            messages.info(request, _("已退回。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(_back(request, reverse("people:hours")))


@login_required
@require_POST
def hours_confirm(request, pk: int):
    return hours_decide(request, pk, "confirm")


@login_required
@require_POST
def hours_reject(request, pk: int):
    return hours_decide(request, pk, "reject")

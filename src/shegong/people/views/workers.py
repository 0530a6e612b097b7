"""Social workers: registry, assignments, filing, departures, the dishonesty list, pay ladders, import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.excel import xlsx_response
from shegong.core.export_views import export_options, export_page
from shegong.core.exports import Column, ExportSpec, register
from shegong.core.forms import submit
from shegong.core.importpage import import_page
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.params import int_param
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_messages
from shegong.network.models import ServiceNode
from shegong.regions.imports import template_for
from shegong.regions.selectors import region_choices

from .. import imports, selectors, services
from ..forms import (
    AssignmentForm,
    DepartureCompleteForm,
    DepartureForm,
    DishonestyForm,
    RevealForm,
    WorkerForm,
)
from ..models import (
    VOLUNTEER_TARGET_PER_WORKER,
    AssignmentFilingStatus,
    Certificate,
    Departure,
    PayLadder,
    SocialWorker,
    VolunteerStatus,
    WorkerAssignment,
    WorkerStatus,
)
from ._shared import _back, _reveal, _submit_and_report


def _worker_filters(request) -> dict:
    return {
        "status": request.GET.get("status", ""),
        "certificate": request.GET.get("certificate", ""),
        "under": request.GET.get("under", "").strip(),
        "node": int_param(request.GET.get("node")),
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
        **export_options(request, WORKER_EXPORT),
    }
    template = "people/_workers_table.html" if request.htmx else "people/workers.html"
    return render(request, template, context)


def _worker_rows(filters: dict, actor) -> list:
    workers = list(selectors.workers(**filters)[:50000])
    posts = selectors.current_posts([w.pk for w in workers])
    for w in workers:
        w.export_posts = "、".join(a.node.name for a in posts.get(w.pk, []))
    return workers


WORKER_EXPORT = register(
    ExportSpec(
        key="people.socialworker",
        title=gettext_lazy("社工"),
        permission="people.view",
        reveal_permission="people.reveal",
        filters=_worker_filters,
        rows=_worker_rows,
        columns=[
            Column(gettext_lazy("姓名"), lambda w: w.name),
            Column(gettext_lazy("身份证号"), lambda w: w.id_number, mask_id_number),
            Column(gettext_lazy("手机号"), lambda w: w.phone, mask_phone),
            Column(gettext_lazy("性别"), lambda w: w.get_gender_display()),
            Column(gettext_lazy("出生日期"), lambda w: w.birth_date),
            Column(gettext_lazy("学历"), lambda w: w.get_education_display()),
            Column(gettext_lazy("职业资格"), lambda w: w.get_certificate_display()),
            Column(gettext_lazy("证书编号"), lambda w: w.certificate_number),
            Column(gettext_lazy("取证日期"), lambda w: w.certificate_date),
            Column(gettext_lazy("用人机构"), lambda w: w.employer.name if w.employer else ""),
            Column(gettext_lazy("薪酬体系"), lambda w: w.pay_post.ladder.name if w.pay_post else ""),
            Column(gettext_lazy("薪酬岗位"), lambda w: w.pay_post.name if w.pay_post else ""),
            Column(gettext_lazy("薪级"), lambda w: w.pay_grade),
            Column(gettext_lazy("状态"), lambda w: w.get_status_display()),
            Column(gettext_lazy("登记区划"), lambda w: w.region.name),
            Column(gettext_lazy("在岗阵地"), lambda w: w.export_posts),
            Column(gettext_lazy("招募志愿者"), lambda w: w.recruit_count),
        ],
    )
)


@login_required
def worker_export(request):
    return export_page(request, WORKER_EXPORT)


def _worker_context(request, worker: SocialWorker, assignment_form=None) -> dict:
    today = timezone.localdate()
    assignments = selectors.with_policies(worker.assignments.select_related("node").order_by("-start_date"))
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
        # What higher apps show on the page (training history, supervision): rendered HTML, never imported here.
        "sections": [html for html in selectors.WORKER_SECTIONS.results(request, worker) if html],
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
    worker = submit(
        request, form, lambda form: services.worker_create(actor=request.actor, data=form.service_data())
    )
    if worker is not None:
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
    saved = submit(
        request,
        form,
        lambda form: services.worker_update(actor=request.actor, worker=worker, data=form.service_data()),
    )
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect("people:worker_detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("编辑社工档案"), "back": reverse("people:worker_detail", args=[pk])},
    )


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
    assignment = submit(
        request,
        form,
        lambda form: services.assignment_create(actor=request.actor, worker=worker, **form.cleaned_data),
    )
    if assignment is not None:
        messages.success(request, _("已安排岗位。请在 7 天内完成备案。"))
        return redirect("people:worker_detail", pk=pk)
    # Show the worker page again with the refusal and what was typed.
    return render(
        request, "people/worker_detail.html", _worker_context(request, _fetch_worker(pk), form), status=422
    )


@login_required
@require_POST
def filing_submit(request, pk: int):
    assignment = get_scoped_or_404(WorkerAssignment, pk=pk)
    filed = _submit_and_report(
        request, None, lambda form: services.filing_submit(actor=request.actor, assignment=assignment)
    )
    if filed is not None:
        messages.success(request, _("已报备，待民政部门确认。"))
    return redirect(_back(request, reverse("people:worker_detail", args=[assignment.worker_id])))


@login_required
@require_POST
def filing_confirm(request, pk: int):
    assignment = get_scoped_or_404(WorkerAssignment, pk=pk)
    confirmed = _submit_and_report(
        request, None, lambda form: services.filing_confirm(actor=request.actor, assignment=assignment)
    )
    if confirmed is not None:
        messages.success(request, _("已确认备案。"))
    return redirect(_back(request, reverse("people:worker_detail", args=[assignment.worker_id])))


@login_required
def filing_list(request):
    request.actor.require("people.view")
    filters = {
        "state": request.GET.get("state", "overdue"),
        "under": request.GET.get("under", "").strip(),
        "node": int_param(request.GET.get("node")),
    }
    today = timezone.localdate()
    page = Paginator(selectors.filings(**filters, today=today), 30).get_page(request.GET.get("page"))
    for a in selectors.with_policies(page):
        a.is_overdue = a.filing_overdue(today)
    stations = list(ServiceNode.objects.filter(level="station").order_by("region_code"))
    overdue = selectors.overdue_filings_by_station([s.pk for s in stations], today)
    context = {
        "page": page,
        "filters": filters,
        "states": [("overdue", _("逾期未备案"))] + list(AssignmentFilingStatus.choices),
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
    entry = _submit_and_report(
        request,
        DishonestyForm(request.POST),
        lambda form: services.dishonesty_add(actor=request.actor, worker=worker, **form.cleaned_data),
    )
    if entry is not None:
        messages.warning(
            request, _("已列入失信名单，%(d)s 前不得安排社会工作岗位。") % {"d": entry.bar_until}
        )
    return redirect("people:worker_detail", pk=pk)


@login_required
def departure_list(request):
    request.actor.require("people.view")
    filters = {"open_only": request.GET.get("open") == "1", "under": request.GET.get("under", "").strip()}
    page = Paginator(selectors.departures(**filters), 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for d in selectors.with_policies(page):
        d.breach_list = d.breaches(today)
    return render(request, "people/departures.html", {"page": page, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
def departure_create(request, pk: int):
    worker = get_scoped_or_404(SocialWorker, pk=pk)
    request.actor.require("people.change", worker.region_code)
    form = DepartureForm(request.POST or None, exclude=worker, initial={"notice_date": timezone.localdate()})
    departure = submit(
        request,
        form,
        lambda form: services.departure_notice(actor=request.actor, worker=worker, **form.cleaned_data),
    )
    if departure is not None:
        breaches = departure.breaches()
        if breaches:
            messages.warning(request, _("已登记离职申请，但存在问题：%(b)s") % {"b": join_messages(breaches)})
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
    completed = submit(
        request,
        form,
        lambda form: services.departure_complete(
            actor=request.actor, departure=departure, **form.cleaned_data
        ),
    )
    if completed is not None:
        breaches = completed.breaches()
        if breaches:
            messages.warning(request, _("已办结离职，存在问题：%(b)s") % {"b": join_messages(breaches)})
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
        kind="people.workers",
        region_choices=region_choices(request.actor.regions_with("people.import")),
        template_url=reverse("people:workers_template"),
    )


@login_required
def worker_template(request):
    request.actor.require("people.view")
    return xlsx_response(
        "社工导入模板.xlsx",
        template_for(imports.WORKER_SPEC, actor=request.actor, permission="people.import"),
    )

"""Project pages: thin — parse, scoped fetch, one service call, render. A refused write re-shows the project page
with the form as typed and the error on its field."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.forms import apply_errors
from shegong.core.pagination import paginate
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.core.uploads import SUFFIXES, read_upload
from shegong.orgs.models import Organisation
from shegong.regions.selectors import policy_for

from . import desk as desk_reads
from . import disclosure, selectors, services
from .forms import (
    BudgetForm,
    ClawBackForm,
    DocumentForm,
    ExpenditureForm,
    PaymentForm,
    ProjectForm,
    StaffForm,
    TargetForm,
)
from .models import (
    BudgetLine,
    Expenditure,
    Indicator,
    Project,
    ProjectDocument,
    ProjectField,
    ProjectStaff,
    ProjectState,
    Release,
)

FORMS = {
    "staff_form": StaffForm,
    "target_form": TargetForm,
    "budget_form": BudgetForm,
    "expenditure_form": ExpenditureForm,
    "payment_form": PaymentForm,
    "clawback_form": ClawBackForm,
    "document_form": DocumentForm,
}
PROJECT_FORMS = {"staff_form", "expenditure_form", "clawback_form"}


def _project(request, pk) -> Project:
    request.actor.require("projects.view")
    return get_scoped_or_404(Project.objects.select_related("operator", "buyer"), pk=pk)


@login_required
def project_list(request):
    request.actor.require("projects.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}
    paged = paginate(request, selectors.project_list(**filters), 30)
    page = paged["page"]
    return render(
        request,
        "projects/list.html",
        {
            **paged,
            "filters": filters,
            "states": ProjectState.choices,
            "fields": ProjectField.choices,
            "operators": Organisation.objects.filter(pk__in=Project.objects.values("operator_id")).order_by(
                "name"
            ),
            "query": request.GET.urlencode(),
            "can_create": request.actor.can("projects.change"),
            "overlaps": list(selectors.overlapping_workers()),
            # The running projects of this page behind their plan's pace: a tag on the row, as the filter reads.
            "behind": selectors.behind_of(page.object_list),
        },
    )


@login_required
def desk(request):
    """An operator organisation's desk (机构工作台): its running projects with what is behind, and what it owes the
    bureau now. Other roles read the projects through the list and the dashboards."""
    request.actor.require("projects.view")
    if "operator" not in request.actor.roles:
        return redirect("projects:list")
    today = timezone.localdate()
    return render(
        request,
        "projects/desk.html",
        {
            "desk": desk_reads.desk(today=today),
            "organisations": Organisation.objects.filter(pk__in=request.actor.organisations()).order_by(
                "name"
            ),
            "today": today,
            "can_finance": request.actor.can("projects.finance"),
        },
    )


@login_required
def project_create(request):
    request.actor.require("projects.change")
    form = ProjectForm(request.POST or None, demand_regions=request.actor.scope.region_codes)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in form.Meta.fields}
        data["demand_codes"] = list(form.cleaned_data.get("demand_codes") or [])
        for name in ("contract_amount", "government_funds", "charity_funds"):
            data[name] = form.cleaned_data.get(name) or "0"
        try:
            project = services.project_create(
                actor=request.actor,
                data=data,
                buyer=form.cleaned_data["buyer"],
                operator=form.cleaned_data["operator"],
                service_regions=list(form.cleaned_data["service_regions"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已发布"))
            return redirect("projects:detail", project.pk)
    return render(request, "projects/form.html", {"form": form})


def _detail_context(request, project: Project, **bound) -> dict:
    today = timezone.localdate()
    actor, code = request.actor, project.region_code
    rows = selectors.staff_rows(project, today=today)
    view = selectors.budget(project, today=today)
    forms = {}
    for name, cls in FORMS.items():
        if name in bound:
            forms[name] = bound[name]
        else:
            forms[name] = cls(project=project) if name in PROJECT_FORMS else cls()
    next_steps = [
        (state, _(label))
        for state, (from_state, permission) in services.STEPS.items()
        for label in [services.STEP_LABELS[state]]
        if from_state == project.state and actor.can(permission, code)
    ]
    next_state = next(
        (state for state, (from_state, _p) in services.STEPS.items() if from_state == project.state), None
    )
    policy = policy_for(project.region_code)
    return {
        "project": project,
        "today": today,
        "regions": list(project.service_regions.all()),
        "progress": selectors.progress(project, today=today),
        "demands": selectors.project_demands(project, today=today),
        "staff_rows": rows,
        "staffing": selectors.staffing_check(project, rows),
        "budget": view,
        "chart": selectors.budget_chart(project, view),
        "lines_chart": selectors.budget_lines_chart(view),
        "expenditures": project.expenditures.select_related("line", "voucher")[:20],
        "waiting": selectors.pending_expenditures(project),
        "documents": selectors.documents(project),
        "required_document": services.missing_document(project, next_state) if next_state else None,
        "breaches": [
            (s, services.breach_labels(s.breaches, policy)) for s in selectors.breached_staff(project)
        ],
        "policy": policy,
        "payments": project.payments.all(),
        "clawbacks": project.clawbacks.all(),
        "releases": project.releases.all(),
        "transitions": project.transitions.select_related("by"),
        "next_steps": next_steps,
        "next_release": disclosure.next_due(today),
        "can": {
            "approve": actor.can("projects.approve", code) and project.state not in ("closed", "terminated"),
            "change": actor.can("projects.change", code),
            "staff": actor.can("projects.staff", code),
            "spend": actor.can("projects.spend", code),
            "clawback": actor.can("projects.clawback", code),
            "disclose": actor.can("projects.disclose", code),
            "file": actor.can("filing.submit", code),
            "confirm": actor.can("filing.confirm", code),
            "finance": actor.can("projects.finance", code),
            "documents": actor.can("projects.documents", code),
        },
        **forms,
    }


@login_required
def project_detail(request, pk):
    project = _project(request, pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


def _post(request, pk, form_name, action, success):
    """Bind the named form, run the service; on a refusal re-show the page with the form as typed."""
    project = _project(request, pk)
    cls = FORMS[form_name]
    form = (
        cls(request.POST, request.FILES, project=project)
        if form_name in PROJECT_FORMS
        else cls(request.POST, request.FILES)
    )
    if form.is_valid():
        try:
            action(project, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("projects:detail", project.pk)
    response = render(request, "projects/detail.html", _detail_context(request, project, **{form_name: form}))
    response.status_code = 422
    return response


@login_required
@require_POST
def staff_add(request, pk):
    def action(project, data):
        worker = data["worker"]
        services.staff_add(
            actor=request.actor,
            project=project,
            worker=worker,
            role=data["role"],
            start_date=data["start_date"],
        )

    return _post(request, pk, "staff_form", action, _("已添加项目人员"))


@login_required
@require_POST
def target_set(request, pk):
    def action(project, data):
        services.target_set(
            actor=request.actor, project=project, indicator=data["indicator"], quantity=data["quantity"]
        )

    return _post(request, pk, "target_form", action, _("指标已保存"))


@login_required
@require_POST
def budget_set(request, pk):
    def action(project, data):
        services.budget_line_set(
            actor=request.actor, project=project, category=data["category"], amount=data["amount"]
        )

    return _post(request, pk, "budget_form", action, _("预算已保存"))


@login_required
@require_POST
def expenditure_add(request, pk):
    def action(project, data):
        line = get_scoped_or_404(BudgetLine.objects.filter(project=project), pk=data["line"])
        services.expenditure_record(
            actor=request.actor,
            project=project,
            line=line,
            amount=data["amount"],
            spent_on=data["spent_on"],
            description=data["description"],
            voucher=read_upload(data.get("voucher")),
            voucher_number=data["voucher_number"],
        )

    return _post(request, pk, "expenditure_form", action, _("支出已登记，等待机构财务审核"))


@login_required
@require_POST
def document_upload(request, pk):
    def action(project, data):
        services.document_upload(
            actor=request.actor,
            project=project,
            doc_type=data["doc_type"],
            upload=read_upload(data.get("file")),
            note=data.get("note", ""),
        )

    return _post(request, pk, "document_form", action, _("文件已上传"))


@login_required
def document_download(request, pk, document_pk):
    """A document's bytes, only to someone who may see the project (the same 404 otherwise); audited."""
    project = _project(request, pk)
    document = get_scoped_or_404(ProjectDocument.objects.filter(project=project), pk=document_pk)
    services.document_download(actor=request.actor, document=document, request=request)
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    suffix = SUFFIXES.get(document.content_type, "bin")
    response["Content-Disposition"] = (
        f'attachment; filename="{project.code}-{document.doc_type}-v{document.version}.{suffix}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def expenditure_action(request, pk, expenditure_pk):
    project = _project(request, pk)
    expenditure = get_scoped_or_404(Expenditure.objects.filter(project=project), pk=expenditure_pk)
    what = request.POST.get("action")
    calls = {
        "approve": lambda: services.expenditure_approve(actor=request.actor, expenditure=expenditure),
        "review": lambda: services.expenditure_review(actor=request.actor, expenditure=expenditure),
        "reject": lambda: services.expenditure_reject(
            actor=request.actor, expenditure=expenditure, note=request.POST.get("note", "")
        ),
    }
    if what not in calls:
        raise Http404
    return _simple_post(request, project, calls[what], _("已更新"))


@login_required
@require_POST
def payment_add(request, pk):
    def action(project, data):
        services.payment_record(
            actor=request.actor,
            project=project,
            milestone=data["milestone"],
            amount=data["amount"],
            paid_on=data["paid_on"],
        )

    return _post(request, pk, "payment_form", action, _("拨款已登记"))


@login_required
@require_POST
def clawback_add(request, pk):
    def action(project, data):
        staff = None
        if data.get("staff"):
            staff = get_scoped_or_404(ProjectStaff.objects.filter(project=project), pk=data["staff"])
        services.clawback_record(
            actor=request.actor,
            project=project,
            amount=data["amount"],
            reason=data["reason"],
            staff=staff,
            list_worker=data["list_worker"],
        )

    return _post(request, pk, "clawback_form", action, _("资金追回已登记"))


def _simple_post(request, project, call, success):
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("projects:detail", project.pk)


@login_required
@require_POST
def transition(request, pk):
    project = _project(request, pk)
    return _simple_post(
        request,
        project,
        lambda: services.project_transition(
            actor=request.actor,
            project=project,
            to_state=request.POST.get("to_state", ""),
            note=request.POST.get("note", ""),
        ),
        _("项目阶段已更新"),
    )


def _date(value):
    """A date typed on the page, or None for a blank or malformed one (the service names the field)."""
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
@require_POST
def staff_action(request, pk, staff_pk):
    project = _project(request, pk)
    staff = get_scoped_or_404(ProjectStaff.objects.filter(project=project), pk=staff_pk)
    what = request.POST.get("action")
    replacement = None
    if (replacement_id := as_int(request.POST.get("replacement"))) is not None:
        replacement = get_scoped_or_404(ProjectStaff.objects.filter(project=project), pk=replacement_id)
    calls = {
        "submit": lambda: services.staff_filing_submit(actor=request.actor, staff=staff),
        "confirm": lambda: services.staff_filing_confirm(actor=request.actor, staff=staff),
        "notice": lambda: services.staff_notice(
            actor=request.actor, staff=staff, notice_date=_date(request.POST.get("notice_date"))
        ),
        "end": lambda: services.staff_end(
            actor=request.actor,
            staff=staff,
            end_date=_date(request.POST.get("end_date")) or timezone.localdate(),
            replacement=replacement,
        ),
    }
    if what not in calls:
        raise Http404
    return _simple_post(request, project, calls[what], _("已更新"))


@login_required
def drilldown(request, pk):
    project = _project(request, pk)
    indicator = request.GET.get("indicator", "")
    if indicator not in Indicator.values:
        raise Http404
    since, until = selectors.drill_period(project, indicator)
    actual = selectors.actual_of(project, indicator, since, until)
    # A year of visits is thousands of rows: a page of them at a time, so a phone is not handed them all at once.
    paged = paginate(request, selectors.drilldown(project, indicator), 100)
    page = paged["page"]
    return render(
        request,
        "projects/drilldown.html",
        {
            "project": project,
            "indicator": Indicator(indicator),
            "since": since,
            "until": until,
            "actual": actual,
            "rows": page.object_list,
            "hidden": selectors.linked_count(project, indicator) - page.paginator.count,
            **paged,
        },
    )


@login_required
@require_POST
def release_correct(request, pk, release_pk):
    project = _project(request, pk)
    release = get_scoped_or_404(Release.objects.filter(project=project), pk=release_pk)
    return _simple_post(
        request,
        project,
        lambda: services.release_correct(
            actor=request.actor, release=release, note=request.POST.get("note", "")
        ),
        _("已发布更正版本"),
    )


@login_required
def project_export(request):
    request.actor.require("projects.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}
    headers = [
        _("项目编号"),
        _("项目名称"),
        _("购买方"),
        _("承接机构"),
        _("类型"),
        _("领域"),
        _("阶段"),
        _("开始"),
        _("结束"),
        _("合同金额（元）"),
        *[_("%(indicator)s·关联记录") % {"indicator": Indicator(i).label} for i in selectors.EXPORTED],
    ]
    projects = list(selectors.project_list(**filters))
    actuals = selectors.actuals_by_project(p.pk for p in projects)
    rows = [
        [
            p.code,
            p.name,
            p.buyer_name,
            p.operator.name,
            p.get_kind_display(),
            p.get_field_display(),
            p.get_state_display(),
            p.starts_on,
            p.ends_on,
            p.contract_amount,
            *[actuals[p.pk][i] for i in selectors.EXPORTED],
        ]
        for p in projects
    ]
    from shegong.audit.services import record

    record("export", actor=request.actor, changes={"what": "projects", "rows": len(rows)}, request=request)
    return xlsx_response("projects.xlsx", build_workbook(_("购买服务项目"), headers, rows))

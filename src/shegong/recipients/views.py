from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core import importjobs, rosters
from shegong.core.excel import xlsx_response
from shegong.core.export_views import export_options, export_page
from shegong.core.forms import apply_errors
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.pagination import paginate
from shegong.core.regioncodes import RegionCodeError, normalise
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_messages
from shegong.people.models import SocialWorker
from shegong.regions.imports import template_for
from shegong.regions.models import Region
from shegong.regions.selectors import area_choices, region_from_request, village_choices

from . import care, imports, selectors, services
from .care import rules as care_rules
from .exports import RECIPIENT_EXPORT
from .forms import (
    AssessmentForm,
    CategoryForm,
    EventForm,
    EventHoursForm,
    HouseholdForm,
    ImportForm,
    MembershipForm,
    RecipientForm,
    RevealForm,
    RiskForm,
    RuleFormSet,
    StatusForm,
)
from .models import (
    Category,
    CategoryMembership,
    Frequency,
    Recipient,
    RecipientStatus,
    RiskTier,
    VisitRule,
)


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}


# The filters folded behind "筛选" on a phone, whose number set its toggle shows (the search box stays out, the
# order is not a filter).
PANEL_FILTERS = ("status", "risk", "category", "under", "village", "worker", "due")


@login_required
def recipient_list(request):
    request.actor.require("recipients.view")
    filters = _filters(request)
    paged = paginate(request, selectors.recipients(**filters), 30)
    areas = request.actor.regions_with("recipients.view")
    context = {
        **paged,
        "filters": filters,
        "active_filters": sum(1 for name in PANEL_FILTERS if filters.get(name)),
        "townships": area_choices(areas),
        "villages": village_choices(areas),
        # The workers responsible for recipients the actor may see (a relationship-bound role sees only its own).
        "workers": SocialWorker.objects.filter(pk__in=Recipient.objects.values("worker_id"))
        .order_by("name")
        .only("pk", "name"),
        "sorts": [
            ("", _("按风险等级")),
            ("due", _("按下次应访日期")),
            ("name", _("按姓名")),
            ("-due", _("按下次应访日期（倒序）")),
        ],
        "statuses": RecipientStatus.choices,
        "tiers": RiskTier.choices,
        "categories": Category.objects.filter(active=True),
        "today": timezone.localdate(),
        "can_change": request.actor.can("recipients.change"),
        "can_import": request.actor.can("recipients.import"),
        "can_export": request.actor.can("recipients.export"),
        "query": request.GET.urlencode(),
        **export_options(request, RECIPIENT_EXPORT),
    }
    template = "recipients/_table.html" if request.htmx else "recipients/list.html"
    return render(request, template, context)


@login_required
def recipient_export(request):
    return export_page(request, RECIPIENT_EXPORT)


def _form_page(request, form, title, recipient=None):
    return render(request, "recipients/form.html", {"form": form, "title": title, "recipient": recipient})


@login_required
@require_http_methods(["GET", "POST"])
def recipient_create(request):
    request.actor.require("recipients.change")
    form = RecipientForm(
        request.POST or None,
        initial={"region": request.GET.get("region", "")},
        villages=village_choices(request.actor.regions_with("recipients.change")),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        categories = [
            {"category": c, "start_on": timezone.localdate(), "authority": data["category_authority"]}
            for c in data["categories"]
        ]
        try:
            recipient = services.recipient_create(
                actor=request.actor,
                categories=categories,
                risk_tier=data["risk_tier"],
                risk_reason=data["risk_reason"],
                data={
                    k: data[k] for k in ("name", "id_number", "phone", "region", "address", "worker", "notes")
                },
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已为%(name)s建档。") % {"name": recipient.name})
            return redirect("recipients:detail", pk=recipient.pk)
    return _form_page(request, form, _("新建服务对象档案"))


@login_required
@require_http_methods(["GET", "POST"])
def recipient_edit(request, pk: int):
    recipient = services.fetch(pk)
    request.actor.require("recipients.change", recipient.region_code)
    initial = {
        "name": recipient.name,
        "phone": recipient.phone,
        "region": recipient.region_id,
        "address": recipient.address,
        "worker": recipient.worker_id,
        "notes": recipient.notes,
    }
    form = RecipientForm(
        request.POST or None,
        initial=initial,
        editing=True,
        villages=village_choices(request.actor.regions_with("recipients.change")),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_update(actor=request.actor, recipient=recipient, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("recipients:detail", pk=pk)
    return _form_page(request, form, _("编辑档案"), recipient)


def _detail(request, recipient, status=200, **forms):
    today = timezone.localdate()
    context = {
        "r": recipient,
        "masked_id": mask_id_number(recipient.id_number),
        "frequency_label": Frequency(recipient.frequency).label
        if recipient.frequency in Frequency.values
        else "",
        "masked_phone": mask_phone(recipient.phone),
        "memberships": recipient.memberships.select_related("category").all(),
        "household": recipient.household.all(),
        "assessments": recipient.assessments.all()[:5],
        "events": recipient.events.all()[:5],
        "recent": selectors.timeline(recipient, limit=8),
        "today": today,
        "can_change": request.actor.can("recipients.change", recipient.region_code),
        "can_reveal": request.actor.can("recipients.reveal", recipient.region_code),
        "can_visit": request.actor.can("visits.record", recipient.region_code) and recipient.is_open,
        "actions": [a for found in selectors.RECIPIENT_ACTIONS.results(request, recipient) for a in found],
        "status_form": forms.get("status_form") or StatusForm(initial={"status": recipient.status}),
        "risk_form": forms.get("risk_form")
        or RiskForm(
            initial={
                "risk_tier": recipient.risk_tier,
                "risk_reason": recipient.risk_reason,
                "risk_review_on": recipient.risk_review_on,
            }
        ),
        "membership_form": forms.get("membership_form") or MembershipForm(initial={"start_on": today}),
        "household_form": forms.get("household_form") or HouseholdForm(),
        "assessment_form": forms.get("assessment_form") or AssessmentForm(initial={"assessed_on": today}),
        "event_form": forms.get("event_form")
        or EventForm(initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
        "revealed": forms.get("revealed"),
        "open_panel": forms.get("open_panel", ""),
    }
    return render(request, "recipients/detail.html", context, status=status)


@login_required
def recipient_detail(request, pk: int):
    request.actor.require("recipients.view")
    return _detail(request, services.fetch(pk))


@login_required
def recipient_timeline(request, pk: int):
    request.actor.require("recipients.view")
    recipient = services.fetch(pk)
    return render(
        request, "recipients/timeline.html", {"r": recipient, "events": selectors.timeline(recipient)}
    )


def _sub_action(request, pk, form_class, form_key, call, success):
    """A small form on the file page: on error the page comes back with the form, its input and the message."""
    recipient = services.fetch(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(recipient, form)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("recipients:detail", pk=pk)
    return _detail(request, recipient, status=200, **{form_key: form, "open_panel": form_key})


@login_required
@require_POST
def recipient_status(request, pk: int):
    return _sub_action(
        request,
        pk,
        StatusForm,
        "status_form",
        lambda r, f: services.recipient_set_status(
            actor=request.actor,
            recipient=r,
            status=f.cleaned_data["status"],
            note=f.cleaned_data["status_note"],
        ),
        _("状态已更新。"),
    )


@login_required
@require_POST
def recipient_risk(request, pk: int):
    return _sub_action(
        request,
        pk,
        RiskForm,
        "risk_form",
        lambda r, f: services.risk_set(
            actor=request.actor,
            recipient=r,
            tier=f.cleaned_data["risk_tier"],
            reason=f.cleaned_data["risk_reason"],
            review_on=f.cleaned_data["risk_review_on"],
        ),
        _("风险等级已更新。"),
    )


@login_required
@require_POST
def membership_add(request, pk: int):
    return _sub_action(
        request,
        pk,
        MembershipForm,
        "membership_form",
        lambda r, f: services.membership_add(actor=request.actor, recipient=r, **f.cleaned_data),
        _("已添加类别认定。"),
    )


@login_required
@require_POST
def membership_end(request, pk: int, membership_id: int):
    recipient = services.fetch(pk)
    membership = get_scoped_or_404(CategoryMembership.objects.filter(recipient=recipient), pk=membership_id)
    try:
        services.membership_end(actor=request.actor, membership=membership, end_on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    else:
        messages.success(request, _("已终止该类别。"))
    return redirect("recipients:detail", pk=pk)


@login_required
@require_POST
def household_add(request, pk: int):
    return _sub_action(
        request,
        pk,
        HouseholdForm,
        "household_form",
        lambda r, f: services.household_add(actor=request.actor, recipient=r, **f.cleaned_data),
        _("已登记。"),
    )


@login_required
@require_POST
def assessment_add(request, pk: int):
    return _sub_action(
        request,
        pk,
        AssessmentForm,
        "assessment_form",
        lambda r, f: services.assessment_add(
            actor=request.actor,
            recipient=r,
            assessed_on=f.cleaned_data["assessed_on"],
            scores=f.scores(),
            summary=f.cleaned_data["summary"],
        ),
        _("已保存需求评估。"),
    )


@login_required
@require_POST
def event_add(request, pk: int):
    return _sub_action(
        request,
        pk,
        EventForm,
        "event_form",
        lambda r, f: services.event_record(actor=request.actor, recipient=r, **f.cleaned_data),
        _("已登记重大变故，须在时限内探访。"),
    )


@login_required
@require_POST
def recipient_reveal(request, pk: int):
    recipient = services.fetch(pk)
    request.actor.require("recipients.reveal", recipient.region_code)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            value = services.reveal(
                actor=request.actor,
                recipient=recipient,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            revealed = {"field": form.cleaned_data["field"], "value": value}
    return _detail(request, recipient, reveal_form=form, revealed=revealed, open_panel="reveal_form")


# Import ----------------------------------------------------------------------------------------------------------


@login_required
def import_template(request):
    request.actor.require("recipients.import")
    template = template_for(imports.roster_spec(), actor=request.actor, permission="recipients.import")
    return xlsx_response(_("服务对象名册模板.xlsx"), template)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    request.actor.require("recipients.import")
    regions = request.actor.regions_with("recipients.import")
    form = ImportForm(request.POST or None, request.FILES or None, areas=area_choices(regions))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            code = normalise(form.cleaned_data["region"])
        except RegionCodeError as exc:
            form.add_error("region", str(exc))
        else:
            if not Region.objects.filter(code=code).exists() or not request.actor.can(
                "recipients.import", code
            ):
                form.add_error("region", _("区划 %(c)s 不存在或您无权向其导入") % {"c": code})
            elif not upload.name.lower().endswith(rosters.ACCEPTED_SUFFIXES):
                form.add_error("file", _("请上传 .xlsx、.xls 或 .csv 格式的文件"))
            elif upload.size > 30 * 1024 * 1024:
                form.add_error("file", _("文件不能超过 30 MB"))
            else:
                job = importjobs.start(
                    kind="recipients.roster",
                    actor=request.actor,
                    region_code=code,
                    filename=upload.name,
                    content=upload.read(),
                )
                return redirect("imports:status", pk=job.pk)
    return render(request, "recipients/import.html", {"form": form})


# The category dictionary -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request):
    request.actor.require("recipients.view")
    can_change = request.actor.can("policy.change")
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        request.actor.require("policy.change")
        if form.is_valid():
            category = services.category_create(actor=request.actor, category=form.save(commit=False))
            messages.success(request, _("已添加类别“%(n)s”。") % {"n": category.name})
            return redirect("recipients:categories")
    return render(
        request,
        "recipients/categories.html",
        {"categories": Category.objects.all(), "form": form, "can_change": can_change},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    request.actor.require("recipients.view")
    region = region_from_request(request)
    table = care.rule_table(region.code)
    own = list(VisitRule.objects.filter(region=region).select_related("category"))
    can_change = request.actor.can("policy.change", region.code)
    initial = [{"category": r.category_id, "risk_tier": r.risk_tier, "frequency": r.frequency} for r in own]
    formset = RuleFormSet(request.POST or None, initial=initial, prefix="rule")
    hours_form = EventHoursForm(request.POST or None, initial={"event_hours": table.event_hours})
    if request.method == "POST":
        request.actor.require("policy.change", region.code)
        if request.POST.get("reset"):
            care_rules.rules_reset(actor=request.actor, region=region)
            messages.success(request, _("已恢复默认规则。"))
            return redirect(f"{request.path}?region={region.code}")
        if formset.is_valid() and hours_form.is_valid():
            rows = [
                {
                    "category": f.cleaned_data.get("category"),
                    "risk_tier": f.cleaned_data.get("risk_tier"),
                    "frequency": f.cleaned_data.get("frequency"),
                }
                for f in formset.forms
                if f.cleaned_data.get("frequency")
            ]
            try:
                care_rules.rules_replace(
                    actor=request.actor,
                    region=region,
                    rules=rows,
                    event_hours=hours_form.cleaned_data["event_hours"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("规则已保存，辖区内服务对象的应访日期已重新计算。"))
                return redirect(f"{request.path}?region={region.code}")
    return render(
        request,
        "recipients/rules.html",
        {
            "region": region,
            "table": table,
            "own": own,
            "formset": formset,
            "hours_form": hours_form,
            "can_change": can_change,
            "inherited": table.region_code != region.code,
        },
    )

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.export_views import export_options, export_page
from shegong.core.fields import blind_index_for
from shegong.core.forms import apply_errors
from shegong.core.identity import normalise_id_number
from shegong.core.pagination import paginate
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.orgs.models import Organisation
from shegong.people.models import SocialWorker
from shegong.recipients.models import Recipient
from shegong.recipients.services import fetch as fetch_recipient
from shegong.regions.selectors import area_choices, policy_for

from . import access, forms, selectors, services
from .exports import CASE_EXPORT
from .models import Approval, Goal, InterventionNote, Referral, Stage, Transfer
from .rules import due_steps


@login_required
def case_list(request):
    request.actor.require("cases.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}
    paged = paginate(request, selectors.cases(**filters), 50)
    page = paged["page"]
    today = timezone.localdate()
    return render(
        request,
        "cases/list.html",
        {
            "filters": filters,
            **paged,
            "rows": selectors.with_due_steps(page.object_list, today),
            "stages": Stage.choices,
            "workers": SocialWorker.objects.filter(pk__in=selectors.Case.objects.values("worker_id"))
            .order_by("name")
            .only("pk", "name"),
            "townships": area_choices(request.actor.regions_with("cases.view")),
            "query": request.GET.urlencode(),
            "can_open": request.actor.can("cases.change"),
            "can_export": request.actor.can("cases.export"),
            "approvals": len(selectors.approval_queue(request.actor))
            if request.actor.can("cases.approve")
            else 0,
            "offers": len(selectors.transfer_inbox(request.actor)),
            **export_options(request, CASE_EXPORT),
        },
    )


@login_required
def case_export(request):
    return export_page(request, CASE_EXPORT)


def _station_workers(station):
    from shegong.core.regioncodes import subtree_prefix

    return list(
        SocialWorker.objects.filter(
            region_code__startswith=subtree_prefix(station.region_code), status="active"
        )
        .select_related("region")
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    """Open a case (接案): for the recipient in ``?recipient=``, or for a resident not yet registered."""
    request.actor.require("cases.change")
    raw = request.POST.get("recipient") or request.GET.get("recipient") or ""
    recipient = fetch_recipient(recipient_id) if (recipient_id := as_int(raw)) is not None else None
    me = access.worker_of(request.actor)
    station = services.station_of_worker(me) if me is not None else None
    if station is None and recipient is not None and recipient.station_id:
        station = recipient.station
    if station is None:
        station = ServiceNode.objects.filter(level=NodeLevel.STATION).order_by("region_code").first()
    workers = [] if me is not None else (_station_workers(station) if station else [])
    form = forms.OpenForm(
        request.POST or None,
        workers=workers,
        worker_id=me.pk if me is not None else None,
        initial={"recipient": recipient.pk if recipient else None},
    )
    if recipient is not None:
        del form.fields["resident_name"], form.fields["resident_birth_date"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data, recipient=recipient)
        worker = me
        if me is None and form.cleaned_data.get("worker"):
            worker = next((w for w in workers if w.pk == form.cleaned_data["worker"]), None)
        try:
            if station is None:
                raise ValidationError({"station": [_("没有可开案的社工站")]})
            case = services.case_open(actor=request.actor, station=station, worker=worker, data=data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已接案，个案编号 %(n)s。") % {"n": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/new.html", {"form": form, "recipient": recipient, "station": station, "me": me}
    )


def _detail_context(request, case, **bound) -> dict:
    actor = request.actor
    revealed = bound.pop("revealed", False)
    can_read = access.can_read_notes(actor, case) or revealed
    can_work = access.can_work_on(actor, case)
    goals = list(Goal.objects.filter(case=case).select_related("evaluation")) if can_read else []
    for goal in goals:
        try:
            goal.evaluation  # noqa: B018 - fetched with the goal
        except Goal.evaluation.RelatedObjectDoesNotExist:
            goal.evaluation = None
    plan = getattr(case, "plan", None) if can_read and hasattr(case, "plan") else None
    closing = getattr(case, "closing", None) if hasattr(case, "closing") else None
    pending = next((a for a in case.approvals.all() if a.decision == Approval.Decision.PENDING), None)
    today = timezone.localdate()
    steps = due_steps(case, policy_for(case.region_code))
    context = {
        "case": case,
        "can_read": can_read,
        "revealed": revealed,
        "can_work": can_work,
        "can_reveal": not can_read and actor.can("cases.reveal", case.region_code),
        "can_decide": pending is not None and access.is_approver(actor, case),
        "pending": pending,
        "approvals": list(case.approvals.select_related("decided_by", "created_by")),
        "assessments": list(case.assessments.all()) if can_read else [],
        "plan": plan,
        "goals": goals,
        "notes": list(InterventionNote.objects.filter(case=case).order_by("-noted_on", "-pk")[:100])
        if can_read
        else [],
        "note_count": InterventionNote.objects.filter(case=case).count(),
        "closing": closing if can_read else None,
        "transfers": list(case.transfers.select_related("to_worker", "from_worker")),
        "referrals": list(case.referrals.select_related("organisation")),
        "steps": [(s, s.due_on < today) for s in steps],
        "stages": [
            (v, label)
            for v, label in Stage.choices
            if v in ("intake", "assessment", "plan", "intervention", "evaluation", "closed")
        ],
        "stage_index": [v for v, _l in Stage.choices].index(case.stage),
        "today": today,
        "open_panel": bound.pop("open_panel", ""),
    }
    if can_work:
        context.update(
            decline_form=forms.DeclineForm(),
            link_form=forms.LinkForm(),
            assessment_form=forms.AssessmentForm(),
            plan_form=forms.PlanForm(goals=goals, initial={"text": plan.text if plan else ""}),
            evaluation_form=forms.EvaluationForm(goals=goals),
            closing_form=forms.ClosingForm(
                initial={"reason": closing.reason, "summary": closing.summary}
                if closing and can_read
                else None
            ),
            transfer_form=forms.TransferForm(
                workers=[w for w in _transfer_workers() if w.pk != case.worker_id]
            ),
            referral_form=forms.ReferralForm(organisations=Organisation.objects.order_by("name")[:200]),
            outcome_form=forms.OutcomeForm(),
        )
    context["decision_form"] = forms.DecisionForm()
    context["reveal_form"] = forms.RevealForm()
    context.update(bound)
    return context


def _transfer_workers():
    return list(
        SocialWorker.objects.filter(status="active", user__isnull=False)
        .select_related("region")
        .order_by("region_code", "name")[:300]
    )


@login_required
def case_detail(request, pk: int):
    request.actor.require("cases.view")
    case = services.fetch(pk)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _rerender(request, case, key, form):
    return render(
        request, "cases/detail.html", _detail_context(request, case, **{key: form, "open_panel": key})
    )


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """One step on the case page; an error brings the page back with the step's form, its input and the message."""
    case = services.fetch(pk)
    actor = request.actor
    actions = {
        "decline": (
            "decline_form",
            lambda f: forms.DeclineForm(f),
            lambda form: services.case_decline(actor=actor, case=case, **form.cleaned_data),
            _("已登记不予接案。"),
        ),
        "link": (
            "link_form",
            lambda f: forms.LinkForm(f),
            lambda form: _link(actor, case, form),
            _("已关联服务对象。"),
        ),
        "assess": (
            "assessment_form",
            lambda f: forms.AssessmentForm(f),
            lambda form: services.case_assess(
                actor=actor, case=case, data={**form.cleaned_data, "scores": form.scores()}
            ),
            _("已保存预估。"),
        ),
        "plan": (
            "plan_form",
            lambda f: forms.PlanForm(f, goals=list(Goal.objects.filter(case=case))),
            lambda form: services.case_plan_save(
                actor=actor, case=case, text=form.cleaned_data["text"], goals=form.goals()
            ),
            _("已保存服务计划，可提交审批。"),
        ),
        "submit": (
            "plan_form",
            lambda f: forms.DecisionForm(f),
            lambda form: services.case_plan_submit(actor=actor, case=case),
            _("服务计划已提交审批。"),
        ),
        "review": (
            "plan_form",
            lambda f: forms.DecisionForm(f),
            lambda form: services.case_plan_review(actor=actor, case=case),
            _("已记录计划复核。"),
        ),
        "evaluate": (
            "evaluation_form",
            lambda f: forms.EvaluationForm(f, goals=list(Goal.objects.filter(case=case))),
            lambda form: services.case_evaluate(actor=actor, case=case, results=form.results()),
            _("已保存目标评估。"),
        ),
        "close": (
            "closing_form",
            lambda f: forms.ClosingForm(f),
            lambda form: services.case_closing_request(actor=actor, case=case, **form.cleaned_data),
            _("已申请结案，等待审批。"),
        ),
        "transfer": (
            "transfer_form",
            lambda f: forms.TransferForm(f, workers=_transfer_workers()),
            lambda form: services.case_transfer_request(
                actor=actor, case=case, to_worker=_worker(form), reason=form.cleaned_data["reason"]
            ),
            _("已发起转移，对方接收前个案仍由您负责。"),
        ),
        "refer": (
            "referral_form",
            lambda f: forms.ReferralForm(f, organisations=Organisation.objects.order_by("name")[:200]),
            lambda form: services.case_refer(actor=actor, case=case, data=_referral_data(form)),
            _("已登记转介。"),
        ),
    }
    if action == "reveal":
        form = forms.RevealForm(request.POST)
        if form.is_valid():
            try:
                services.case_reveal(actor=actor, case=case, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return render(request, "cases/detail.html", _detail_context(request, case, revealed=True))
        return _rerender(request, case, "reveal_form", form)
    if action not in actions:
        raise Http404
    key, build, call, success = actions[action]
    form = build(request.POST)
    if form.is_valid():
        try:
            call(form)
        except ValidationError as exc:
            if key == "plan_form" and not isinstance(form, forms.PlanForm):
                messages.error(request, " ".join(exc.messages))
                return redirect("cases:detail", pk=case.pk)
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("cases:detail", pk=case.pk)
    return _rerender(request, case, key, form)


def _worker(form):
    pk = form.cleaned_data.get("to_worker")
    return SocialWorker.objects.filter(pk=pk).first() if pk else None


def _referral_data(form) -> dict:
    data = dict(form.cleaned_data)
    if data.get("organisation"):
        data["organisation"] = get_scoped_or_404(Organisation, pk=data["organisation"])
    return data


def _link(actor, case, form):
    digits = normalise_id_number(form.cleaned_data["id_number"])
    recipient = Recipient.objects.filter(
        id_number_index=blind_index_for(Recipient, "id_number_index", digits)
    ).first()
    if recipient is None:
        raise ValidationError({"id_number": [_("未找到该身份证号的服务对象，请先在“服务对象”中登记")]})
    return services.case_link_recipient(actor=actor, case=case, recipient=recipient)


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request, pk: int):
    """Add an intervention note: the phone page, a few taps; what was typed stays on an error."""
    case = services.fetch(pk)
    request.actor.require("cases.change", case.region_code)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
        try:
            _note, created = services.case_note_add(
                actor=request.actor,
                case=case,
                data=data,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if created:
                messages.success(request, _("已记录介入。"))
            else:
                messages.info(request, _("这条记录已经保存过，没有重复记录。"))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/note.html", {"case": case, "form": form})


@login_required
def approvals(request):
    request.actor.require("cases.approve")
    return render(
        request,
        "cases/approvals.html",
        {"queue": selectors.approval_queue(request.actor), "form": forms.DecisionForm()},
    )


@login_required
@require_POST
def decide(request, pk: int):
    request.actor.require("cases.approve")
    approval = get_scoped_or_404(
        Approval.objects.select_related("case", "case__worker", "case__station", "case__recipient"), pk=pk
    )
    if not access.is_approver(request.actor, approval.case):
        raise Http404
    form = forms.DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            services.case_decide(
                actor=request.actor, approval=approval, approve=approve, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已批准。") if approve else _("已退回。"))
            return redirect(request.POST.get("next") or "cases:approvals")
    case = approval.case
    return render(
        request,
        "cases/detail.html",
        _detail_context(request, case, decision_form=form, open_panel="decision_form"),
    )


@login_required
def transfers(request):
    request.actor.require("cases.view")
    return render(
        request,
        "cases/transfers.html",
        {
            "inbox": selectors.transfer_inbox(request.actor),
            "sent": selectors.transfers_sent(request.actor),
            "form": forms.TransferDeclineForm(),
        },
    )


@login_required
@require_POST
def transfer_decide(request, pk: int):
    transfer = get_scoped_or_404(Transfer.objects.select_related("to_worker"), pk=pk)
    if transfer.to_worker.user_id != access.user_id_of(request.actor):
        raise Http404
    if request.POST.get("decision") == "accept":
        try:
            case = services.case_transfer_accept(actor=request.actor, transfer=transfer)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("cases:transfers")
        messages.success(request, _("已接收个案 %(n)s。") % {"n": case.number})
        return redirect("cases:detail", pk=case.pk)
    form = forms.TransferDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.case_transfer_decline(
                actor=request.actor, transfer=transfer, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已拒绝接收。"))
            return redirect("cases:transfers")
    return render(
        request,
        "cases/transfers.html",
        {
            "inbox": selectors.transfer_inbox(request.actor),
            "sent": selectors.transfers_sent(request.actor),
            "form": form,
            "bad": transfer.pk,
        },
    )


@login_required
@require_POST
def referral_outcome(request, pk: int):
    referral = get_scoped_or_404(Referral.objects.select_related("case", "case__worker"), pk=pk)
    case = services.fetch(referral.case_id)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.referral_outcome(
                actor=request.actor,
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
                on=form.cleaned_data["outcome_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记转介结果。"))
            return redirect("cases:detail", pk=case.pk)
    return _rerender(request, case, "outcome_form", form)

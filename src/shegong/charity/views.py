import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.export_views import export_options, export_page
from shegong.core.exports import Column, ExportSpec, register
from shegong.core.forms import apply_errors, submit
from shegong.core.masking import mask_name, mask_phone
from shegong.core.params import as_int
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.selectors import region_from_request

from . import selectors, services
from .forms import DecisionForm, DisbursementForm, DonationForm, FundEditForm, FundForm
from .models import Disbursement, DisbursementStatus, DonorKind, Fund, FundKind


def _fund(pk: int) -> Fund:
    return get_scoped_or_404(Fund.objects.select_related("region", "manager"), pk=pk)


def _fund_filters(request) -> dict:
    return {name: request.GET.get(name, "").strip() for name in selectors.FUND_FILTERS}


@login_required
def fund_list(request):
    request.actor.require("charity.view")
    filters = _fund_filters(request)
    queryset = selectors.funds(**filters)
    totals = queryset.order_by().aggregate(raised=Sum("raised"), spent=Sum("spent"), balance=Sum("balance"))
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "charity/fund_list.html",
        {
            "page": page,
            "filters": filters,
            "totals": totals,
            "kinds": FundKind.choices,
            "query": request.GET.urlencode(),
            "can_change": request.actor.can("charity.change"),
            "waiting": selectors.waiting_count() if request.actor.can("charity.approve") else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_create(request):
    request.actor.require("charity.change")
    form = FundForm(request.POST or None, initial={"region": request.GET.get("region", "")})
    fund = submit(
        request, form, lambda form: services.fund_create(actor=request.actor, data=form.service_data())
    )
    if fund is not None:
        messages.success(request, _("已设立“%(name)s”。") % {"name": fund.name})
        return redirect("charity:fund", pk=fund.pk)
    return render(request, "charity/form.html", {"form": form, "title": _("设立基金")})


@login_required
@require_http_methods(["GET", "POST"])
def fund_edit(request, pk: int):
    fund = _fund(pk)
    request.actor.require("charity.change", fund.region_code)
    form = FundEditForm(request.POST or None, instance=fund)
    saved = submit(
        request,
        form,
        lambda form: services.fund_update(actor=request.actor, fund=fund, data=form.service_data()),
    )
    if saved is not None:
        messages.success(request, _("已保存。"))
        return redirect("charity:fund", pk=pk)
    return render(request, "charity/form.html", {"form": form, "title": _("修改基金"), "fund": fund})


@login_required
def fund_detail(request, pk: int):
    request.actor.require("charity.view")
    fund = _fund(pk)
    months = selectors.fund_months(fund)
    donations = list(selectors.donations(fund)[:20])
    for d in donations:
        d.label = selectors.donor_label(d)
        d.masked_phone = mask_phone(d.donor_phone)
    return render(
        request,
        "charity/fund_detail.html",
        {
            "fund": fund,
            "months": months,
            "chart": selectors.chart_of(months),
            "donations": donations,
            "disbursements": selectors.disbursements(fund=fund.pk)[:20],
            "restricted": selectors.restricted_donations(fund),
            "can_change": request.actor.can("charity.change", fund.region_code),
            "can_request": request.actor.can("charity.request", fund.region_code),
            **export_options(request, LEDGER_EXPORT),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def donation_new(request, pk: int):
    fund = _fund(pk)
    request.actor.require("charity.change", fund.region_code)
    form = DonationForm(request.POST or None)
    donation = submit(
        request,
        form,
        lambda form: services.donation_record(actor=request.actor, fund=fund, data=form.cleaned_data),
    )
    if donation is not None:
        messages.success(request, _("已登记捐赠，收据编号 %(no)s。") % {"no": donation.receipt_no})
        return redirect("charity:fund", pk=fund.pk)
    return render(request, "charity/form.html", {"form": form, "title": _("登记捐赠"), "fund": fund})


@login_required
@require_http_methods(["GET", "POST"])
def disbursement_new(request, pk: int):
    fund = _fund(pk)
    request.actor.require("charity.request", fund.region_code)
    initial = {k: request.GET[k] for k in ("recipient", "activity") if as_int(request.GET.get(k)) is not None}
    form = DisbursementForm(request.POST or None, fund=fund, initial=initial)
    entry = submit(
        request,
        form,
        lambda form: services.disbursement_request(actor=request.actor, fund=fund, data=form.service_data()),
    )
    if entry is not None:
        messages.success(request, _("已提交拨付申请，待另一位负责人审批。"))
        return redirect("charity:disbursement", pk=entry.pk)
    return render(request, "charity/form.html", {"form": form, "title": _("申请拨付"), "fund": fund})


@login_required
def disbursement_list(request):
    request.actor.require("charity.view")
    filters = {name: request.GET.get(name, "").strip() for name in selectors.DISBURSEMENT_FILTERS}
    page = Paginator(selectors.disbursements(**filters), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "charity/disbursement_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": DisbursementStatus.choices,
            "query": request.GET.urlencode(),
        },
    )


def _disbursement(pk: int) -> Disbursement:
    return get_scoped_or_404(
        Disbursement.objects.select_related(
            "fund__region", "recipient", "activity", "donation", "requested_by", "decided_by", "reverses"
        ),
        pk=pk,
    )


@login_required
def disbursement_detail(request, pk: int):
    request.actor.require("charity.view")
    entry = _disbursement(pk)
    region = entry.fund.region_code
    user = request.user
    return render(
        request,
        "charity/disbursement_detail.html",
        {
            "d": entry,
            "form": DecisionForm(),
            "own_request": entry.requested_by_id == user.pk,
            "can_decide": request.actor.can("charity.approve", region),
            "can_pay": request.actor.can("charity.change", region),
            "can_see_recipient": entry.recipient_id
            and request.actor.can("recipients.view", entry.region_code),
        },
    )


_ACTIONS = {
    "approve": lambda actor, d, note: services.disbursement_approve(actor=actor, disbursement=d, note=note),
    "reject": lambda actor, d, note: services.disbursement_reject(actor=actor, disbursement=d, note=note),
    "pay": lambda actor, d, note: services.disbursement_pay(actor=actor, disbursement=d),
    "reverse": lambda actor, d, note: services.disbursement_reverse(actor=actor, disbursement=d, reason=note),
}
_DONE = {
    "approve": gettext_lazy("已批准，款项已从基金中划出。"),
    "reject": gettext_lazy("已驳回。"),
    "pay": gettext_lazy("已登记拨付。"),
    "reverse": gettext_lazy("已冲正，款项已退回基金。"),
}


@login_required
@require_POST
def disbursement_act(request, pk: int, action: str):
    entry = _disbursement(pk)
    if action not in _ACTIONS:
        raise Http404
    form = DecisionForm(request.POST)
    note = form.data.get("note", "")
    try:
        _ACTIONS[action](request.actor, entry, note)
    except ValidationError as exc:
        apply_errors(form, exc)
        entry = _disbursement(pk)
        return render(
            request,
            "charity/disbursement_detail.html",
            {
                "d": entry,
                "form": form,
                "own_request": entry.requested_by_id == request.user.pk,
                "can_decide": request.actor.can("charity.approve", entry.fund.region_code),
                "can_pay": request.actor.can("charity.change", entry.fund.region_code),
                "can_see_recipient": entry.recipient_id
                and request.actor.can("recipients.view", entry.region_code),
            },
            status=400,
        )
    messages.success(request, str(_DONE[action]))
    return redirect("charity:disbursement", pk=pk)


def _ledger_rows(filters: dict, actor) -> list[dict]:
    fund = get_scoped_or_404(Fund, pk=filters.get("fund"))
    return selectors.ledger_rows(fund)


def _person(row) -> str:
    d = row["revealable"]
    return d.donor_name if d is not None and d.donor_kind == DonorKind.PERSON else ""


def _person_phone(row) -> str:
    d = row["revealable"]
    return d.donor_phone if d is not None and d.donor_kind == DonorKind.PERSON else ""


def _party(row) -> str:
    d = row["revealable"]
    if d is None:
        return row["party"]
    return "" if d.donor_kind == DonorKind.PERSON else d.donor_name


LEDGER_EXPORT = register(
    ExportSpec(
        key="charity.fund_ledger",
        title=gettext_lazy("基金台账"),
        permission="charity.view",
        reveal_permission="charity.reveal",
        filters=lambda request: {"fund": str(request.resolver_match.kwargs.get("pk", ""))},
        rows=_ledger_rows,
        region_of=lambda row: row["revealable"].region_code if row["revealable"] is not None else None,
        columns=[
            Column(gettext_lazy("日期"), lambda r: r["day"]),
            Column(gettext_lazy("类型"), lambda r: str(r["kind"])),
            Column(gettext_lazy("编号"), lambda r: r["reference"]),
            Column(gettext_lazy("单位（捐赠方或资助对象）"), _party, width=28),
            Column(gettext_lazy("个人捐赠方"), _person, mask=mask_name),
            Column(gettext_lazy("个人捐赠方电话"), _person_phone, mask=mask_phone),
            Column(gettext_lazy("用途"), lambda r: str(r["purpose"])),
            Column(gettext_lazy("收入（元）"), lambda r: r["income"]),
            Column(gettext_lazy("支出（元）"), lambda r: r["expense"]),
            Column(gettext_lazy("余额（元）"), lambda r: r["balance"]),
        ],
    )
)


@login_required
def ledger_export(request, pk: int):
    _fund(pk)
    return export_page(request, LEDGER_EXPORT)


# Five-linkage (五社联动) ------------------------------------------------------------------------------------------


@login_required
def linkage(request):
    request.actor.require("charity.view")
    region = region_from_request(request)
    if not request.actor.scope.contains(region.code):
        raise Http404
    return render(request, "charity/linkage.html", {"l": selectors.linkage(region), "region": region})


# Public side -----------------------------------------------------------------------------------------------------


def _month_param(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        month = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    return min(month, timezone.localdate().replace(day=1))


def public_funds(request):
    """Every fund's monthly totals, for anyone: amounts only, never a recipient and never an unnamed donor."""
    month = _month_param(request)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "charity/public_funds.html",
        {
            "funds": selectors.public_funds(month),
            "month": month,
            "previous": previous,
            "following": following if following <= timezone.localdate() else None,
        },
    )


def public_fund(request, pk: int):
    month = _month_param(request)
    fund = selectors.public_fund(pk, month)
    if fund is None:
        raise Http404
    return render(
        request,
        "charity/public_fund.html",
        {"fund": fund, "month": month, "chart": selectors.chart_of(fund.months)},
    )

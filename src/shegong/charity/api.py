"""/api/v1/funds, /api/v1/donations, /api/v1/disbursements: the same services as the pages, scoped and audited."""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema

from shegong.core.api import STANDARD_ERRORS, JsonDate, JsonDecimal, StrictSchema, paginated
from shegong.core.masking import mask_phone
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Disbursement, Donation, Fund

funds = Router(tags=["charity"])
donations = Router(tags=["charity"])
disbursements = Router(tags=["charity"])

PurposeLiteral = Literal["hardship", "elderly", "children", "disability", "medical", "education", "community"]
Money = JsonDecimal


class FundIn(StrictSchema):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["community", "special"]
    region: str = Field(pattern=r"^\d{12}$")
    purpose: PurposeLiteral | Literal[""] = ""
    description: str = Field("", max_length=300)
    manager: int
    opened_on: JsonDate


class FundOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    purpose: str
    manager: int
    opened_on: datetime.date
    raised: Decimal
    spent: Decimal
    balance: Decimal
    unrestricted: Decimal


class FundPage(Schema):
    count: int
    page: int
    pages: int
    results: list[FundOut]


class FundFilter(Schema):
    kind: Literal["community", "special"] | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100000)


def _fund_out(f: Fund) -> dict:
    return {
        "id": f.pk,
        "name": f.name,
        "kind": f.kind,
        "region": f.region_id,
        "purpose": f.purpose,
        "manager": f.manager_id,
        "opened_on": f.opened_on,
        "raised": f.raised,
        "spent": f.spent,
        "balance": f.balance,
        "unrestricted": f.unrestricted,
    }


@funds.get("", response={200: FundPage, **STANDARD_ERRORS})
def list_funds(request, filters: Query[FundFilter]):
    request.auth.require("charity.view")
    queryset = selectors.funds(kind=filters.kind or "", under=filters.under or "", q=filters.q or "")
    return paginated(queryset, filters.page, _fund_out)


@funds.post("", response={201: FundOut, **STANDARD_ERRORS})
def create_fund(request, payload: FundIn):
    fund = services.fund_create(actor=request.auth, data=payload.model_dump())
    return 201, _fund_out(fund)


@funds.get("/{int:fund_id}", response={200: FundOut, **STANDARD_ERRORS})
def get_fund(request, fund_id: int):
    request.auth.require("charity.view")
    return _fund_out(get_scoped_or_404(Fund, pk=fund_id))


class DonationIn(StrictSchema):
    fund: int
    donor_kind: Literal["person", "company", "organisation"]
    donor_name: str = Field(min_length=1, max_length=100)
    donor_phone: str = Field("", max_length=30)
    named_publicly: bool = False
    amount: Money = Field(gt=0, max_digits=14, decimal_places=2)
    received_on: JsonDate
    channel: Literal["bank", "online", "cash", "event"] = "bank"
    restriction: PurposeLiteral | Literal[""] = ""
    note: str = Field("", max_length=200)


class DonationOut(Schema):
    id: int
    fund: int
    receipt_no: str
    donor_kind: str
    donor: str
    donor_phone: str
    named_publicly: bool
    amount: Decimal
    received_on: datetime.date
    channel: str
    restriction: str
    remaining: Decimal


class DonationPage(Schema):
    count: int
    page: int
    pages: int
    results: list[DonationOut]


class DonationFilter(Schema):
    fund: int | None = None
    page: int = Field(1, ge=1, le=100000)


def _donation_out(d: Donation) -> dict:
    # A person's name and phone are masked here as in the lists; the ledger export reveals them with a reason.
    return {
        "id": d.pk,
        "fund": d.fund_id,
        "receipt_no": d.receipt_no,
        "donor_kind": d.donor_kind,
        "donor": selectors.donor_label(d),
        "donor_phone": mask_phone(d.donor_phone),
        "named_publicly": d.named_publicly,
        "amount": d.amount,
        "received_on": d.received_on,
        "channel": d.channel,
        "restriction": d.restriction,
        "remaining": d.remaining,
    }


@donations.get("", response={200: DonationPage, **STANDARD_ERRORS})
def list_donations(request, filters: Query[DonationFilter]):
    request.auth.require("charity.view")
    queryset = selectors.donations()
    if filters.fund is not None:
        queryset = queryset.filter(fund_id=filters.fund)
    return paginated(queryset, filters.page, _donation_out)


@donations.post("", response={201: DonationOut, **STANDARD_ERRORS})
def record_donation(request, payload: DonationIn):
    fund = get_scoped_or_404(Fund, pk=payload.fund)
    donation = services.donation_record(
        actor=request.auth, fund=fund, data=payload.model_dump(exclude={"fund"})
    )
    return 201, _donation_out(donation)


@donations.get("/{int:donation_id}", response={200: DonationOut, **STANDARD_ERRORS})
def get_donation(request, donation_id: int):
    request.auth.require("charity.view")
    return _donation_out(get_scoped_or_404(Donation, pk=donation_id))


class DisbursementIn(StrictSchema):
    fund: int
    amount: Money = Field(gt=0, max_digits=14, decimal_places=2)
    purpose: PurposeLiteral
    recipient: int | None = None
    activity: int | None = None
    donation: int | None = None
    description: str = Field(min_length=1, max_length=200)


class CharityDecisionIn(StrictSchema):
    note: str = Field("", max_length=200)


class DisbursementOut(Schema):
    id: int
    fund: int
    amount: Decimal
    purpose: str
    recipient: int | None
    activity: int | None
    donation: int | None
    description: str
    status: str
    requested_by: int | None
    decided_by: int | None
    booked_on: datetime.date | None
    paid_on: datetime.date | None
    reverses: int | None
    reversed_by: int | None


class DisbursementPage(Schema):
    count: int
    page: int
    pages: int
    results: list[DisbursementOut]


class DisbursementFilter(Schema):
    status: Literal["requested", "approved", "paid", "rejected", "reversal"] | None = None
    fund: int | None = None
    under: str | None = Field(None, pattern=r"^\d{12}$")
    page: int = Field(1, ge=1, le=100000)


def _disbursement_out(d: Disbursement) -> dict:
    reversal = getattr(d, "reversal", None) if d.pk else None
    return {
        "id": d.pk,
        "fund": d.fund_id,
        "amount": d.amount,
        "purpose": d.purpose,
        "recipient": d.recipient_id,
        "activity": d.activity_id,
        "donation": d.donation_id,
        "description": d.description,
        "status": d.status,
        "requested_by": d.requested_by_id,
        "decided_by": d.decided_by_id,
        "booked_on": d.booked_on,
        "paid_on": d.paid_on,
        "reverses": d.reverses_id,
        "reversed_by": reversal.pk if reversal else None,
    }


def _fetch(pk: int) -> Disbursement:
    return get_scoped_or_404(Disbursement.objects.select_related("fund", "reversal"), pk=pk)


@disbursements.get("", response={200: DisbursementPage, **STANDARD_ERRORS})
def list_disbursements(request, filters: Query[DisbursementFilter]):
    request.auth.require("charity.view")
    queryset = selectors.disbursements(
        status=filters.status or "", under=filters.under or "", fund=filters.fund or ""
    )
    return paginated(queryset, filters.page, _disbursement_out)


@disbursements.post("", response={201: DisbursementOut, **STANDARD_ERRORS})
def request_disbursement(request, payload: DisbursementIn):
    """Ask for money from a fund; another person approves it (``/approve``)."""
    fund = get_scoped_or_404(Fund, pk=payload.fund)
    entry = services.disbursement_request(
        actor=request.auth, fund=fund, data=payload.model_dump(exclude={"fund"})
    )
    return 201, _disbursement_out(_fetch(entry.pk))


@disbursements.get("/{int:disbursement_id}", response={200: DisbursementOut, **STANDARD_ERRORS})
def get_disbursement(request, disbursement_id: int):
    request.auth.require("charity.view")
    return _disbursement_out(_fetch(disbursement_id))


@disbursements.post("/{int:disbursement_id}/approve", response={200: DisbursementOut, **STANDARD_ERRORS})
def approve_disbursement(request, disbursement_id: int, payload: CharityDecisionIn):
    """Approve a request: never its own requester; refused when the fund (or the restricted gift) holds too little."""
    entry = services.disbursement_approve(
        actor=request.auth, disbursement=_fetch(disbursement_id), note=payload.note
    )
    return _disbursement_out(_fetch(entry.pk))


@disbursements.post("/{int:disbursement_id}/reject", response={200: DisbursementOut, **STANDARD_ERRORS})
def reject_disbursement(request, disbursement_id: int, payload: CharityDecisionIn):
    entry = services.disbursement_reject(
        actor=request.auth, disbursement=_fetch(disbursement_id), note=payload.note
    )
    return _disbursement_out(_fetch(entry.pk))


@disbursements.post("/{int:disbursement_id}/pay", response={200: DisbursementOut, **STANDARD_ERRORS})
def pay_disbursement(request, disbursement_id: int):
    entry = services.disbursement_pay(actor=request.auth, disbursement=_fetch(disbursement_id))
    return _disbursement_out(_fetch(entry.pk))


@disbursements.post("/{int:disbursement_id}/reverse", response={201: DisbursementOut, **STANDARD_ERRORS})
def reverse_disbursement(request, disbursement_id: int, payload: CharityDecisionIn):
    """Take back an approved or paid disbursement: a new negative entry (``note`` is the reason)."""
    entry = services.disbursement_reverse(
        actor=request.auth, disbursement=_fetch(disbursement_id), reason=payload.note
    )
    return 201, _disbursement_out(_fetch(entry.pk))


ROUTERS = [("/funds", funds), ("/donations", donations), ("/disbursements", disbursements)]

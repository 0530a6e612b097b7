"""Writes on charity resources: funds, donations (with gap-free receipts) and disbursements (request, a second
person's decision, payment, reversal). Every money movement locks its fund row first (``ledger.lock``), so two
movements in one fund run one after the other and the second sees what the first left."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.activities.models import Activity
from shegong.audit.services import record
from shegong.core.money import MoneyError, to_yuan
from shegong.core.records import RecordKind, create_record, resolve_refs, update_record
from shegong.core.regioncodes import subtree_prefix
from shegong.core.scoping import region_wide
from shegong.orgs.models import Organisation
from shegong.projects.models import Project
from shegong.recipients.models import Recipient
from shegong.regions.models import Region

from . import ledger
from .models import (
    COMMITTED,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationChannel,
    DonorKind,
    Fund,
    FundKind,
    Purpose,
)

FUND_FIELDS = ["name", "kind", "region", "purpose", "description", "manager", "opened_on"]
FUND_EDIT_FIELDS = ["name", "purpose", "description", "manager"]


def _user(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "pk", None) else None


def validate_fund(fund: Fund, *, actor=None) -> None:
    errors: dict[str, list[str]] = {}
    if fund.kind == FundKind.COMMUNITY and fund.region_id and fund.region.level not in (4, 5):
        errors["region"] = [_("社区基金须属于乡镇（街道）或村（社区）")]
    if fund.kind == FundKind.SPECIAL and not fund.purpose:
        errors["purpose"] = [_("专项基金须填写用途")]
    if fund.opened_on and fund.opened_on > timezone.localdate():
        errors["opened_on"] = [_("设立日期不能晚于今天")]
    if errors:
        raise ValidationError(errors)


FUND_KIND = RecordKind(
    model=Fund,
    permission="charity.change",
    fields=FUND_FIELDS,
    action="charity.fund",
    missing_region=gettext_lazy("请选择基金所属区划"),
    refs={"region": Region, "manager": Organisation},
    validate=validate_fund,
)
FUND_EDIT_KIND = RecordKind(
    model=Fund,
    permission="charity.change",
    fields=FUND_EDIT_FIELDS,
    action="charity.fund",
    missing_region=gettext_lazy("请选择基金所属区划"),
    refs={"manager": Organisation},
    validate=validate_fund,
)


def fund_create(*, actor, data: dict[str, Any]) -> Fund:
    return create_record(FUND_KIND, actor=actor, data=data)


def fund_update(*, actor, fund: Fund, data: dict[str, Any]) -> Fund:
    """Name, purpose, description and manager change; the region and kind of a fund holding money do not."""
    data = {k: v for k, v in data.items() if k in FUND_EDIT_FIELDS}
    return update_record(FUND_EDIT_KIND, fund, actor=actor, data=data)


# Donations -------------------------------------------------------------------------------------------------------


def _amount(value, errors: dict, field: str = "amount"):
    try:
        amount = to_yuan(value)
    except MoneyError:
        errors[field] = [_("请填写金额，最多两位小数，如 200 或 1500.50")]
        return None
    if amount <= 0:
        errors[field] = [_("金额须大于 0")]
        return None
    return amount


def _text(data, key: str) -> str:
    return (data.get(key) or "").strip()


def donation_record(*, actor, fund: Fund, data: dict[str, Any]) -> Donation:
    """Record a donation into ``fund`` and issue its receipt: the fund's next number, never skipped or repeated
    (the number is taken under the fund's lock in the donation's own transaction, so a failed write gives it back).
    """
    actor.require("charity.change", fund.region_code)
    errors: dict[str, list[str]] = {}
    amount = _amount(data.get("amount"), errors)
    kind = data.get("donor_kind")
    if kind not in DonorKind.values:
        errors["donor_kind"] = [_("请选择捐赠方类型")]
    name = _text(data, "donor_name")
    if not name:
        errors["donor_name"] = [_("请填写捐赠方名称")]
    phone = _text(data, "donor_phone")
    if phone and not phone.replace("-", "").isdigit():
        errors["donor_phone"] = [_("电话只能包含数字和连字符")]
    received_on = data.get("received_on")
    if not isinstance(received_on, datetime.date):
        errors["received_on"] = [_("请填写到账日期")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("到账日期不能晚于今天")]
    elif received_on < fund.opened_on:
        errors["received_on"] = [_("到账日期不能早于基金设立日期（%(d)s）") % {"d": fund.opened_on}]
    channel = data.get("channel") or DonationChannel.BANK
    if channel not in DonationChannel.values:
        errors["channel"] = [_("请选择捐赠渠道")]
    restriction = data.get("restriction") or ""
    if restriction not in Purpose.values and restriction:
        errors["restriction"] = [_("请选择定向用途，或留空表示非定向")]
    elif restriction and fund.kind == FundKind.SPECIAL and restriction != fund.purpose:
        errors["restriction"] = [
            _("专项基金只用于“%(p)s”，定向用途须与之相同") % {"p": Purpose(fund.purpose).label}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ledger.lock(fund)
        seq = locked.receipts_issued + 1
        with region_wide("a fund's receipt counter, whoever records"):
            Fund.objects.filter(pk=fund.pk).update(receipts_issued=F("receipts_issued") + 1)
        donation = Donation(
            fund=locked,
            donor_kind=kind,
            donor_name=name,
            donor_phone=phone,
            named_publicly=bool(data.get("named_publicly")),
            amount=amount,
            received_on=received_on,
            channel=channel,
            restriction=restriction,
            remaining=amount if restriction else 0,
            receipt_seq=seq,
            receipt_no=locked.receipt_number(seq),
            note=_text(data, "note"),
            recorded_by=_user(actor),
            region_code=fund.region_code,
        )
        donation.full_clean()
        donation.save()
        ledger.credit(locked, donation)
        record(
            "charity.donation.record",
            actor=actor,
            obj=donation,
            changes={
                "fund": fund.pk,
                "amount": str(amount),
                "receipt_no": donation.receipt_no,
                "donor_kind": kind,
                # A person's name and phone stay in the encrypted donation.
                "donor_name": name if kind != DonorKind.PERSON else "***",
                "restriction": restriction,
                "named_publicly": donation.named_publicly,
            },
        )
    return donation


# Disbursements ---------------------------------------------------------------------------------------------------


def _within(code: str, root: str) -> bool:
    return code.startswith(subtree_prefix(root))


def disbursement_request(*, actor, fund: Fund, data: dict[str, Any]) -> Disbursement:
    """Ask for money from ``fund`` for a recipient, an activity or a project; a second person decides."""
    actor.require("charity.request", fund.region_code)
    data = resolve_refs(
        data, {"recipient": Recipient, "activity": Activity, "project": Project, "donation": Donation}
    )
    errors: dict[str, list[str]] = {}
    amount = _amount(data.get("amount"), errors)
    purpose = data.get("purpose") or ""
    if purpose not in Purpose.values:
        errors["purpose"] = [_("请选择用途")]
    elif fund.kind == FundKind.SPECIAL and purpose != fund.purpose:
        errors["purpose"] = [_("专项基金只能用于“%(p)s”") % {"p": Purpose(fund.purpose).label}]
    recipient, activity, project = data.get("recipient"), data.get("activity"), data.get("project")
    if [bool(recipient), bool(activity), bool(project)].count(True) != 1:
        errors["recipient"] = [_("请选择受助对象、资助活动或资助项目（只选一项）")]
    payee = recipient or activity or project
    if payee is not None and not _within(payee.region_code, fund.region_code):
        errors["recipient" if recipient else "activity" if activity else "project"] = [
            _("%(f)s只资助本区划（%(r)s）内的对象和活动") % {"f": fund.name, "r": fund.region.name}
        ]
    donation = data.get("donation")
    if donation is not None:
        if donation.fund_id != fund.pk:
            errors["donation"] = [_("所选捐赠不属于这个基金")]
        elif not donation.restriction:
            errors["donation"] = [_("所选捐赠是非定向捐赠，不选即从非定向余额支出")]
        elif purpose in Purpose.values and donation.restriction != purpose:
            errors["donation"] = [
                _("这笔定向捐赠只能用于“%(r)s”，不能用于“%(p)s”")
                % {"r": Purpose(donation.restriction).label, "p": Purpose(purpose).label}
            ]
    description = _text(data, "description")
    if not description:
        errors["description"] = [_("请填写事由")]
    if amount is not None and "donation" not in errors:
        # What the fund holds now (the approval checks again, under the fund's lock).
        with region_wide("a fund's balance as it stands"):
            current = Fund.objects.get(pk=fund.pk)
            source = Donation.objects.get(pk=donation.pk) if donation is not None else None
        message = ledger.shortfall(current, source, amount)
        if message:
            errors["amount"] = [message]
    if errors:
        raise ValidationError(errors)
    entry = Disbursement(
        fund=fund,
        amount=amount,
        purpose=purpose,
        recipient=recipient,
        activity=activity,
        project=project,
        donation=donation,
        description=description,
        requested_by=_user(actor),
        region_code=payee.region_code,
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(
            "charity.disbursement.request",
            actor=actor,
            obj=entry,
            changes={
                "fund": fund.pk,
                "amount": str(amount),
                "purpose": purpose,
                "recipient": entry.recipient_id,
                "activity": entry.activity_id,
                "project": entry.project_id,
                "donation": entry.donation_id,
            },
        )
    return entry


def _fresh(entry: Disbursement) -> Disbursement:
    with region_wide("the disbursement being decided, read again under its fund's lock"):
        return Disbursement.objects.select_related("fund", "donation").get(pk=entry.pk)


def _not_requester(actor, entry: Disbursement) -> None:
    user = _user(actor)
    if user is not None and entry.requested_by_id == user.pk:
        raise ValidationError({"decided_by": [_("申请人不能审批自己的拨付申请，请由另一位负责人审批")]})


def disbursement_approve(*, actor, disbursement: Disbursement, note: str = "") -> Disbursement:
    """Approve a request: the money leaves the fund now (balance, month, tallies), checked under the fund's lock.

    Two approvals racing for the same money run one after the other; the second finds too little and is refused.
    """
    actor.require("charity.approve", disbursement.fund.region_code)
    _not_requester(actor, disbursement)
    with transaction.atomic():
        fund = ledger.lock(disbursement.fund)
        entry = _fresh(disbursement)
        if entry.status != DisbursementStatus.REQUESTED:
            raise ValidationError(
                {"status": [_("这笔拨付已是“%(s)s”，不能再审批") % {"s": entry.get_status_display()}]}
            )
        entry.status = DisbursementStatus.APPROVED
        entry.decided_by = _user(actor)
        entry.decided_at = timezone.now()
        entry.booked_on = timezone.localdate()
        entry.decision_note = (note or "").strip()[:200]
        entry.full_clean()
        ledger.debit(fund, entry)
        entry.save()
        ledger.count_payee(fund, entry, +1)
        record(
            "charity.disbursement.approve",
            actor=actor,
            obj=entry,
            changes={"status": {"before": "requested", "after": "approved"}, "amount": str(entry.amount)},
        )
    return entry


def disbursement_reject(*, actor, disbursement: Disbursement, note: str) -> Disbursement:
    actor.require("charity.approve", disbursement.fund.region_code)
    _not_requester(actor, disbursement)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("驳回须填写理由")]})
    with transaction.atomic():
        ledger.lock(disbursement.fund)
        entry = _fresh(disbursement)
        if entry.status != DisbursementStatus.REQUESTED:
            raise ValidationError(
                {"status": [_("这笔拨付已是“%(s)s”，不能再审批") % {"s": entry.get_status_display()}]}
            )
        entry.status = DisbursementStatus.REJECTED
        entry.decided_by = _user(actor)
        entry.decided_at = timezone.now()
        entry.decision_note = note[:200]
        entry.full_clean()
        entry.save()
        record(
            "charity.disbursement.reject",
            actor=actor,
            obj=entry,
            changes={"status": {"before": "requested", "after": "rejected"}},
            reason=note,
        )
    return entry


def disbursement_pay(
    *, actor, disbursement: Disbursement, paid_on: datetime.date | None = None
) -> Disbursement:
    """Record that the approved money was paid out (the balance moved at approval)."""
    actor.require("charity.change", disbursement.fund.region_code)
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        ledger.lock(disbursement.fund)
        entry = _fresh(disbursement)
        if entry.status != DisbursementStatus.APPROVED or entry.is_reversed:
            raise ValidationError({"status": [_("只有已批准的拨付才能登记拨付")]})
        if paid_on > timezone.localdate() or paid_on < entry.booked_on:
            raise ValidationError({"paid_on": [_("拨付日期须在批准日期与今天之间")]})
        entry.status = DisbursementStatus.PAID
        entry.paid_by = _user(actor)
        entry.paid_on = paid_on
        entry.full_clean()
        entry.save()
        record(
            "charity.disbursement.pay",
            actor=actor,
            obj=entry,
            changes={"status": {"before": "approved", "after": "paid"}, "paid_on": str(paid_on)},
        )
    return entry


def disbursement_reverse(*, actor, disbursement: Disbursement, reason: str) -> Disbursement:
    """Take back an approved or paid disbursement with a reversing entry (the original stays as it was)."""
    actor.require("charity.approve", disbursement.fund.region_code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("冲正须填写事由")]})
    with transaction.atomic():
        fund = ledger.lock(disbursement.fund)
        original = _fresh(disbursement)
        if original.status not in COMMITTED:
            raise ValidationError({"status": [_("只有已批准或已拨付的拨付才能冲正")]})
        if original.is_reversed:
            raise ValidationError({"status": [_("这笔拨付已经冲正过")]})
        entry = Disbursement(
            fund=original.fund,
            amount=-original.amount,
            purpose=original.purpose,
            recipient_id=original.recipient_id,
            activity_id=original.activity_id,
            project_id=original.project_id,
            donation=original.donation,
            description=reason[:200],
            status=DisbursementStatus.REVERSAL,
            requested_by=_user(actor),
            booked_on=timezone.localdate(),
            reverses=original,
            region_code=original.region_code,
        )
        entry.full_clean()
        ledger.debit(fund, entry)
        entry.save()
        ledger.count_payee(fund, original, -1)
        record(
            "charity.disbursement.reverse",
            actor=actor,
            obj=original,
            changes={"reversal": entry.pk, "amount": str(entry.amount)},
            reason=reason,
        )
    return entry

"""Funds, donations and disbursements: the money rules (SPEC §9, issue 18 "Done means")."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shegong.audit.models import AuditEvent
from shegong.charity import ledger, services
from shegong.charity.models import Disbursement, DisbursementStatus, Donation, Fund, FundKind, FundMonth
from shegong.core import tallies
from shegong.core.money import MoneyError, format_yuan, to_yuan
from tests.charity.helpers import ask, give, make_fund, officials
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db


def test_money_is_exact_yuan_never_float():
    assert to_yuan("1,234.5") == Decimal("1234.50")
    assert to_yuan("¥200") == Decimal("200.00")
    assert to_yuan(Decimal("0.1")) + to_yuan("0.2") == Decimal("0.30")
    for bad in (0.1, "1.005", "abc", "NaN", None, "1e20"):
        with pytest.raises(MoneyError):
            to_yuan(bad)
    assert format_yuan(Decimal("1234567.5")) == "¥1,234,567.50"
    assert format_yuan(Decimal("-3")) == "-¥3.00"


def test_a_donation_credits_the_fund_its_month_and_the_region_tally(world):
    fund = make_fund()
    donation = give(fund, "1000.50", on=datetime.date.today())
    fund.refresh_from_db()
    assert (fund.raised, fund.balance, fund.unrestricted) == (Decimal("1000.50"),) * 3
    month = FundMonth.objects.get(fund=fund)
    assert (month.raised, month.donations) == (Decimal("1000.50"), 1)
    assert tallies.totals([DISTRICT], [ledger.RAISED])[ledger.RAISED] == Decimal("1000.50")
    assert donation.receipt_no == fund.receipt_number(1)
    assert AuditEvent.objects.filter(action="charity.donation.record").count() == 1


def test_receipts_are_numbered_without_gaps_even_when_a_donation_fails(world):
    fund = make_fund()
    give(fund, 10)
    with pytest.raises(ValidationError) as exc:
        give(fund, "-5")
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError):
        give(fund, 10, on=datetime.date(2020, 1, 1))  # before the fund opened
    give(fund, 20)
    assert list(
        Donation.objects.filter(fund=fund).order_by("receipt_seq").values_list("receipt_seq", flat=True)
    ) == [
        1,
        2,
    ]


def test_a_person_donors_name_and_phone_are_encrypted_at_rest(world):
    from django.db import connection

    fund = make_fund()
    donation = give(fund, 50, kind="person", name="王秀英", phone="13800138000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT donor_name, donor_phone FROM charity_donation WHERE id = %s", [donation.pk])
        stored = cursor.fetchone()
    assert "王秀英" not in str(stored) and "13800138000" not in str(stored)
    assert Donation.objects.get(pk=donation.pk).donor_name == "王秀英"
    # The audit entry keeps no person's name.
    entry = AuditEvent.objects.get(action="charity.donation.record")
    assert "王秀英" not in str(entry.changes)


def test_a_disbursement_approved_by_its_own_requester_is_refused(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 500)
    recipient = make_recipient(VILLAGE_A1)
    entry = ask(fund, 200, actor=requester, recipient=recipient)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_approve(actor=requester, disbursement=entry)
    assert "decided_by" in exc.value.message_dict
    entry.refresh_from_db()
    fund.refresh_from_db()
    assert entry.status == DisbursementStatus.REQUESTED and fund.balance == Decimal("500.00")
    services.disbursement_approve(actor=approver, disbursement=entry)
    fund.refresh_from_db()
    assert fund.balance == Decimal("300.00") and fund.spent == Decimal("200.00")


def test_the_database_refuses_a_self_approval_and_a_negative_balance(world):
    requester, _approver = officials()
    fund = make_fund()
    give(fund, 100)
    entry = ask(fund, 50, actor=requester, recipient=make_recipient(VILLAGE_A1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=entry.pk).update(decided_by=entry.requested_by)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=-1, raised=0, spent=1, unrestricted=0)


def test_a_fund_never_pays_more_than_it_holds(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 100)
    recipient = make_recipient(VILLAGE_A1)
    first = ask(fund, 60, actor=requester, recipient=recipient)
    second = ask(fund, 60, actor=requester, recipient=recipient)  # each fits alone when asked
    services.disbursement_approve(actor=approver, disbursement=first)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_approve(actor=approver, disbursement=second)
    assert "¥40.00" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError):
        ask(fund, "40.01", actor=requester, recipient=recipient)
    fund.refresh_from_db()
    assert fund.balance == Decimal("40.00")


def test_a_restricted_donation_pays_only_for_its_restriction(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 100)
    school = give(fund, 1000, restriction="education")
    recipient = make_recipient(VILLAGE_A1)
    fund.refresh_from_db()
    assert (fund.balance, fund.unrestricted) == (Decimal("1100.00"), Decimal("100.00"))
    # Outside its restriction: refused, by name.
    with pytest.raises(ValidationError) as exc:
        ask(fund, 300, actor=requester, recipient=recipient, purpose="elderly", donation=school)
    assert "助学" in exc.value.message_dict["donation"][0]
    # Nor can its money leak into the unrestricted part: 300 for the elderly finds only 100 there.
    with pytest.raises(ValidationError) as exc:
        ask(fund, 300, actor=requester, recipient=recipient, purpose="elderly")
    assert exc.value.message_dict["amount"] == [
        "非定向余额只剩 ¥100.00，不足以支付 ¥300.00；定向捐赠只能用于其指定用途"
    ]
    # Inside it: paid from the donation, which keeps what is left.
    entry = ask(fund, 300, actor=requester, recipient=recipient, purpose="education", donation=school)
    services.disbursement_approve(actor=approver, disbursement=entry)
    school.refresh_from_db()
    fund.refresh_from_db()
    assert school.remaining == Decimal("700.00")
    assert (fund.balance, fund.unrestricted) == (Decimal("800.00"), Decimal("100.00"))
    assert ledger.reconcile(fix=False) == []


def test_restricted_money_is_not_spent_through_an_unrestricted_approval(world):
    """The request fitted; a restricted gift does not make up the shortfall at approval either."""
    requester, approver = officials()
    fund = make_fund()
    give(fund, 100)
    entry = ask(fund, 100, actor=requester, recipient=make_recipient(VILLAGE_A1))
    other = ask(fund, 100, actor=requester, recipient=make_recipient(VILLAGE_A1, name="李奶奶"))
    give(fund, 500, restriction="medical")
    services.disbursement_approve(actor=approver, disbursement=entry)
    with pytest.raises(ValidationError) as exc:
        services.disbursement_approve(actor=approver, disbursement=other)
    assert "定向捐赠只能用于其指定用途" in exc.value.message_dict["amount"][0]


def test_a_special_fund_pays_only_its_purpose_and_only_inside_its_region(world):
    requester, _approver = officials()
    fund = make_fund(region_code=TOWN_A, kind=FundKind.SPECIAL, purpose="children", name="儿童关爱基金")
    give(fund, 1000)
    with pytest.raises(ValidationError) as exc:
        ask(fund, 100, actor=requester, recipient=make_recipient(VILLAGE_A1), purpose="elderly")
    assert "purpose" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ask(fund, 100, actor=requester, recipient=make_recipient(VILLAGE_B1), purpose="children")
    assert "recipient" in exc.value.message_dict


def test_a_correction_is_a_reversing_entry(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 500)
    recipient = make_recipient(VILLAGE_A1)
    entry = services.disbursement_approve(
        actor=approver, disbursement=ask(fund, 200, actor=requester, recipient=recipient)
    )
    services.disbursement_pay(actor=approver, disbursement=entry)
    month = FundMonth.objects.get(fund=fund)
    assert (month.spent, month.beneficiaries) == (Decimal("200.00"), 1)
    with pytest.raises(ValidationError):
        services.disbursement_reverse(actor=approver, disbursement=entry, reason="")
    reversal = services.disbursement_reverse(actor=approver, disbursement=entry, reason="重复发放，已退回")
    entry.refresh_from_db()
    fund.refresh_from_db()
    assert entry.status == DisbursementStatus.PAID and entry.amount == Decimal("200.00")  # never edited
    assert reversal.amount == Decimal("-200.00") and reversal.reverses_id == entry.pk
    assert fund.balance == Decimal("500.00") and fund.spent == Decimal("0.00")
    month.refresh_from_db()
    assert (month.spent, month.beneficiaries) == (Decimal("0.00"), 0)
    with pytest.raises(ValidationError):
        services.disbursement_reverse(actor=approver, disbursement=entry, reason="再来一次")
    assert ledger.reconcile(fix=False) == []
    assert tallies.reconcile(fix=False, only=[ledger.RAISED, ledger.SPENT]) == []
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "charity.disbursement.request",
        "charity.disbursement.approve",
        "charity.disbursement.pay",
        "charity.disbursement.reverse",
    } <= actions


def test_beneficiaries_count_each_recipient_once_a_month(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 1000)
    one, two = make_recipient(VILLAGE_A1), make_recipient(VILLAGE_A1, name="李奶奶")
    for recipient, amount in ((one, 100), (one, 50), (two, 80)):
        services.disbursement_approve(
            actor=approver, disbursement=ask(fund, amount, actor=requester, recipient=recipient)
        )
    month = FundMonth.objects.get(fund=fund)
    assert (month.beneficiaries, month.disbursements, month.spent) == (2, 3, Decimal("230.00"))
    assert ledger.reconcile(fix=False) == []


def test_reconcile_finds_and_repairs_drift(world):
    fund = make_fund()
    give(fund, 100)
    FundMonth.objects.filter(fund=fund).update(raised=5)
    assert len(ledger.reconcile(fix=False)) == 1
    ledger.reconcile()
    assert ledger.reconcile(fix=False) == []


def test_a_rejection_needs_a_reason_and_moves_no_money(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 100)
    entry = ask(fund, 60, actor=requester, recipient=make_recipient(VILLAGE_A1))
    with pytest.raises(ValidationError):
        services.disbursement_reject(actor=approver, disbursement=entry, note=" ")
    services.disbursement_reject(actor=approver, disbursement=entry, note="不符合条件")
    with pytest.raises(ValidationError):
        services.disbursement_approve(actor=approver, disbursement=entry)
    fund.refresh_from_db()
    assert fund.balance == Decimal("100.00")

"""How money moves in a fund: every movement updates the fund row (locked), its month and the region's tallies in
the caller's transaction; ``recount`` computes the same figures from the records, so drift is found.

Spending counts in the month an entry is booked (a disbursement's approval, a reversal's own day); a month's
beneficiaries are the distinct recipients (and activities) its standing disbursements paid.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.core.money import format_yuan
from shegong.core.scoping import region_wide
from shegong.core.tallies import month_of

from .models import COMMITTED, Disbursement, DisbursementStatus, Donation, Fund, FundMonth

RAISED = "charity.raised"
SPENT = "charity.spent"


def lock(fund: Fund) -> Fund:
    """The fund row, locked until the transaction ends: money moves in a fund one at a time."""
    with region_wide("a fund's own balance, whoever moves its money"):
        return Fund.objects.select_for_update().get(pk=fund.pk)


def _month(fund: Fund, month: datetime.date, **deltas) -> None:
    with region_wide("a fund's month is the whole fund's"):
        rows = FundMonth.objects.filter(fund=fund, month=month)
        if not rows.update(**{k: F(k) + v for k, v in deltas.items()}):
            FundMonth.objects.create(fund=fund, month=month, region_code=fund.region_code, **deltas)


def _apply(fund: Fund, **deltas) -> None:
    """Move the fund's running figures; a rule the database holds (no negative balance) becomes a clear error."""
    try:
        with transaction.atomic():
            with region_wide("a fund's own running figures, whoever moves its money"):
                Fund.objects.filter(pk=fund.pk).update(**{k: F(k) + v for k, v in deltas.items()})
    except IntegrityError:
        raise ValidationError({"amount": [_("基金余额不足，未保存")]}) from None


def credit(fund: Fund, donation: Donation) -> None:
    """A donation arrives: raised and balance grow; an unrestricted one adds to what any purpose may use."""
    amount = donation.amount
    _apply(fund, raised=amount, balance=amount, unrestricted=0 if donation.restriction else amount)
    _month(fund, month_of(donation.received_on), raised=amount, donations=1)
    tallies.add(fund.region_code, donation.received_on, RAISED, amount)


def available_for(fund: Fund, donation: Donation | None) -> Decimal:
    return donation.remaining if donation is not None else fund.unrestricted


def shortfall(fund: Fund, donation: Donation | None, amount: Decimal) -> str | None:
    """Why ``amount`` cannot be paid from ``donation`` (or the fund's unrestricted money), or None if it can."""
    have = available_for(fund, donation)
    if amount <= have:
        return None
    if donation is not None:
        message = _("这笔定向捐赠只剩 %(have)s，不足以支付 %(amount)s")
    elif fund.balance >= amount:
        message = _("非定向余额只剩 %(have)s，不足以支付 %(amount)s；定向捐赠只能用于其指定用途")
    else:
        message = _("基金余额只剩 %(have)s，不足以支付 %(amount)s")
    return message % {"have": format_yuan(have), "amount": format_yuan(amount)}


def debit(fund: Fund, entry: Disbursement) -> None:
    """A disbursement is approved (or, with a negative amount, reversed): the money leaves (or returns to) the fund.

    ``fund`` is the locked row. The check here gives the words; the database constraints hold the rule whatever.
    """
    amount = entry.amount
    donation = entry.donation
    if amount > 0:
        message = shortfall(fund, donation, amount)
        if message:
            raise ValidationError({"amount": [message]})
    if donation is not None:
        try:
            with transaction.atomic():
                with region_wide("a donation's remaining amount, whoever spends it"):
                    Donation.objects.filter(pk=donation.pk).update(remaining=F("remaining") - amount)
        except IntegrityError:
            raise ValidationError({"amount": [_("定向捐赠结余不足，未保存")]}) from None
        _apply(fund, spent=amount, balance=-amount)
    else:
        _apply(fund, spent=amount, balance=-amount, unrestricted=-amount)
    day = entry.booked_on
    _month(fund, month_of(day), spent=amount, disbursements=1 if amount > 0 else -1)
    tallies.add(fund.region_code, day, SPENT, amount)


def standing(fund_id: int):
    """The disbursements whose money has left the fund and stays out (committed, not reversed)."""
    return Disbursement.objects.filter(fund_id=fund_id, status__in=COMMITTED, reversal__isnull=True)


def count_payee(fund: Fund, entry: Disbursement, delta: int) -> None:
    """Count (``delta`` 1) or uncount (-1) the entry's payee among its month's beneficiaries, once per payee.

    Called with the fund locked, after the entry's status (or its reversal) is saved: the payee counts when this
    entry is its only standing one that month.
    """
    original = entry
    month = month_of(original.booked_on)
    with region_wide("a fund's month is the whole fund's"):
        others = (
            standing(fund.pk).filter(booked_on__gte=month, booked_on__lt=_next(month)).exclude(pk=original.pk)
        )
        if original.recipient_id:
            if not others.filter(recipient_id=original.recipient_id).exists():
                _month(fund, month, beneficiaries=delta)
        elif original.activity_id and not others.filter(activity_id=original.activity_id).exists():
            _month(fund, month, activities=delta)
        # A project payee is neither a beneficiary nor an activity: its money counts in ``spent`` only.


def _next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


# Recount ---------------------------------------------------------------------------------------------------------


def recount_raised() -> dict[tuple[str, datetime.date], Decimal]:
    out: dict[tuple[str, datetime.date], Decimal] = defaultdict(Decimal)
    for row in Donation.objects.values("fund__region_code", "received_on", "amount"):
        out[(row["fund__region_code"], month_of(row["received_on"]))] += row["amount"]
    return dict(out)


def recount_spent() -> dict[tuple[str, datetime.date], Decimal]:
    out: dict[tuple[str, datetime.date], Decimal] = defaultdict(Decimal)
    booked = Disbursement.objects.filter(
        Q(status__in=COMMITTED) | Q(status=DisbursementStatus.REVERSAL)
    ).values("fund__region_code", "booked_on", "amount")
    for row in booked:
        out[(row["fund__region_code"], month_of(row["booked_on"]))] += row["amount"]
    return dict(out)


def expected_months() -> dict[tuple[int, datetime.date], dict]:
    """Every fund's months as the records say (the figures ``FundMonth`` keeps)."""
    out: dict[tuple[int, datetime.date], dict] = defaultdict(
        lambda: {
            "raised": Decimal(0),
            "spent": Decimal(0),
            "donations": 0,
            "disbursements": 0,
            "beneficiaries": 0,
            "activities": 0,
        }
    )
    for d in Donation.objects.values("fund_id", "received_on", "amount"):
        row = out[(d["fund_id"], month_of(d["received_on"]))]
        row["raised"] += d["amount"]
        row["donations"] += 1
    booked = Disbursement.objects.filter(Q(status__in=COMMITTED) | Q(status=DisbursementStatus.REVERSAL))
    payees: dict[tuple[int, datetime.date], tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for e in booked.values("fund_id", "booked_on", "amount", "recipient_id", "activity_id", "reversal"):
        key = (e["fund_id"], month_of(e["booked_on"]))
        row = out[key]
        row["spent"] += e["amount"]
        row["disbursements"] += 1 if e["amount"] > 0 else -1
        if e["amount"] > 0 and e["reversal"] is None:
            recipients, activities = payees[key]
            if e["recipient_id"]:
                recipients.add(e["recipient_id"])
            elif e["activity_id"]:
                activities.add(e["activity_id"])
    for key, (recipients, activities) in payees.items():
        out[key]["beneficiaries"] = len(recipients)
        out[key]["activities"] = len(activities)
    return dict(out)


def expected_funds() -> dict[int, dict]:
    """Every fund's running figures as the records say."""
    out = {
        f["pk"]: {"raised": Decimal(0), "spent": Decimal(0), "restricted": Decimal(0)}
        for f in Fund.objects.values("pk")
    }
    for row in Donation.objects.values("fund_id").annotate(total=Sum("amount")).order_by():
        out[row["fund_id"]]["raised"] = row["total"]
    remaining = expected_remaining()
    for row in Donation.objects.exclude(restriction="").values("pk", "fund_id"):
        out[row["fund_id"]]["restricted"] += remaining[row["pk"]]
    booked = Disbursement.objects.filter(Q(status__in=COMMITTED) | Q(status=DisbursementStatus.REVERSAL))
    for row in booked.values("fund_id").annotate(total=Sum("amount")).order_by():
        out[row["fund_id"]]["spent"] = row["total"]
    return out


def expected_remaining() -> dict[int, Decimal]:
    """Each restricted donation's remaining amount as its disbursements say."""
    out = {d["pk"]: d["amount"] for d in Donation.objects.exclude(restriction="").values("pk", "amount")}
    booked = Disbursement.objects.filter(
        Q(status__in=COMMITTED) | Q(status=DisbursementStatus.REVERSAL), donation__isnull=False
    )
    for row in booked.values("donation_id").annotate(total=Sum("amount")).order_by():
        out[row["donation_id"]] -= row["total"]
    return out


def reconcile(*, fix: bool = True) -> list[str]:
    """Compare the funds, their months and the restricted donations with the records; repair unless ``fix`` is
    False. Returns a line per difference. Runs with whatever scope is active (the demo and tests: unscoped)."""
    drifts: list[str] = []
    remaining = expected_remaining()
    for donation in Donation.objects.exclude(restriction="").only("pk", "remaining"):
        if donation.remaining != remaining[donation.pk]:
            drifts.append(
                f"donation {donation.pk}: remaining {donation.remaining} != {remaining[donation.pk]}"
            )
            if fix:
                Donation.objects.filter(pk=donation.pk).update(remaining=remaining[donation.pk])
    funds = expected_funds()
    for fund in Fund.objects.all():
        want = funds[fund.pk]
        have = {"raised": fund.raised, "spent": fund.spent, "restricted": fund.balance - fund.unrestricted}
        if want != have:
            drifts.append(f"fund {fund.pk}: {have} != {want}")
            if fix:
                balance = want["raised"] - want["spent"]
                Fund.objects.filter(pk=fund.pk).update(
                    raised=want["raised"],
                    spent=want["spent"],
                    balance=balance,
                    unrestricted=balance - want["restricted"],
                )
    months = expected_months()
    stored = {(m.fund_id, m.month): m for m in FundMonth.objects.all()}
    fields = ("raised", "spent", "donations", "disbursements", "beneficiaries", "activities")
    for key in sorted(set(months) | set(stored)):
        want = months.get(key)
        row = stored.get(key)
        have = {f: getattr(row, f) for f in fields} if row else None
        empty = want is None or not any(want.values())
        if (have is None and empty) or (have is not None and want is not None and have == want):
            continue
        if have is not None and empty and not any(have.values()):
            continue
        drifts.append(f"fund {key[0]} month {key[1]}: {have} != {want}")
        if fix:
            if want is None:
                row.delete()
            elif row is None:
                fund = Fund.objects.get(pk=key[0])
                FundMonth.objects.create(fund=fund, month=key[1], region_code=fund.region_code, **want)
            else:
                FundMonth.objects.filter(pk=row.pk).update(**want)
    return drifts

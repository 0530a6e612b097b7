"""Money under concurrency, on PostgreSQL with real separate connections (SQLite runs one writer at a time)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shegong.charity import ledger, services
from shegong.charity.models import Disbursement, DisbursementStatus, Donation, Fund
from shegong.core.scoping import unscoped
from tests.charity.helpers import ask, give, make_fund, officials
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import make_recipient


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one write transaction at a time: the race needs PostgreSQL's concurrent writers"
        )


def _race(jobs):
    """Run each job in its own thread (its own database connection), all released at once."""
    start, outcomes = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            with unscoped():
                start.wait(10)
                outcomes.append(("ok", job()))
        except ValidationError as exc:
            outcomes.append(("refused", exc))
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            outcomes.append(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_last_yuan_cannot_both_succeed(world):
    _postgres_only()
    requester, approver = officials()
    fund = make_fund()
    give(fund, "100.00")
    recipient = make_recipient(VILLAGE_A1)
    # Each fits the balance alone; together they exceed it by one yuan.
    first = ask(fund, "60.00", actor=requester, recipient=recipient)
    second = ask(fund, "41.00", actor=requester, recipient=recipient)

    def approve(entry):
        return lambda: services.disbursement_approve(
            actor=approver, disbursement=Disbursement.objects.get(pk=entry.pk)
        )

    outcomes = _race([approve(first), approve(second)])
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    fund = Fund.objects.get(pk=fund.pk)
    approved = Disbursement.objects.filter(fund=fund, status=DisbursementStatus.APPROVED)
    assert approved.count() == 1
    assert fund.balance == Decimal("100.00") - approved.get().amount >= 0
    assert ledger.reconcile(fix=False) == []


@pytest.mark.django_db(transaction=True)
def test_many_approvals_racing_never_overspend(world):
    _postgres_only()
    requester, approver = officials()
    fund = make_fund()
    give(fund, "100.00")
    recipient = make_recipient(VILLAGE_A1)
    entries = [ask(fund, "30.00", actor=requester, recipient=recipient) for _ in range(6)]
    outcomes = _race(
        [
            (
                lambda e=e: services.disbursement_approve(
                    actor=approver, disbursement=Disbursement.objects.get(pk=e.pk)
                )
            )
            for e in entries
        ]
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok"] * 3 + ["refused"] * 3, outcomes
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.balance == Decimal("10.00")
    assert ledger.reconcile(fix=False) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_donations_get_distinct_gap_free_receipts(world):
    _postgres_only()
    fund = make_fund()
    writers = 8
    outcomes = _race([(lambda i=i: give(Fund.objects.get(pk=fund.pk), 10 + i)) for i in range(writers)])
    assert [kind for kind, _ in outcomes] == ["ok"] * writers, outcomes
    seqs = sorted(Donation.objects.filter(fund=fund).values_list("receipt_seq", flat=True))
    assert seqs == list(range(1, writers + 1))
    numbers = set(Donation.objects.filter(fund=fund).values_list("receipt_no", flat=True))
    assert len(numbers) == writers
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.receipts_issued == writers
    assert fund.raised == sum(Decimal(10 + i) for i in range(writers))
    assert ledger.reconcile(fix=False) == []

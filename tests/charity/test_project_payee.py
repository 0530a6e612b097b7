"""A fund pays a purchased-service project (charity reads projects; projects never import charity): the payee is one
of a recipient, an activity or a project; the money counts as spent, the project as neither a beneficiary nor an
activity, and the reversal names the same project."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shegong.charity import ledger, services
from shegong.charity.models import FundMonth
from shegong.charity.services import disbursement_request
from tests.factories import VILLAGE_A1
from tests.projects.helpers import make_project
from tests.recipients.helpers import make_recipient

from .helpers import give, make_fund, officials

pytestmark = pytest.mark.django_db


def _ask(fund, actor, **payees):
    data = {"amount": Decimal("300"), "purpose": "hardship", "description": "项目配套资金", **payees}
    return disbursement_request(actor=actor, fund=fund, data=data)


def test_a_fund_pays_a_project_and_the_ledger_counts_it_as_spent(world):
    requester, approver = officials()
    fund = make_fund()
    give(fund, 1000)
    project = make_project(world)
    entry = services.disbursement_approve(actor=approver, disbursement=_ask(fund, requester, project=project))
    assert entry.region_code == project.region_code
    month = FundMonth.objects.get(fund=fund)
    assert (month.spent, month.beneficiaries, month.activities) == (Decimal("300.00"), 0, 0)
    reversal = services.disbursement_reverse(actor=approver, disbursement=entry, reason="项目终止，退回")
    assert reversal.project_id == project.pk
    assert not ledger.reconcile(fix=False)


def test_one_payee_only(world):
    requester, _approver = officials()
    fund = make_fund()
    give(fund, 1000)
    with pytest.raises(ValidationError) as raised:
        _ask(fund, requester, project=make_project(world), recipient=make_recipient(VILLAGE_A1))
    assert "recipient" in raised.value.message_dict

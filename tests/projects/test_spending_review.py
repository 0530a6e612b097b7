"""Expenditures carry a voucher, are approved by the operator's finance (never by the one who recorded them) and
reviewed by the buyer; only then do they count as spent. Overspending is refused or flagged by local policy."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.accounts.actor import Actor
from shegong.projects import selectors, services
from shegong.projects.models import Expenditure, ExpenditureStatus
from shegong.projects.services import OverBudget
from shegong.regions.models import RegionStandard

from ..factories import TOWN_A, make_user
from .helpers import make_project, official, operator, pdf, spend

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 1)


def _line(world, amount="1000.00"):
    project = make_project(world)
    line = services.budget_line_set(
        actor=official(world), project=project, category="supplies", amount=amount
    )
    return project, line


def _record(actor, project, line, amount, voucher=None):
    return services.expenditure_record(
        actor=actor,
        project=project,
        line=line,
        amount=amount,
        spent_on=TODAY,
        description="物资",
        voucher=voucher if voucher is not None else pdf("发票.pdf"),
    )


def test_an_expenditure_needs_a_voucher_of_an_accepted_type(world):
    project, line = _line(world)
    with pytest.raises(ValidationError) as missing:
        services.expenditure_record(
            actor=operator(world), project=project, line=line, amount="10", spent_on=TODAY, description="x"
        )
    assert "凭证" in missing.value.message_dict["voucher"][0]
    from shegong.core.uploads import Upload

    with pytest.raises(ValidationError) as wrong:
        _record(operator(world), project, line, "10", voucher=Upload("a.txt", b"hello"))
    assert "不是 PDF" in wrong.value.message_dict["voucher"][0]
    assert not Expenditure.objects.exists()


def test_the_recorder_cannot_approve_their_own_expenditure(world):
    project, line = _line(world)
    clerk = operator(world)
    expenditure = _record(clerk, project, line, "100")
    with pytest.raises(ValidationError) as refused:
        services.expenditure_approve(actor=clerk, expenditure=expenditure)
    assert "不能审核自己" in refused.value.message_dict["status"][0]
    with pytest.raises(PermissionDenied):  # a worker is no finance
        services.expenditure_approve(
            actor=Actor.for_user(make_user(("worker", TOWN_A))), expenditure=expenditure
        )
    finance = operator(world)
    approved = services.expenditure_approve(actor=finance, expenditure=expenditure)
    assert approved.status == ExpenditureStatus.APPROVED and approved.approved_by == finance.user


def test_only_approved_and_reviewed_spending_counts(world):
    project, line = _line(world)
    clerk, finance, buyer = operator(world), operator(world), official(world)
    expenditure = _record(clerk, project, line, "300")
    view = selectors.budget(project, today=TODAY)
    assert (view.spent, view.pending) == (Decimal("0"), Decimal("300.00"))
    with pytest.raises(ValidationError):  # the buyer reviews only what finance approved
        services.expenditure_review(actor=buyer, expenditure=expenditure)
    with pytest.raises(PermissionDenied):  # the operator cannot review its own spending
        services.expenditure_review(actor=finance, expenditure=expenditure)
    services.expenditure_approve(actor=finance, expenditure=expenditure)
    assert selectors.budget(project, today=TODAY).spent == Decimal("0")
    services.expenditure_review(actor=buyer, expenditure=expenditure)
    view = selectors.budget(project, today=TODAY)
    assert (view.spent, view.pending) == (Decimal("300.00"), Decimal("0"))
    line.refresh_from_db()
    assert line.spent == Decimal("300.00")
    rejected = _record(clerk, project, line, "50")
    services.expenditure_reject(actor=finance, expenditure=rejected, note="发票抬头不符")
    assert selectors.budget(project, today=TODAY).pending == Decimal("0")


def test_over_budget_is_refused_where_the_region_says_so_and_flagged_elsewhere(world):
    from shegong.notifications.models import Message

    project, line = _line(world, "100")
    _record(operator(world), project, line, "80")  # pending money is committed to the line
    with pytest.raises(OverBudget):
        _record(operator(world), project, line, "20.01")
    RegionStandard.objects.create(region=world.regions["district"], overspend_refused=False)
    flagged = _record(operator(world), project, line, "20.01")
    assert flagged.over_budget
    assert Message.objects.filter(kind="project_overspend", recipient=world.official_a).exists()
    services.expenditure_approve(actor=operator(world), expenditure=flagged)
    services.expenditure_review(actor=official(world), expenditure=flagged)
    line.refresh_from_db()
    assert line.spent == Decimal("20.01")
    [shown] = selectors.budget(project, today=TODAY).lines
    assert shown.over and shown.flagged
    assert project in selectors.project_list(flag="over_budget")


def test_the_pages_approve_and_review(world, client):
    from ..factories import login_client

    project, line = _line(world)
    expenditure = spend(world, project, line, "10", spent_on=TODAY, review=False)
    finance_user = make_user(("operator", TOWN_A), organisation=world.org_a)
    login_client(client, finance_user)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "待审核支出" in page and "财务审核通过" in page
    url = f"/projects/{project.pk}/spending/{expenditure.pk}/"
    client.post(url, {"action": "approve"})
    login_client(client, world.official_a)
    client.post(url, {"action": "review"})
    expenditure.refresh_from_db()
    assert expenditure.status == ExpenditureStatus.REVIEWED and expenditure.approved_by == finance_user
    api = client.post(f"/api/v1/projects/{project.pk}/expenditures/{expenditure.pk}/review")
    assert api.status_code == 422  # already reviewed

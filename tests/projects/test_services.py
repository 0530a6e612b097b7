import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.people.models import DishonestyEntry
from shegong.projects import selectors, services
from shegong.projects.models import Expenditure, ProjectStaff, ProjectState
from shegong.projects.services import OverBudget

from .helpers import (
    make_project,
    make_worker,
    official,
    operator,
    pdf,
    spend,
    township,
    upload_document,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 7, 1)


def test_a_filed_worker_on_an_active_project_cannot_join_a_second_one(world):
    first = make_project(world)
    second = make_project(world)
    worker = make_worker(world, "李四")
    op = operator(world)
    services.staff_add(actor=op, project=first, worker=worker, start_date=datetime.date(2026, 1, 5))
    with pytest.raises(ValidationError) as refused:
        services.staff_add(actor=op, project=second, worker=worker)
    message = refused.value.message_dict["worker"][0]
    assert first.name in message and first.code in message
    assert not ProjectStaff.objects.filter(project=second).exists()


def test_after_the_first_project_closes_the_worker_may_join_another(world):
    first = make_project(world)
    second = make_project(world)
    worker = make_worker(world)
    services.staff_add(actor=operator(world), project=first, worker=worker)
    type(first)._base.filter(pk=first.pk).update(state=ProjectState.CLOSED)
    services.staff_add(actor=operator(world), project=second, worker=worker)
    assert ProjectStaff.objects.filter(project=second, worker=worker).exists()


def test_filing_follows_the_local_deadline_and_is_flagged_when_late(world):
    project = make_project(world)
    staff = services.staff_add(
        actor=operator(world),
        project=project,
        worker=make_worker(world),
        start_date=datetime.date(2026, 3, 1),
    )
    rows = selectors.staff_rows(project, today=datetime.date(2026, 3, 9))
    assert rows[0].filing_due == datetime.date(2026, 3, 8) and rows[0].overdue
    services.staff_filing_submit(actor=operator(world), staff=staff)
    services.staff_filing_confirm(actor=official(world), staff=staff)
    assert not selectors.staff_rows(project, today=datetime.date(2026, 3, 9))[0].overdue


def test_lifecycle_steps_are_taken_by_the_allowed_role_in_order(world):
    project = make_project(world, state=ProjectState.DEMAND)
    with pytest.raises(PermissionDenied):
        services.project_transition(actor=operator(world), project=project, to_state=ProjectState.APPROVED)
    with pytest.raises(ValidationError) as no_plan:
        services.project_transition(actor=township(world), project=project, to_state=ProjectState.APPROVED)
    assert "计划书" in no_plan.value.message_dict["to_state"][0]
    upload_document(world, project, "plan")
    services.project_transition(actor=township(world), project=project, to_state=ProjectState.APPROVED)
    with pytest.raises(ValidationError):  # no staff yet
        services.project_transition(actor=operator(world), project=project, to_state=ProjectState.STAFFING)
    services.staff_add(actor=operator(world), project=project, worker=make_worker(world))
    with pytest.raises(ValidationError) as no_agreement:
        services.project_transition(actor=operator(world), project=project, to_state=ProjectState.STAFFING)
    assert "协议" in no_agreement.value.message_dict["to_state"][0]
    upload_document(world, project, "agreement")
    services.project_transition(actor=operator(world), project=project, to_state=ProjectState.STAFFING)
    with pytest.raises(ValidationError) as skipped:
        services.project_transition(
            actor=operator(world), project=project, to_state=ProjectState.FINAL_REVIEW
        )
    assert "to_state" in skipped.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        services.project_transition(actor=official(world), project=project, to_state=ProjectState.TERMINATED)
    assert "note" in no_reason.value.message_dict
    services.project_transition(
        actor=official(world),
        project=project,
        to_state=ProjectState.TERMINATED,
        note="承接机构不按计划书实施",
    )
    project.refresh_from_db()
    assert project.state == ProjectState.TERMINATED and project.termination_reason
    assert project.staff.filter(end_date__isnull=True).count() == 0
    assert [t.to_state for t in project.transitions.all()][-1] == ProjectState.TERMINATED


def _budget(world, amount="1000.00"):
    project = make_project(world)
    line = services.budget_line_set(
        actor=official(world), project=project, category="activities", amount=amount
    )
    return project, line


def test_spending_within_the_line_is_recorded_in_decimal_yuan(world):
    project, line = _budget(world)
    spend(world, project, line, "999.99", spent_on=TODAY, description="活动物资")
    line.refresh_from_db()
    assert line.spent == Decimal("999.99") and line.remaining == Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "words"),
    [("12.345", "两位小数"), ("-5", "负数"), ("abc", "格式"), ("0", "大于零"), ("", "金额")],
)
def test_bad_amounts_name_the_field(world, amount, words):
    project, line = _budget(world)
    with pytest.raises(ValidationError) as refused:
        services.expenditure_record(
            actor=operator(world),
            project=project,
            line=line,
            amount=amount,
            spent_on=TODAY,
            description="x",
            voucher=pdf(),
        )
    assert words in refused.value.message_dict["amount"][0]


def test_spending_over_the_line_is_refused_flagged_and_notified(world):
    from shegong.notifications.models import Message

    project, line = _budget(world)
    op = operator(world)
    spend(world, project, line, "800", spent_on=TODAY, description="a")
    with pytest.raises(OverBudget) as refused:
        services.expenditure_record(
            actor=op,
            project=project,
            line=line,
            amount="200.01",
            spent_on=TODAY,
            description="b",
            voucher=pdf(),
        )
    assert "超出预算" in refused.value.message_dict["amount"][0]
    line.refresh_from_db()
    assert line.spent == Decimal("800.00") and line.refused_attempts == 1
    assert Expenditure.objects.filter(project=project).count() == 1
    assert Message.objects.filter(kind="project_overspend", recipient=world.official_a).exists()
    assert selectors.budget(project, today=TODAY).flagged == [line]
    assert project in selectors.project_list(flag="over_budget")


def test_a_clawback_can_list_the_worker_as_dishonest(world):
    project = make_project(world)
    staff = services.staff_add(
        actor=operator(world),
        project=project,
        worker=make_worker(world, "王五"),
        start_date=datetime.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError) as no_breach:
        services.clawback_record(
            actor=official(world), project=project, amount="5000", reason="x", staff=staff, list_worker=True
        )
    assert "list_worker" in no_breach.value.message_dict
    services.staff_end(actor=operator(world), staff=staff, end_date=datetime.date(2026, 6, 1))
    staff.refresh_from_db()
    assert staff.breaches == ["no_notice", "no_replacement"]
    clawback = services.clawback_record(
        actor=official(world),
        project=project,
        amount="5000",
        reason="王五未满 30 天即离岗",
        staff=staff,
        list_worker=True,
    )
    assert clawback.amount == Decimal("5000.00")
    assert DishonestyEntry.objects.filter(worker=staff.worker).exists()
    with pytest.raises(PermissionDenied):
        services.clawback_record(actor=operator(world), project=project, amount="1", reason="x")


def test_a_project_is_not_behind_for_a_fraction_of_one_record_in_its_first_days(world):
    """On the 2nd day of a year-long project, 36 activities a year expect 0.2 of one: holding none is not
    behind. Once a whole activity is due and missing it is."""
    project = make_project(world, regions=("village_a1",))
    services.target_set(actor=official(world), project=project, indicator="activities", quantity="36")
    [item] = selectors.progress(project, today=datetime.date(2026, 1, 2))
    assert item.expected == Decimal("0.2") and item.actual == 0 and not item.behind
    assert not selectors.is_behind(project, today=datetime.date(2026, 1, 2))
    [item] = selectors.progress(project, today=datetime.date(2026, 1, 10))
    assert item.expected == Decimal("1.0") and item.behind


def test_actuals_are_the_linked_activities_over_the_period_and_flag_a_project_behind(world):
    from shegong.activities.models import Activity

    project = make_project(world, regions=("village_a1",))
    services.target_set(actor=official(world), project=project, indicator="activities", quantity="24")
    node = world.station_a
    for day, linked in (
        (datetime.date(2026, 2, 3), project),
        (datetime.date(2026, 2, 9), project),
        (datetime.date(2026, 5, 3), project),
        (datetime.date(2026, 5, 4), None),  # held, but not under the project
        (datetime.date(2026, 7, 3), project),  # after "today"
    ):
        Activity.objects.create(node=node, title=f"活动{day}", held_on=day, project=linked)
    [item] = selectors.progress(project, today=TODAY)
    assert item.actual == 3
    assert item.expected == Decimal("12.0")  # 24 × 182/365 (1 January to 1 July inclusive)
    assert item.behind  # 3 < 12 × 0.9
    rows = selectors.drilldown(project, "activities", today=TODAY)
    assert [r.day for r in rows] == [
        datetime.date(2026, 2, 3),
        datetime.date(2026, 2, 9),
        datetime.date(2026, 5, 3),
    ]
    assert project in selectors.project_list(flag="behind", today=TODAY)


def test_a_satisfaction_target_is_held_all_period_not_paced(world):
    project = make_project(world)
    services.target_set(actor=official(world), project=project, indicator="satisfaction", quantity="90")
    [item] = selectors.progress(project, today=TODAY)
    assert item.counted and item.expected == 90 and item.actual == 0 and item.behind

"""The projects API does every write the project page does, through the same services: each operation changes the
database as the page would, answers a refusal with a 422 naming the field, and a 403 where the page refuses the
role. (Other regions and unrelated operators get 404: tests/cross_region/projects.py.)"""

import datetime
import json

import pytest

from shegong.accounts.actor import Actor
from shegong.audit.models import AuditEvent
from shegong.people.models import AssignmentFilingStatus, DishonestyEntry
from shegong.projects import services
from shegong.projects.models import (
    BudgetLine,
    ClawBack,
    Expenditure,
    ExpenditureStatus,
    Payment,
    Project,
    ProjectState,
    Release,
    Target,
)

from ..factories import TOWN_A, VILLAGE_A1, VILLAGE_B1, login_client, make_user
from .helpers import make_project, make_worker, official, operator, pdf, upload_document

pytestmark = pytest.mark.django_db


def _operator_user(world, org=None):
    return make_user(("operator", TOWN_A), organisation=org or world.org_a)


def _as(client, user):
    login_client(client, user)
    return client


def _send(client, method, url, body=None):
    kwargs = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1/projects{url}", **kwargs)


def _post(client, url, body=None):
    return _send(client, "post", url, body)


def _put(client, url, body):
    return _send(client, "put", url, body)


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return [e["field"] for e in body["detail"]]


def _blank_refused(response, field: str) -> bool:
    """A required text of blanks only is refused by every strict body (core.api.StrictSchema), its message
    naming the field."""
    return _fields(response) == [""] and f"{field}: " in response.json()["detail"][0]["message"]


def _staff(world, project, start=datetime.date(2026, 1, 5)):
    return services.staff_add(
        actor=operator(world, org=project.operator),
        project=project,
        worker=make_worker(world),
        start_date=start,
    )


# Creating a project -----------------------------------------------------------------------------------------------


def _new_project(**changes):
    body = {
        "code": "YZ-API-001",
        "name": "七星岗困难家庭服务项目",
        "buyer": TOWN_A,
        "operator": None,
        "kind": "basic_poor",
        "field": "assistance",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "contract_amount": "200000.00",
        "government_funds": "150000.00",
        "charity_funds": "50000.00",
        "service_regions": [VILLAGE_A1],
    }
    return {**body, **changes}


def test_the_buyer_publishes_a_project(world, client):
    response = _post(_as(client, world.official_a), "", _new_project(operator=world.org_a.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert (project.code, project.state, project.buyer_id, project.operator_id) == (
        "YZ-API-001",
        ProjectState.DEMAND,
        TOWN_A,
        world.org_a.pk,
    )
    assert project.buyer_name == world.regions["town_a"].name  # blank: the region's name, as on the page
    assert [r.code for r in project.service_regions.all()] == [VILLAGE_A1]
    assert body["contract_amount"] == "200000.00" and body["regions"] == [VILLAGE_A1]
    assert project.transitions.count() == 1
    assert AuditEvent.objects.filter(action="projects.project.create").count() == 1


def test_a_project_serving_outside_the_buyer_area_is_refused_naming_the_field(world, client):
    client = _as(client, world.official_a)
    outside = _post(client, "", _new_project(operator=world.org_a.pk, service_regions=[VILLAGE_B1]))
    assert _fields(outside) == ["service_regions"]
    over = _post(client, "", _new_project(operator=world.org_a.pk, charity_funds="60000.00"))
    assert _fields(over) == ["charity_funds"]
    bad_date = _post(client, "", _new_project(operator=world.org_a.pk, starts_on="2026-02-30"))
    assert _fields(bad_date) == ["starts_on"]
    assert not Project.objects.exists()


def test_only_the_buyer_publishes_and_never_for_a_region_it_cannot_see(world, client):
    assert (
        _post(_as(client, _operator_user(world)), "", _new_project(operator=world.org_a.pk)).status_code
        == 403
    )
    township_b = make_user(("township", "500103002000"))
    assert _post(_as(client, township_b), "", _new_project(operator=world.org_b.pk)).status_code == 404
    assert not Project.objects.exists()


# Lifecycle --------------------------------------------------------------------------------------------------------


def test_a_step_moves_the_project_as_the_page_does(world, client):
    project = make_project(world, state=ProjectState.DEMAND)
    upload_document(world, project, "plan")
    client = _as(client, world.official_a)
    assert _post(client, f"/{project.pk}/steps", {"to_state": "approved"}).status_code == 201
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED and project.approved_on == datetime.date.today()
    steps = _send(client, "get", f"/{project.pk}/steps").json()
    assert steps["state"] == "approved"
    assert [s["to_state"] for s in steps["history"]] == ["demand", "approved"]
    assert steps["next"] == []  # the next step (staffing) is the operator's
    login_client(client, _operator_user(world))
    assert [s["to_state"] for s in _send(client, "get", f"/{project.pk}/steps").json()["next"]] == [
        "staffing"
    ]


def test_a_step_out_of_turn_or_without_its_document_is_refused_naming_the_field(world, client):
    project = make_project(world, state=ProjectState.DEMAND)
    client = _as(client, world.official_a)
    assert _fields(_post(client, f"/{project.pk}/steps", {"to_state": "approved"})) == ["to_state"]  # no plan
    assert _fields(_post(client, f"/{project.pk}/steps", {"to_state": "closed"})) == ["to_state"]
    assert _fields(_post(client, f"/{project.pk}/steps", {"to_state": "nowhere"})) == ["to_state"]
    assert _fields(_post(client, f"/{project.pk}/steps", {"to_state": "terminated", "note": " "})) == ["note"]
    project.refresh_from_db()
    assert project.state == ProjectState.DEMAND


def test_termination_needs_the_buyer_and_ends_every_post(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    body = {"to_state": "terminated", "note": "机构无法继续履约"}
    assert _post(_as(client, _operator_user(world)), f"/{project.pk}/steps", body).status_code == 403
    login_client(client, world.official_a)
    response = _post(client, f"/{project.pk}/steps", body)
    assert response.status_code == 201 and response.json()["note"] == "机构无法继续履约"
    project.refresh_from_db()
    staff.refresh_from_db()
    assert project.state == ProjectState.TERMINATED and project.termination_reason == "机构无法继续履约"
    assert staff.end_date == datetime.date.today()


def test_the_operator_cannot_approve_a_step(world, client):
    project = make_project(world, state=ProjectState.DEMAND)
    upload_document(world, project, "plan")
    response = _post(_as(client, _operator_user(world)), f"/{project.pk}/steps", {"to_state": "approved"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.state == ProjectState.DEMAND


# Targets and budget -----------------------------------------------------------------------------------------------


def test_the_buyer_sets_a_target_and_a_budget_line(world, client):
    project = make_project(world)
    client = _as(client, world.official_a)
    target = _put(client, f"/{project.pk}/targets/visits", {"quantity": "120"})
    assert target.status_code == 200, target.content
    assert target.json()["indicator"] == "visits" and target.json()["target"] == "120.0"
    assert Target.objects.get(project=project, indicator="visits").quantity == 120
    assert _put(client, f"/{project.pk}/targets/visits", {"quantity": "150.5"}).json()["target"] == "150.5"
    assert (
        Target.objects.get(project=project, indicator="visits").quantity == 150.5
    )  # the same target, changed
    line = _put(client, f"/{project.pk}/budget/supplies", {"amount": "1000.00"})
    assert line.status_code == 200 and line.json()["amount"] == "1000.00"
    assert BudgetLine.objects.get(project=project, category="supplies").amount == 1000
    detail = _send(client, "get", f"/{project.pk}").json()
    assert [t["indicator"] for t in detail["targets"]] == ["visits"]
    assert [b["category"] for b in detail["budget"]] == ["supplies"]


def test_a_bad_target_or_budget_is_refused_naming_the_field(world, client):
    project = make_project(world, amount="1000.00")
    client = _as(client, world.official_a)
    assert _fields(_put(client, f"/{project.pk}/targets/visits", {"quantity": "0"})) == ["quantity"]
    assert _fields(_put(client, f"/{project.pk}/targets/visits", {"quantity": "1.25"})) == ["quantity"]
    assert _fields(_put(client, f"/{project.pk}/budget/supplies", {"amount": "1000.001"})) == ["amount"]
    assert _fields(_put(client, f"/{project.pk}/budget/supplies", {"amount": "2000.00"})) == ["amount"]
    assert _send(client, "put", f"/{project.pk}/budget/nothing", {"amount": "1.00"}).status_code == 422
    assert not Target.objects.exists() and not BudgetLine.objects.exists()


def test_the_operator_cannot_set_targets_or_budget(world, client):
    project = make_project(world)
    client = _as(client, _operator_user(world))
    assert _put(client, f"/{project.pk}/targets/visits", {"quantity": "10"}).status_code == 403
    assert _put(client, f"/{project.pk}/budget/supplies", {"amount": "10.00"}).status_code == 403
    assert not Target.objects.exists() and not BudgetLine.objects.exists()


# Staff ------------------------------------------------------------------------------------------------------------


def test_filing_is_submitted_by_the_operator_and_confirmed_by_the_bureau(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    client = _as(client, _operator_user(world))
    listed = _send(client, "get", f"/{project.pk}/staff").json()
    assert [(s["id"], s["filing_status"]) for s in listed] == [(staff.pk, "unfiled")]
    submitted = _post(client, f"/{project.pk}/staff/{staff.pk}/filing")
    assert submitted.status_code == 200 and submitted.json()["filing_status"] == "submitted"
    staff.refresh_from_db()
    assert staff.filing_status == AssignmentFilingStatus.SUBMITTED
    assert _fields(_post(client, f"/{project.pk}/staff/{staff.pk}/filing")) == ["filing_status"]
    assert _post(client, f"/{project.pk}/staff/{staff.pk}/filing/confirm").status_code == 403
    login_client(client, world.official_a)
    confirmed = _post(client, f"/{project.pk}/staff/{staff.pk}/filing/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["filing_confirmed_on"] == str(
        datetime.date.today()
    )
    staff.refresh_from_db()
    assert staff.filing_status == AssignmentFilingStatus.CONFIRMED
    assert _fields(_post(client, f"/{project.pk}/staff/{staff.pk}/filing/confirm")) == ["filing_status"]


def test_notice_and_leaving_are_recorded_and_a_breach_flagged(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    client = _as(client, _operator_user(world))
    future = str(datetime.date.today() + datetime.timedelta(days=1))
    assert _fields(_post(client, f"/{project.pk}/staff/{staff.pk}/notice", {"notice_date": future})) == [
        "notice_date"
    ]
    notice = _post(client, f"/{project.pk}/staff/{staff.pk}/notice", {"notice_date": "2026-03-02"})
    assert notice.status_code == 200 and notice.json()["notice_date"] == "2026-03-02"
    assert _fields(_post(client, f"/{project.pk}/staff/{staff.pk}/end", {"end_date": "2026-01-01"})) == [
        "end_date"
    ]
    ended = _post(client, f"/{project.pk}/staff/{staff.pk}/end", {"end_date": "2026-03-10"})
    assert ended.status_code == 200, ended.content
    staff.refresh_from_db()
    assert staff.notice_date == datetime.date(2026, 3, 2) and staff.end_date == datetime.date(2026, 3, 10)
    assert set(ended.json()["breaches"]) == {"short_notice", "no_replacement"} == set(staff.breaches)


def test_leaving_names_a_replacement_of_the_same_project_only(world, client):
    project, other = make_project(world), make_project(world)
    staff = _staff(world, project)
    elsewhere = _staff(world, other)
    client = _as(client, _operator_user(world))
    url = f"/{project.pk}/staff/{staff.pk}/end"
    assert _post(client, url, {"end_date": "2026-03-10", "replacement": elsewhere.pk}).status_code == 404
    assert _fields(_post(client, url, {"end_date": "2026-03-10", "replacement": staff.pk})) == ["replacement"]
    replacement = _staff(world, project, start=datetime.date(2026, 3, 1))
    ended = _post(client, url, {"end_date": "2026-03-10", "replacement": replacement.pk})
    assert ended.json()["replacement"] == replacement.pk


def test_the_bureau_cannot_give_notice_or_end_a_post_for_the_operator(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    client = _as(client, world.official_a)
    assert (
        _post(client, f"/{project.pk}/staff/{staff.pk}/notice", {"notice_date": "2026-03-02"}).status_code
        == 403
    )
    assert _post(client, f"/{project.pk}/staff/{staff.pk}/end", {"end_date": "2026-03-10"}).status_code == 403
    staff.refresh_from_db()
    assert staff.notice_date is None and staff.end_date is None


# Expenditures -----------------------------------------------------------------------------------------------------


def _expenditure(world, project, recorder):
    line = services.budget_line_set(actor=official(world), project=project, category="supplies", amount="500")
    return services.expenditure_record(
        actor=recorder,
        project=project,
        line=line,
        amount="80.00",
        spent_on=datetime.date(2026, 3, 1),
        description="米面油",
        voucher=pdf("发票.pdf"),
    )


def test_finance_sends_a_pending_expenditure_back_with_its_reason(world, client):
    project = make_project(world)
    expenditure = _expenditure(world, project, operator(world))
    client = _as(client, _operator_user(world))  # the operator's finance, not the recorder
    listed = _send(client, "get", f"/{project.pk}/expenditures?status=pending").json()
    assert [e["id"] for e in listed["results"]] == [expenditure.pk] and listed["count"] == 1
    url = f"/{project.pk}/expenditures/{expenditure.pk}/reject"
    assert _fields(_post(client, url, {"rejection_note": ""})) == ["rejection_note"]
    assert _blank_refused(_post(client, url, {"rejection_note": "  "}), "rejection_note")
    rejected = _post(client, url, {"rejection_note": "发票抬头不符"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    expenditure.refresh_from_db()
    assert expenditure.status == ExpenditureStatus.REJECTED and expenditure.rejection_note == "发票抬头不符"
    login_client(client, world.official_a)  # once it is no longer pending, sending it back is the buyer's
    assert _fields(_post(client, url, {"rejection_note": "再退"})) == ["status"]
    assert _send(client, "get", f"/{project.pk}/expenditures?status=pending").json()["count"] == 0


def test_the_recorder_cannot_send_back_their_own_and_the_buyer_waits_for_finance(world, client):
    project = make_project(world)
    recorder_user = _operator_user(world)
    expenditure = _expenditure(world, project, Actor.for_user(recorder_user))
    url = f"/{project.pk}/expenditures/{expenditure.pk}/reject"
    assert _fields(_post(_as(client, recorder_user), url, {"rejection_note": "x"})) == ["status"]
    # While pending it is the operator's finance's to send back, not the buyer's.
    assert _post(_as(client, world.official_a), url, {"rejection_note": "x"}).status_code == 403
    expenditure.refresh_from_db()
    assert expenditure.status == ExpenditureStatus.PENDING
    services.expenditure_approve(actor=operator(world), expenditure=expenditure)
    assert _post(client, url, {"rejection_note": "超出范围"}).json()["status"] == "rejected"
    assert Expenditure.objects.get(pk=expenditure.pk).status == ExpenditureStatus.REJECTED


# Payments and claw-backs ------------------------------------------------------------------------------------------


def test_the_buyer_records_a_payment(world, client):
    project = make_project(world)
    client = _as(client, world.official_a)
    body = {"milestone": "首期款", "amount": "90000.00", "paid_on": "2026-02-01"}
    created = _post(client, f"/{project.pk}/payments", body)
    assert created.status_code == 201 and created.json()["amount"] == "90000.00"
    payment = Payment.objects.get(project=project)
    assert (payment.milestone, payment.amount, payment.paid_on) == (
        "首期款",
        90000,
        datetime.date(2026, 2, 1),
    )
    assert [p["id"] for p in _send(client, "get", f"/{project.pk}/payments").json()] == [payment.pk]
    assert _fields(_post(client, f"/{project.pk}/payments", {**body, "amount": "0"})) == ["amount"]
    assert _fields(_post(client, f"/{project.pk}/payments", {**body, "milestone": ""})) == ["milestone"]
    assert _post(_as(client, _operator_user(world)), f"/{project.pk}/payments", body).status_code == 403
    assert Payment.objects.count() == 1


def test_the_bureau_claws_back_and_lists_a_worker_who_broke_the_leaving_rules(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    kept = _staff(world, project)
    services.staff_end(actor=operator(world), staff=staff, end_date=datetime.date(2026, 3, 10))
    client = _as(client, world.official_a)
    body = {"amount": "3000.00", "reason": "人员违规离职", "staff": kept.pk, "list_worker": True}
    assert _fields(_post(client, f"/{project.pk}/clawbacks", body)) == ["list_worker"]  # no breach on record
    assert _fields(
        _post(client, f"/{project.pk}/clawbacks", {**body, "amount": "abc", "list_worker": False})
    ) == ["amount"]
    created = _post(client, f"/{project.pk}/clawbacks", {**body, "staff": staff.pk})
    assert created.status_code == 201 and created.json()["staff"] == staff.pk
    clawback = ClawBack.objects.get(project=project)
    assert clawback.amount == 3000 and clawback.reason == "人员违规离职"
    assert DishonestyEntry.objects.filter(worker=staff.worker).exists()
    assert [c["id"] for c in _send(client, "get", f"/{project.pk}/clawbacks").json()] == [clawback.pk]
    other = _staff(world, make_project(world))
    assert _post(client, f"/{project.pk}/clawbacks", {**body, "staff": other.pk}).status_code == 404
    login_client(client, _operator_user(world))
    assert _post(client, f"/{project.pk}/clawbacks", {**body, "list_worker": False}).status_code == 403
    assert ClawBack.objects.count() == 1


# Releases ---------------------------------------------------------------------------------------------------------


def test_a_release_is_corrected_by_a_new_version(world, client):
    project = make_project(world)
    release = services.release_publish(project=project, month=datetime.date(2026, 5, 1))
    client = _as(client, world.official_a)
    assert [
        (r["id"], r["month"], r["version"]) for r in _send(client, "get", f"/{project.pk}/releases").json()
    ] == [(release.pk, "2026-05", 1)]
    url = f"/{project.pk}/releases/{release.pk}/corrections"
    assert _fields(_post(client, url, {"correction_note": ""})) == ["correction_note"]
    assert _blank_refused(_post(client, url, {"correction_note": "   "}), "correction_note")
    assert _post(_as(client, _operator_user(world)), url, {"correction_note": "更正支出"}).status_code == 403
    login_client(client, world.official_a)
    corrected = _post(client, url, {"correction_note": "更正支出金额"})
    assert corrected.status_code == 201, corrected.content
    assert corrected.json()["version"] == 2 and corrected.json()["corrects"] == release.pk
    assert Release.objects.filter(project=project).count() == 2
    assert [r["version"] for r in _send(client, "get", f"/{project.pk}/releases").json()] == [2, 1]


# Another operator -------------------------------------------------------------------------------------------------


def test_an_operator_of_another_organisation_gets_404_on_every_sub_resource(world, client):
    project = make_project(world)
    staff = _staff(world, project)
    client = _as(client, _operator_user(world, org=world.org_b))
    for tail in ("steps", "staff", "expenditures", "payments", "clawbacks", "releases"):
        assert _send(client, "get", f"/{project.pk}/{tail}").status_code == 404, tail
    assert _post(client, f"/{project.pk}/staff/{staff.pk}/filing").status_code == 404
    assert (
        _post(client, f"/{project.pk}/staff/{staff.pk}/notice", {"notice_date": "2026-03-02"}).status_code
        == 404
    )
    staff.refresh_from_db()
    assert staff.filing_status == AssignmentFilingStatus.UNFILED and staff.notice_date is None

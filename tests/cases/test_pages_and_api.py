"""The case pages and /api/v1/cases: who reads the notes, the audited reveal, input kept on errors, the stage
operations through the API with JSON errors, and the masked export."""

import datetime
import json
import re
import uuid

import pytest

from shegong.audit.models import AuditEvent
from shegong.cases.models import Case, Stage
from tests.cases.helpers import build, open_case, to_intervention
from tests.factories import DISTRICT, login_client, make_user

pytestmark = pytest.mark.django_db
PROBLEM = "独居，近期情绪低落"


@pytest.fixture
def cw(world):
    return build(world)


def test_the_lead_worker_supervisor_and_head_read_the_notes_a_colleague_sees_stage_and_dates(cw, client):
    case = open_case(cw)
    for user in (cw.worker_user, cw.supervisor_user, cw.head_user):
        login_client(client, user)
        assert PROBLEM in client.get(f"/cases/{case.pk}/").content.decode()
    login_client(client, cw.colleague_user)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert PROBLEM not in page and case.number in page and "接案" in page
    assert not AuditEvent.objects.filter(action="reveal").exists()
    refused = client.post(f"/cases/{case.pk}/reveal/", {"reason": ""})
    assert refused.status_code == 200 and PROBLEM not in refused.content.decode()
    shown = client.post(f"/cases/{case.pk}/reveal/", {"reason": "代班跟进"}).content.decode()
    assert PROBLEM in shown
    event = AuditEvent.objects.get(action="reveal", object_id=str(case.pk))
    assert event.reason == "代班跟进" and event.actor_id == cw.colleague_user.pk


def test_a_worker_of_another_station_gets_404_for_the_case_and_its_notes(cw, client):
    case = to_intervention(cw, open_case(cw))
    login_client(client, cw.worker_b_user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/note/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert case.number not in client.get("/cases/").content.decode()


def test_a_supervisor_not_assigned_to_the_station_sees_nothing(cw, client):
    case = open_case(cw)
    login_client(client, make_user("supervisor"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.number not in client.get("/cases/").content.decode()


def test_the_note_form_keeps_what_was_typed_on_an_error(cw, client):
    case = to_intervention(cw, open_case(cw))
    login_client(client, cw.worker_user)
    key = str(uuid.uuid4())
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    page = client.post(
        f"/cases/{case.pk}/note/",
        {
            "idempotency_key": key,
            "noted_on": future,
            "method": "home",
            "content": "陪同就医",
            "next_step": "复诊",
        },
    )
    body = page.content.decode()
    assert page.status_code == 200 and "服务日期不能晚于今天" in body
    assert "陪同就医" in body and "复诊" in body and key in body
    done = client.post(
        f"/cases/{case.pk}/note/",
        {
            "idempotency_key": key,
            "noted_on": datetime.date.today().isoformat(),
            "method": "home",
            "content": "陪同就医",
        },
    )
    assert done.status_code == 302 and case.notes.count() == 1


def test_the_open_form_names_the_field_and_keeps_input(cw, client):
    login_client(client, cw.worker_user)
    page = client.post(
        f"/cases/new/?recipient={cw.recipient.pk}",
        {
            "recipient": cw.recipient.pk,
            "source": "visit",
            "presenting_problem": "",
            "opened_on": "2020-01-01",
        },
    )
    body = page.content.decode()
    assert page.status_code == 200 and not Case.objects.exists()
    assert "请填写求助问题" in body or "这个字段是必填项" in body
    assert re.search(r'<input[^>]*value="visit"[^>]*checked', body)
    assert "2020-01-01" in body


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_walks_the_stages_and_answers_refusals_with_json(cw, client):
    login_client(client, cw.worker_user)
    today = datetime.date.today().isoformat()
    opened = _post(
        client,
        "/api/v1/cases",
        {
            "recipient": cw.recipient.pk,
            "source": "walk_in",
            "presenting_problem": PROBLEM,
            "opened_on": today,
        },
    )
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert opened.json()["presenting_problem"] == PROBLEM
    early = _post(client, f"/api/v1/cases/{case_id}/plan/submit", {})
    assert (
        early.status_code == 422
        and early.json()["code"] == "invalid"
        and early.json()["detail"][0]["field"] == "stage"
    )
    strict = _post(
        client,
        f"/api/v1/cases/{case_id}/assess",
        {"assessed_on": today, "scores": {"comfort": 2}, "text": "x", "extra": 1},
    )
    assert strict.status_code == 422
    assert (
        _post(
            client,
            f"/api/v1/cases/{case_id}/assess",
            {"assessed_on": today, "scores": {"comfort": 2}, "text": "x"},
        ).json()["stage"]
        == "assessment"
    )
    goal = {"title": "情绪改善", "indicator": "量表下降", "target_on": today}
    assert (
        _post(client, f"/api/v1/cases/{case_id}/plan", {"text": "计划", "goals": [goal]}).json()["stage"]
        == "plan"
    )
    assert _post(client, f"/api/v1/cases/{case_id}/plan/submit", {}).json()["plan_status"] == "submitted"
    assert _post(client, f"/api/v1/cases/{case_id}/decide", {"approve": True}).status_code == 403
    login_client(client, cw.supervisor_user)
    decided = _post(client, f"/api/v1/cases/{case_id}/decide", {"approve": True, "comment": "同意"})
    assert decided.status_code == 200 and decided.json()["stage"] == "intervention"
    login_client(client, cw.worker_user)
    note = {"idempotency_key": str(uuid.uuid4()), "noted_on": today, "method": "home", "content": "上门"}
    assert _post(client, f"/api/v1/cases/{case_id}/notes", note).status_code == 201
    assert _post(client, f"/api/v1/cases/{case_id}/notes", note).status_code == 200
    case = Case.objects.get(pk=case_id)
    goal_id = case.goals.get().pk
    evaluated = _post(
        client,
        f"/api/v1/cases/{case_id}/evaluate",
        {"results": [{"goal": goal_id, "result": "met", "evidence": "量表"}]},
    )
    assert evaluated.json()["stage"] == "evaluation"
    assert (
        _post(
            client, f"/api/v1/cases/{case_id}/close", {"reason": "goals_met", "summary": "好转"}
        ).status_code
        == 200
    )
    login_client(client, cw.supervisor_user)
    assert _post(client, f"/api/v1/cases/{case_id}/decide", {"approve": True}).json()["stage"] == Stage.CLOSED
    listed = client.get("/api/v1/cases?stage=closed").json()
    assert [r["id"] for r in listed["results"]] == [case_id]
    assert listed["results"][0]["presenting_problem"] is None  # lists carry stage and dates only


def test_the_api_transfer_is_accepted_by_its_receiver_only(cw, client):
    case = open_case(cw)
    login_client(client, cw.worker_user)
    offered = _post(
        client, f"/api/v1/cases/{case.pk}/transfer", {"to_worker": cw.colleague.pk, "reason": "休假"}
    )
    assert offered.status_code == 201
    transfer_id = offered.json()["id"]
    assert _post(client, f"/api/v1/cases/transfers/{transfer_id}", {"accept": True}).status_code == 404
    login_client(client, cw.colleague_user)
    assert (
        _post(client, f"/api/v1/cases/transfers/{transfer_id}", {"accept": True}).json()["status"]
        == "accepted"
    )
    case.refresh_from_db()
    assert case.worker == cw.colleague


def test_the_export_is_masked_and_carries_no_notes(cw, client):
    import io

    from python_calamine import CalamineWorkbook

    open_case(cw)
    login_client(client, make_user("official", region_code=DISTRICT))
    response = client.get("/cases/export/")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    text = "\n".join(str(c) for row in rows for c in row)
    assert "刘奶奶" in text and PROBLEM not in text
    assert cw.recipient.id_number not in text and "*" in text

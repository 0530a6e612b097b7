"""/api/v1/supervision-sessions and /api/v1/trainings: the same services as the pages, JSON errors with a code."""

import datetime
import json
from decimal import Decimal

import pytest

from shegong.supervision.models import Course, Enrolment, SupervisionSession
from tests.factories import login_client, make_user

from .helpers import days_ago, posted_worker, supervise, supervisor_with_account

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def setting(world):
    supervisor, user = supervisor_with_account(world)
    worker_user = make_user("worker")
    worker = posted_worker(world, "王小红", 1, user=worker_user)
    return {
        "user": user,
        "worker": worker,
        "worker_user": worker_user,
        "assignment": supervise(supervisor, node=world.station_a),
    }


def _session(setting, **extra):
    body = {
        "assignment": setting["assignment"].pk,
        "kind": "group",
        "mode": "online",
        "held_on": days_ago(1).isoformat(),
        "minutes": 120,
        "topics": ["skills", "policy"],
        "attendees": [setting["worker"].pk],
        "problems": "政策变化后的救助申请流程",
        "advice": "整理流程清单",
    }
    body.update(extra)
    return body


def test_record_list_and_confirm_a_session(client, setting):
    login_client(client, setting["user"])
    response = _post(client, "/api/v1/supervision-sessions", _session(setting))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["topics"] == ["policy", "skills"] and body["attendees"] == [setting["worker"].pk]
    assert body["confirmed"] == []
    listed = client.get("/api/v1/supervision-sessions").json()
    assert listed["count"] == 1
    login_client(client, setting["worker_user"])
    response = _post(client, f"/api/v1/supervision-sessions/{body['id']}/confirm", {})
    assert response.status_code == 200 and response.json()["confirmed"] == [setting["worker"].pk]


def test_errors_are_json_with_a_code_and_name_the_field(client, setting):
    login_client(client, setting["user"])
    response = _post(client, "/api/v1/supervision-sessions", _session(setting, topics=["nonsense"]))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"][0]["field"] == "topics"
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = _post(client, "/api/v1/supervision-sessions", _session(setting, held_on=future))
    assert response.json()["detail"][0]["field"] == "held_on"
    response = _post(client, "/api/v1/supervision-sessions", _session(setting, minutes="60"))
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert not SupervisionSession.objects.exists()
    login_client(client, setting["worker_user"])
    assert _post(client, "/api/v1/supervision-sessions", _session(setting)).status_code == 403


def test_trainings_and_attendance(world, client, setting):
    course = Course.objects.create(
        region=world.regions["town_a"],
        title="督导技巧",
        kind="supervision",
        organiser="市社工协会",
        starts_on=days_ago(2),
        ends_on=days_ago(2),
        hours=Decimal("6"),
    )
    Enrolment.objects.create(course=course, worker=setting["worker"])
    login_client(client, make_user("township"))
    assert client.get("/api/v1/trainings").json()["results"][0]["title"] == "督导技巧"
    response = _post(client, f"/api/v1/trainings/{course.pk}/attendance", {"present": [setting["worker"].pk]})
    assert response.status_code == 200
    assert response.json()["enrolments"] == [
        {"worker": setting["worker"].pk, "name": "王小红", "attended": True, "hours": "6.0"}
    ]
    response = _post(client, f"/api/v1/trainings/{course.pk}/attendance", {"present": [999999]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "present"

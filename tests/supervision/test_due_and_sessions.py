"""Supervision due per relationship appears and clears when a session is recorded; the supervisee confirms."""

import datetime

import pytest

from shegong.audit.models import AuditEvent
from shegong.core.models import Tally
from shegong.regions.models import RegionStandard
from shegong.supervision.models import SupervisionSession
from tests.factories import login_client, make_user

from .helpers import days_ago, posted_worker, supervise, supervisor_with_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    supervisor, user = supervisor_with_account(world)
    worker_user = make_user("worker")
    worker = posted_worker(world, "王小红", 1, user=worker_user)
    assignment = supervise(supervisor, worker=worker, start=45)
    head = make_user("township")
    return {
        "supervisor": supervisor,
        "user": user,
        "worker": worker,
        "worker_user": worker_user,
        "assignment": assignment,
        "head": head,
    }


def _form(worker, **extra):
    data = {
        "kind": "individual",
        "mode": "online",
        "held_on": datetime.date.today().isoformat(),
        "minutes": "90",
        "topics": ["case_review", "stress"],
        "attendees": [str(worker.pk)],
        "problems": "个案计划难以推进",
        "advice": "先与服务对象重新评估需求",
        "follow_up": "下周提交修订后的计划",
        "follow_up_due": (datetime.date.today() + datetime.timedelta(days=7)).isoformat(),
    }
    data.update(extra)
    return data


def test_overdue_appears_for_supervisor_and_station_head_and_clears_when_a_session_is_recorded(
    client, setting
):
    assignment = setting["assignment"]
    for user in (setting["user"], setting["head"]):
        login_client(client, user)
        page = client.get("/supervision/due/?overdue=1").content.decode()
        assert "王小红" in page and "逾期 15 天" in page
        assert "逾期未督导" in client.get("/supervision/").content.decode()
    login_client(client, setting["user"])
    response = client.post(f"/supervision/relationships/{assignment.pk}/record/", _form(setting["worker"]))
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.node_id == setting["worker"].assignments.get().node_id
    assert sorted(session.topics.values_list("code", flat=True)) == ["case_review", "stress"]
    for user in (setting["user"], setting["head"]):
        login_client(client, user)
        page = client.get("/supervision/due/?overdue=1").content.decode()
        assert "王小红" not in page
    assert Tally.objects.get(metric="supervision.sessions").value == 1
    assert AuditEvent.objects.filter(action="supervision.session.record").count() == 1


def test_the_interval_is_local_policy(world, client, setting):
    RegionStandard.objects.create(region=world.regions["town_a"], supervision_interval_days=60)
    login_client(client, setting["head"])
    assert "王小红" not in client.get("/supervision/due/?overdue=1").content.decode()
    assert "王小红" in client.get("/supervision/due/").content.decode()


def test_bad_input_names_the_field_and_keeps_what_was_typed(client, setting):
    login_client(client, setting["user"])
    url = f"/supervision/relationships/{setting['assignment'].pk}/record/"
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, _form(setting["worker"], held_on=future, topics=[]))
    assert response.status_code == 422
    page = response.content.decode()
    assert "督导日期不能晚于今天" not in page or "请选择" in page  # the form refuses before the service
    assert "个案计划难以推进" in page
    response = client.post(url, _form(setting["worker"], held_on=future))
    assert response.status_code == 422 and "督导日期不能晚于今天" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_only_the_relationships_supervisor_records_and_only_supervisees_attend(world, client, setting):
    other_supervisor, other_user = supervisor_with_account(world, name="别的督导")
    login_client(client, other_user)
    url = f"/supervision/relationships/{setting['assignment'].pk}/record/"
    assert (
        client.post(url, _form(setting["worker"])).status_code == 404
    )  # not its relationship: not even seen
    stranger = posted_worker(world, "旁人", 3)
    login_client(client, setting["user"])
    response = client.post(
        url, _form(setting["worker"], attendees=[str(setting["worker"].pk), str(stranger.pk)])
    )
    assert response.status_code == 422  # the stranger is not a choice
    assert not SupervisionSession.objects.exists()


def test_the_supervisee_confirms_the_record(client, setting):
    login_client(client, setting["user"])
    client.post(f"/supervision/relationships/{setting['assignment'].pk}/record/", _form(setting["worker"]))
    session = SupervisionSession.objects.get()
    url = f"/supervision/sessions/{session.pk}/"
    assert "确认记录" not in client.get(url).content.decode()  # the supervisor cannot confirm for the worker
    login_client(client, setting["worker_user"])
    assert "确认记录" in client.get(url).content.decode()
    assert client.post(f"{url}confirm/").status_code == 302
    line = session.attendance.get()
    assert line.confirmed_at is not None and line.confirmed_by == setting["worker_user"]
    assert "已确认" in client.get(url).content.decode()


def test_supervision_history_is_on_the_workers_page(client, setting):
    login_client(client, setting["user"])
    client.post(f"/supervision/relationships/{setting['assignment'].pk}/record/", _form(setting["worker"]))
    login_client(client, setting["head"])
    page = client.get(f"/people/workers/{setting['worker'].pk}/").content.decode()
    assert "接受督导" in page and "周督导" in page


def test_counts_per_supervisor_station_and_month_and_the_chart(world, client, setting):
    login_client(client, setting["user"])
    client.post(f"/supervision/relationships/{setting['assignment'].pk}/record/", _form(setting["worker"]))
    client.post(
        f"/supervision/relationships/{setting['assignment'].pk}/record/",
        _form(setting["worker"], held_on=days_ago(3).isoformat()),
    )
    login_client(client, setting["head"])
    response = client.get("/supervision/")
    assert response.context["per_supervisor"][0]["total"] == 2
    series = response.context["chart"]["series"][0]["data"]
    assert sum(series) == 2 and len(series) == 12
    assert response.context["stations"] == [
        {"name": "七星岗街道", "sessions": 2, "attendances": 0, "case_decisions": 0}
    ]
    login_client(client, make_user(("official", world.regions["town_a"].parent_id)))
    stations = client.get("/supervision/").context["stations"]
    assert stations == [
        {"name": "七星岗街道", "sessions": 2, "attendances": 0, "case_decisions": 0}
    ]  # one row per township with figures
    assert 'data-chart="line"' in response.content.decode()
    assert "vendor/echarts.min.js" in response.content.decode()


def test_the_supervisors_own_chart_counts_the_sessions_it_sees(world, client, setting):
    """The area's counted figures are whole regions' (not a supervisor's to read): the supervisor's chart counts
    its own sessions instead of showing twelve months of zeros beside a list of them."""
    login_client(client, setting["user"])
    client.post(f"/supervision/relationships/{setting['assignment'].pk}/record/", _form(setting["worker"]))
    client.post(
        f"/supervision/relationships/{setting['assignment'].pk}/record/",
        _form(setting["worker"], held_on=days_ago(40).isoformat()),
    )
    response = client.get("/supervision/")
    series = response.context["chart"]["series"][0]["data"]
    assert sum(series) == 2 and len(series) == 12 and series[-1] == 1
    labels = response.context["chart"]["labels"]
    # The month still running says so: its low figure is days of work, not a fall.
    assert labels[-1] == datetime.date.today().strftime("%Y-%m") + "（至今）" and len(set(labels)) == 12

"""The people pages: form → service → either a redirect with a message, or the form again with the errors."""

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages

from shegong.audit.models import AuditEvent
from shegong.people.models import (
    AssignmentFilingStatus,
    Departure,
    DishonestyEntry,
    HoursStatus,
    SocialWorker,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    WorkerAssignment,
)

from .helpers import days_ago, make_worker, valid_id


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_worker_edit_keeps_the_typed_values_and_audits_the_real_change(world, login, client):
    worker = make_worker(world.regions["town_a"], name="改名前")
    login(world.user_a)
    url = f"/people/workers/{worker.pk}/edit/"
    base = {
        "name": "改名后",
        "region": world.regions["town_a"].code,
        "certificate": "none",
        "status": "active",
    }
    bad = client.post(url, {**base, "id_number": "110101199003070000"})
    assert bad.status_code == 200
    assert 'value="改名后"' in bad.content.decode() and "has-error" in bad.content.decode()
    worker.refresh_from_db()
    assert worker.name == "改名前"
    ok = client.post(url, base)
    assert ok.status_code == 302 and ok["Location"] == f"/people/workers/{worker.pk}/"
    worker.refresh_from_db()
    assert worker.name == "改名后" and worker.id_number == valid_id()  # blank keeps the stored number
    event = AuditEvent.objects.filter(action="people.worker.update").get()
    assert event.changes["name"] == {"before": "改名前", "after": "改名后"}


def test_volunteer_edit_audits_the_real_change(world, login, client):
    volunteer = Volunteer.objects.create(region=world.regions["village_a1"], name="旧名", phone="13800000001")
    login(world.user_a)
    response = client.post(
        f"/people/volunteers/{volunteer.pk}/edit/",
        {"name": "新名", "region": world.regions["village_a1"].code, "status": "active"},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.name == "新名" and volunteer.phone == "13800000001"
    event = AuditEvent.objects.filter(action="people.volunteer.update").get()
    assert event.changes["name"] == {"before": "旧名", "after": "新名"}


def test_reveal_needs_a_reason_and_shows_the_value_once(world, login, client):
    worker = make_worker(world.regions["town_a"], phone="13912345678")
    login(world.user_a)
    url = f"/people/workers/{worker.pk}/reveal/"
    refused = client.post(url, {"field": "phone", "reason": ""})
    assert refused.status_code == 302 and any("查看事由" in m for m in _messages(refused))
    short = client.post(url, {"field": "phone", "reason": "x"})
    assert any("查看事由" in m for m in _messages(short))
    assert not AuditEvent.objects.filter(action="reveal").exists()
    shown = client.post(url, {"field": "phone", "reason": "核实身份"})
    assert any("13912345678" in m for m in _messages(shown))
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_dishonesty_add_from_the_worker_page(world, login, client):
    worker = make_worker(world.regions["town_a"])
    login(world.user_a)
    url = f"/people/workers/{worker.pk}/dishonesty/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 302 and any("原因" in m for m in _messages(refused))
    future = client.post(url, {"reason": "伪造记录", "listed_on": "2999-01-01"})
    assert any("不能晚于今天" in m for m in _messages(future))
    assert not DishonestyEntry.objects.exists()
    listed = client.post(url, {"reason": "伪造记录"})
    assert listed["Location"] == f"/people/workers/{worker.pk}/"
    assert any("失信名单" in m for m in _messages(listed))
    assert DishonestyEntry.objects.get().worker == worker


def test_assignment_refused_shows_the_worker_page_again(world, login, client):
    worker = make_worker(world.regions["town_a"])
    WorkerAssignment.objects.create(worker=worker, node=world.station_a, start_date=days_ago(10))
    login(world.user_a)
    response = client.post(
        f"/people/workers/{worker.pk}/assign/",
        {"node": world.station_a.pk, "start_date": datetime.date.today().isoformat(), "post": "岗位甲"},
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "已在此阵地任职" in content and 'value="岗位甲"' in content and "<details open" in content
    assert WorkerAssignment.objects.count() == 1
    ok = client.post(
        f"/people/workers/{worker.pk}/assign/",
        {"node": world.room_a.pk, "start_date": datetime.date.today().isoformat()},
    )
    assert ok.status_code == 302 and any("7 天内" in m for m in _messages(ok))
    assert WorkerAssignment.objects.count() == 2


def test_filing_twice_is_refused_with_a_message(world, login, client):
    worker = make_worker(world.regions["town_a"])
    assignment = WorkerAssignment.objects.create(worker=worker, node=world.station_a, start_date=days_ago(3))
    login(world.user_a)
    first = client.post(f"/people/assignments/{assignment.pk}/file/", {"next": "/people/filings/"})
    assert first["Location"] == "/people/filings/" and any("已报备" in m for m in _messages(first))
    again = client.post(f"/people/assignments/{assignment.pk}/file/")
    assert any("无需重复报备" in m for m in _messages(again))
    confirmed = client.post(f"/people/assignments/{assignment.pk}/confirm/")
    assert any("已确认备案" in m for m in _messages(confirmed))
    assignment.refresh_from_db()
    assert assignment.filing_status == AssignmentFilingStatus.CONFIRMED
    twice = client.post(f"/people/assignments/{assignment.pk}/confirm/")
    assert any("只有已报备" in m for m in _messages(twice))


def test_departure_complete_page(world, login, client):
    worker = make_worker(world.regions["town_a"])
    departure = Departure.objects.create(
        worker=worker, notice_date=days_ago(40), planned_leaving_date=days_ago(1)
    )
    login(world.user_a)
    url = f"/people/departures/{departure.pk}/complete/"
    assert client.get(url).status_code == 200
    done = client.post(url, {"left_on": days_ago(1).isoformat()})
    assert done.status_code == 302 and any("办结离职" in m for m in _messages(done))
    again = client.post(url, {"left_on": days_ago(1).isoformat()})
    assert again.status_code == 200 and "该离职已办结" in again.content.decode()
    assert SocialWorker.objects.get(pk=worker.pk).status == "left"


def test_volunteer_approve_twice_is_refused(world, login, client):
    volunteer = Volunteer.objects.create(
        region=world.regions["village_a1"], name="待审", phone="13800000002", status=VolunteerStatus.PENDING
    )
    login(world.user_a)
    first = client.post(f"/people/volunteers/{volunteer.pk}/approve/")
    assert any("已通过" in m for m in _messages(first))
    again = client.post(f"/people/volunteers/{volunteer.pk}/approve/")
    assert any("只有待审核" in m for m in _messages(again))


def test_hours_reject_needs_a_note(world, login, client):
    team = VolunteerTeam.objects.create(region=world.regions["town_a"], name="总队", level="corps")
    volunteer = Volunteer.objects.create(
        region=world.regions["village_a1"], name="小周", phone="13800000003", team=team
    )
    entry = VolunteerHours.objects.create(
        volunteer=volunteer, team=team, served_on=days_ago(1), hours=Decimal("2"), description="探访"
    )
    login(world.user_a)
    refused = client.post(f"/people/hours/{entry.pk}/reject/", {"note": ""})
    assert refused["Location"] == "/people/hours/" and any("说明原因" in m for m in _messages(refused))
    entry.refresh_from_db()
    assert entry.status == HoursStatus.LOGGED
    confirmed = client.post(f"/people/hours/{entry.pk}/confirm/", {"note": ""})
    assert any("小周" in m for m in _messages(confirmed))
    entry.refresh_from_db()
    assert entry.status == HoursStatus.CONFIRMED
    twice = client.post(f"/people/hours/{entry.pk}/reject/", {"note": "重复"})
    assert any("处理过了" in m for m in _messages(twice))


def test_my_hours_refusal_keeps_the_form(world, client, login):
    from ..factories import make_user

    user = make_user("volunteer")
    team = VolunteerTeam.objects.create(region=world.regions["town_a"], name="总队", level="corps")
    Volunteer.objects.create(
        region=world.regions["village_a1"], name="小吴", phone="13800000004", team=team, user=user
    )
    login(user)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        "/people/hours/mine/", {"served_on": tomorrow, "hours": "2", "description": "未来的服务"}
    )
    assert response.status_code == 422
    assert "不能晚于今天" in response.content.decode() and "未来的服务" in response.content.decode()
    ok = client.post(
        "/people/hours/mine/",
        {"served_on": days_ago(1).isoformat(), "hours": "2", "description": "探访"},
    )
    assert ok.status_code == 302 and VolunteerHours.objects.count() == 1


def test_signup_trap_field_stores_nothing(db, world, client):
    response = client.post(
        "/people/volunteers/signup/",
        {
            "name": "机器人",
            "phone": "13800000005",
            "region": world.regions["village_a1"].code,
            "consent": "on",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 200 and "登记已提交" in response.content.decode()
    assert not Volunteer.objects.filter(name="机器人").exists()

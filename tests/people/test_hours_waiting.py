"""Hours waiting for a worker: a badge in the menu (one query), "全部确认" audited per entry, and plain messages."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.audit.models import AuditEvent
from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerTeam
from tests.factories import TOWN_A, make_user

from .helpers import days_ago

pytestmark = pytest.mark.django_db


def _entries(world, n=3, region="village_a1", town="town_a", name="小周"):
    team = VolunteerTeam.objects.create(region=world.regions[town], name=f"{name}队", level="corps")
    volunteer = Volunteer.objects.create(
        region=world.regions[region], name=name, phone="13800000003", team=team
    )
    return [
        VolunteerHours.objects.create(
            volunteer=volunteer,
            team=team,
            served_on=days_ago(1),
            hours=Decimal("1.5"),
            description=f"探访{i}",
        )
        for i in range(n)
    ]


def test_the_menu_shows_how_many_hours_wait_in_one_query(world, login, client):
    _entries(world, 3)
    _entries(world, 2, region="village_b1", town="town_b", name="小孙")
    worker = make_user("worker", region_code=TOWN_A)
    login(worker)
    response = client.get("/visits/worklist/")
    page = response.content.decode()
    assert 'href="/people/hours/"' in page and '<span class="nav-badge"' in page
    assert (
        response.context["nav_items"][
            [i["name"] for i in response.context["nav_items"]].index("people:hours")
        ]["badge"]
        == 3
    )
    with CaptureQueriesContext(connection) as queries:
        client.get("/visits/worklist/")
    assert len([q for q in queries if "people_volunteerhours" in q["sql"]]) == 1


def test_no_badge_for_someone_who_cannot_confirm(world, login, client):
    _entries(world, 1)
    volunteer_user = make_user("volunteer", region_code=TOWN_A)
    login(volunteer_user)
    assert "nav-badge" not in client.get("/people/hours/mine/").content.decode()


def test_confirm_all_confirms_the_listed_entries_and_audits_each(world, login, client):
    entries = _entries(world, 3)
    login(world.user_a)
    page = client.get("/people/hours/").content.decode()
    assert "全部确认" in page
    response = client.post(
        "/people/hours/confirm-all/", {"ids": [e.pk for e in entries[:2]], "next": "/people/hours/"}
    )
    assert response.status_code == 302
    assert any("已确认 2 条" in str(m) for m in get_messages(response.wsgi_request))
    statuses = [VolunteerHours.objects.get(pk=e.pk).status for e in entries]
    assert statuses == [HoursStatus.CONFIRMED, HoursStatus.CONFIRMED, HoursStatus.LOGGED]
    audited = AuditEvent.objects.filter(action="people.hours.confirm").values_list("object_id", flat=True)
    assert sorted(audited) == sorted(str(e.pk) for e in entries[:2])
    again = client.post("/people/hours/confirm-all/", {"ids": [e.pk for e in entries[:2]]})
    assert any("处理过了" in str(m) for m in get_messages(again.wsgi_request))


def test_confirm_all_of_another_regions_entries_is_a_404(world, login, client):
    entries = _entries(world, 2)
    login(world.user_b)
    assert client.post("/people/hours/confirm-all/", {"ids": [e.pk for e in entries]}).status_code == 404
    assert not VolunteerHours.objects.filter(status=HoursStatus.CONFIRMED).exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("25", "每次最多登记 24 小时"),
        ("0.2", "每次至少登记半小时"),
        ("abc", "时长请填数字"),
        ("1.25", "小数点后只留一位"),
    ],
)
def test_the_hours_form_speaks_plainly(world, login, client, hours, message):
    user = make_user("volunteer")
    team = VolunteerTeam.objects.create(region=world.regions["town_a"], name="总队", level="corps")
    Volunteer.objects.create(
        region=world.regions["village_a1"], name="小吴", phone="13800000004", team=team, user=user
    )
    login(user)
    response = client.post(
        "/people/hours/mine/",
        {"served_on": datetime.date.today().isoformat(), "hours": hours, "description": "探访"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "确保该值" not in page

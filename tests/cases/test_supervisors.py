"""Casework and the supervision register (issue 17): a supervisor sees its supervisees' cases and gets 404 for any
other worker's case in the same district; plans and closings go to the case's supervisors, the station head only
where the case has none with an account."""

import datetime

import pytest

from shegong.accounts.actor import Actor
from shegong.cases import access, services
from shegong.people.models import SupervisionAssignment, Supervisor
from tests.cases.helpers import assess, build, open_case, open_data, plan, supervise_station
from tests.factories import DISTRICT, login_client, make_user

pytestmark = pytest.mark.django_db


def _supervisor_of(world, worker):
    user = make_user(("supervisor", DISTRICT), display_name="督导何老师")
    supervisor = Supervisor.objects.create(
        region=world.regions["town_a"], name="何督导", level="local", user=user
    )
    SupervisionAssignment.objects.create(
        supervisor=supervisor, worker=worker, start_date=datetime.date.today() - datetime.timedelta(days=30)
    )
    return user


@pytest.fixture
def setting(world):
    cw = build(world, supervisor=False)
    mine = open_case(cw)
    colleague = services.case_open(
        actor=Actor.for_user(cw.colleague_user),
        station=world.station_a,
        worker=cw.colleague,
        data=open_data(None, resident_name="王大爷", presenting_problem="同站同事的个案"),
    )
    elsewhere = services.case_open(
        actor=Actor.for_user(cw.worker_b_user),
        station=world.station_b,
        worker=cw.worker_b,
        data=open_data(None, resident_name="赵奶奶", presenting_problem="另一街道的个案"),
    )
    return cw, _supervisor_of(world, cw.worker), (mine, colleague, elsewhere)


def test_a_supervisor_sees_its_supervisees_cases_and_gets_404_for_any_other_in_the_district(setting, client):
    cw, user, (mine, colleague, elsewhere) = setting
    login_client(client, user)
    page = client.get(f"/cases/{mine.pk}/")
    assert page.status_code == 200 and "独居" in page.content.decode()  # a supervisor reads the notes
    assert client.get(f"/api/v1/cases/{mine.pk}").status_code == 200
    for other in (colleague, elsewhere):
        assert client.get(f"/cases/{other.pk}/").status_code == 404
        assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404
    listed = client.get("/cases/").content.decode()
    assert mine.number in listed and colleague.number not in listed and elsewhere.number not in listed
    numbers = {row["number"] for row in client.get("/api/v1/cases").json()["results"]}
    assert numbers == {mine.number}


def test_a_station_supervisor_sees_the_stations_cases_only(setting, world, client):
    cw, _user, (mine, colleague, elsewhere) = setting
    station_user = make_user(("supervisor", DISTRICT))
    supervise_station(world, station_user, world.station_a, name="站点督导")
    login_client(client, station_user)
    assert client.get(f"/cases/{mine.pk}/").status_code == 200
    assert client.get(f"/cases/{colleague.pk}/").status_code == 200
    assert client.get(f"/cases/{elsewhere.pk}/").status_code == 404


def test_the_plan_goes_to_the_workers_supervisor_not_the_station_head(setting):
    cw, user, (mine, _colleague, _elsewhere) = setting
    assert access.approver_ids(mine) == [user.pk]
    assess(cw, mine)
    plan(cw, mine)
    approval = services.case_plan_submit(actor=cw.lead, case=mine)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_decide(actor=cw.head, approval=approval, approve=True)
    services.case_decide(actor=Actor.for_user(user), approval=approval, approve=True)
    approval.refresh_from_db()
    assert approval.decided_by_id == user.pk


def test_an_ended_assignment_hands_approval_back_to_the_station_head(setting):
    cw, user, (mine, _colleague, _elsewhere) = setting
    SupervisionAssignment.objects.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    assert user.pk not in access.approver_ids(mine)
    assert cw.head_user.pk in access.approver_ids(mine)


def test_the_recipient_page_offers_to_open_a_case_through_the_recipients_hook(world, client):
    cw = build(world)
    login_client(client, cw.worker_user)
    page = client.get(f"/recipients/{cw.recipient.pk}/").content.decode()
    assert f"/cases/new/?recipient={cw.recipient.pk}" in page and "开个案" in page
    login_client(client, make_user("official", region_code=DISTRICT))
    assert "开个案" not in client.get(f"/recipients/{cw.recipient.pk}/").content.decode()

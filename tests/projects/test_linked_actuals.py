"""Targets against actuals (issue 16 item 4): a service record links to the project it was done under — chosen by
the write service when the worker is on one active project that day, asked for when on several, empty when on none
— and a project's actuals are counted from exactly the linked records, which its drill-down lists."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.actor import Actor
from shegong.projects import selectors, services
from shegong.projects.models import Indicator, ProjectStaff
from shegong.visits.models import FINDINGS, Visit
from shegong.visits.services import visit_record

from ..factories import TOWN_A, VILLAGE_A1, login_client, make_user
from ..recipients.helpers import key, make_recipient, visit_data
from .helpers import make_project, make_worker, official

pytestmark = pytest.mark.django_db


def _period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=180), today + datetime.timedelta(days=180)


def _project(world, **kwargs):
    starts_on, ends_on = _period()
    return make_project(world, starts_on=starts_on, ends_on=ends_on, **kwargs)


def _worker_on(world, *projects):
    """A worker with a login, posted to each of ``projects`` (several only as an overlap that got in otherwise:
    written directly, past the one-project rule)."""
    user = make_user("worker", region_code=TOWN_A)
    worker = make_worker(world)
    type(worker)._base_manager.filter(pk=worker.pk).update(user=user)
    for project in projects:
        ProjectStaff.objects.create(project=project, worker=worker, start_date=project.starts_on)
    return user, worker


def _visit(user, recipient, **extra):
    visit, _created = visit_record(
        actor=Actor.for_user(user), recipient=recipient, data=visit_data(**extra), idempotency_key=key()
    )
    return visit


def test_a_worker_on_one_project_links_the_visit_to_it(world):
    project = _project(world)
    user, _worker = _worker_on(world, project)
    visit = _visit(user, make_recipient(VILLAGE_A1))
    assert visit.project_id == project.pk


def test_a_worker_on_no_project_leaves_the_visit_unlinked(world):
    _project(world)
    user, _worker = _worker_on(world)
    assert _visit(user, make_recipient(VILLAGE_A1)).project_id is None


def test_a_project_that_has_ended_or_not_started_is_not_chosen(world):
    today = timezone.localdate()
    ended = make_project(
        world, starts_on=today - datetime.timedelta(days=400), ends_on=today - datetime.timedelta(days=30)
    )
    user, _worker = _worker_on(world, ended)
    assert _visit(user, make_recipient(VILLAGE_A1)).project_id is None


def test_a_worker_on_two_projects_must_choose_one_of_them(world):
    one, two, other = _project(world), _project(world), _project(world)
    user, _worker = _worker_on(world, one, two)
    recipient = make_recipient(VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        _visit(user, recipient)
    assert "多个项目" in caught.value.message_dict["project_id"][0]
    with pytest.raises(ValidationError) as caught:
        _visit(user, recipient, project_id=other.pk)  # not one of the worker's
    assert "project_id" in caught.value.message_dict
    assert not Visit.objects.filter(recipient=recipient).exists()
    assert _visit(user, recipient, project_id=two.pk).project_id == two.pk


def test_the_phone_is_told_the_workers_projects_and_its_visit_says_which(world):
    """The offline app: the download lists the worker's projects today; a visit from the phone names one of them,
    and one that names none when there are several waits on the phone with the server's message."""
    from shegong.visits.field import assigned_recipients, visit_from_device

    one, two = _project(world), _project(world)
    user, worker = _worker_on(world, one, two)
    recipient = make_recipient(VILLAGE_A1)
    type(recipient)._base_manager.filter(pk=recipient.pk).update(worker=worker)
    actor = Actor.for_user(user)
    section = assigned_recipients(actor, None)
    assert sorted(pid for pid, _label in section.extra["projects"]) == sorted([one.pk, two.pk])
    payload = {"recipient": recipient.pk, "visited_at": timezone.now().isoformat(), "method": "home"}
    with pytest.raises(ValidationError) as caught:
        visit_from_device(actor, payload, uuid.uuid4())
    assert "project_id" in str(caught.value)
    visit, created = visit_from_device(actor, {**payload, "project_id": two.pk}, uuid.uuid4())
    assert created and visit.project_id == two.pk


def test_the_api_takes_project_id_and_names_the_field_when_it_is_wrong(world, client):
    one, two, other = _project(world), _project(world), _project(world)
    user, _worker = _worker_on(world, one, two)
    recipient = make_recipient(VILLAGE_A1)
    login_client(client, user)

    def post(**extra):
        body = {
            "recipient": recipient.pk,
            "idempotency_key": str(uuid.uuid4()),
            "visited_at": timezone.now().isoformat(),
            "method": "home",
            **extra,
        }
        return client.post("/api/v1/visits", body, content_type="application/json")

    for wrong in ({}, {"project_id": other.pk}):
        response = post(**wrong)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "project_id"
    response = post(project_id=one.pk)
    assert response.status_code == 201 and response.json()["project"] == one.pk
    assert Visit.objects.get(pk=response.json()["id"]).project_id == one.pk


def test_the_visit_page_asks_for_the_project_only_when_there_are_several(world, client):
    one, two = _project(world), _project(world)
    user, _worker = _worker_on(world, one)
    recipient = make_recipient(VILLAGE_A1)
    login_client(client, user)
    url = f"/visits/new/{recipient.pk}/"
    page = client.get(url).content.decode()
    assert (
        'name="project_id"' not in page and one.code in page
    )  # linked by itself, and the page says to which
    ProjectStaff.objects.create(project=two, worker=_worker, start_date=two.starts_on)
    page = client.get(url).content.decode()
    assert 'name="project_id"' in page and one.code in page and two.code in page
    form = {
        "idempotency_key": str(uuid.uuid4()),
        "method": "home",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "notes": "一切正常",
        **{f"f_{k}": "ok" for k, _label in FINDINGS},
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "请选择这次探访所属的项目" in refused.content.decode()
    assert not Visit.objects.filter(recipient=recipient).exists()
    client.post(url, {**form, "project_id": str(two.pk)})
    assert Visit.objects.get(recipient=recipient).project_id == two.pk


def test_actual_visits_are_the_linked_visits_and_a_new_one_shows_at_once(world, client):
    project = _project(world)
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="100")
    user, _worker = _worker_on(world, project)
    elsewhere_user, _other = _worker_on(world)  # same villages, not on the project: not counted
    recipient = make_recipient(VILLAGE_A1)
    linked = [_visit(user, recipient), _visit(user, make_recipient(VILLAGE_A1, name="王奶奶"))]
    _visit(elsewhere_user, recipient)
    login_client(client, world.official_a)

    def actual():
        page = client.get(f"/projects/{project.pk}/")
        [item] = [i for i in page.context["progress"] if i.target.indicator == "visits"]
        return item.actual

    assert actual() == len(linked) == Visit.objects.filter(project=project).count()
    linked.append(_visit(user, recipient))
    assert actual() == 3

    drill = client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=visits")
    assert drill.status_code == 200 and drill.context["actual"] == 3
    urls = [row.url for row in drill.context["rows"]]
    assert sorted(urls) == sorted(reverse("visits:visit_detail", args=[v.pk]) for v in linked)
    body = drill.content.decode()
    assert all(url in body for url in urls)

    api = client.get(f"/api/v1/projects/{project.pk}").json()
    [target] = api["targets"]
    assert target["actual"] == "3"
    records = client.get(target["drilldown"]).json()
    assert records["actual"] == "3" and sorted(r["url"] for r in records["records"]) == sorted(urls)
    assert client.get(f"/api/v1/projects/{project.pk}/actuals/nope").status_code == 422


def test_the_pace_flag_reads_the_linked_actuals(world, client):
    project = _project(world)
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="4")
    user, _worker = _worker_on(world, project)
    recipient = make_recipient(VILLAGE_A1)
    _visit(user, recipient)
    [item] = selectors.progress(project)
    assert item.expected == Decimal("2.0") and item.behind  # half the period gone, 1 of 2 expected
    assert project in selectors.project_list(flag="behind")
    # The list says so on the project's row, not only through its filter.
    login_client(client, world.official_a)
    response = client.get("/projects/")
    assert response.context["behind"] == {project.pk} and "进度落后</span>" in response.content.decode()
    _visit(user, recipient)
    [item] = selectors.progress(project)
    assert item.actual == 2 and not item.behind
    assert project not in selectors.project_list(flag="behind")
    response = client.get("/projects/")
    assert response.context["behind"] == set() and "进度落后</span>" not in response.content.decode()


def _link_every_kind(world, project, user, worker, tag=""):
    """One linked record of every kind (written through the models, which is what the counting reads)."""
    from shegong.activities.models import Activity, ActivityParticipant
    from shegong.cases.models import Case, Stage
    from shegong.demands.models import DemandRequest, Status
    from shegong.groups.models import Attendance, Group, GroupMember, GroupSession
    from shegong.people.models import HoursStatus, Volunteer, VolunteerHours

    today = timezone.localdate()
    recipient = make_recipient(VILLAGE_A1, name="刘爷爷")
    village = world.regions["village_a1"]
    _visit(user, recipient)
    case_args = dict(
        station=world.station_a,
        worker=worker,
        source="visit",
        presenting_problem="独居",
        resident_name="居民",
    )
    Case.objects.create(
        number=f"GA-{tag}1", recipient=recipient, project=project, opened_region_code=VILLAGE_A1, **case_args
    )
    Case.objects.create(
        number=f"GA-{tag}2",
        project=project,
        stage=Stage.CLOSED,
        plan_status="approved",
        ended_on=today,
        opened_region_code=VILLAGE_A1,
        **case_args,
    )
    Case.objects.create(
        number=f"GA-{tag}3",
        project=project,
        stage=Stage.DECLINED,
        ended_on=today,
        opened_region_code=VILLAGE_A1,
        **case_args,
    )
    group = Group.objects.create(
        node=world.station_a, name="长者小组", kind="support", purpose="互助", leader=worker, starts_on=today
    )
    member = GroupMember.objects.create(group=group, recipient=recipient, joined_on=today)
    session = GroupSession.objects.create(
        group=group,
        number=1,
        held_on=today,
        place="站内",
        content="相识",
        idempotency_key=uuid.uuid4(),
        project=project,
    )
    Attendance.objects.create(session=session, member=member, present=True)
    activity = Activity.objects.create(
        node=world.station_a, title="重阳节活动", held_on=today, project=project
    )
    ActivityParticipant.objects.create(activity=activity, recipient=recipient)
    volunteer = Volunteer.objects.create(region=village, name="志愿者甲")
    VolunteerHours.objects.create(
        volunteer=volunteer,
        activity=activity,
        served_on=today,
        hours="2.5",
        description="协助",
        status=HoursStatus.CONFIRMED,
    )
    VolunteerHours.objects.create(
        volunteer=volunteer,
        activity=activity,
        served_on=today,
        hours="9",
        description="未确认",
        status=HoursStatus.LOGGED,
    )
    for code, rating in (("T1", 5), ("T2", 4), ("T3", None)):
        DemandRequest.objects.create(
            tracking_code=tag + code,
            region=village,
            channel="phone",
            description="修水管",
            recipient=recipient,
            received_at=timezone.now(),
            resolved_at=timezone.now(),
            status=Status.CLOSED if rating else Status.RESOLVED,
            rating=rating,
            project=project,
        )


def test_every_indicator_counts_its_linked_records_in_one_query_each(world):
    project = _project(world)
    user, worker = _worker_on(world, project)
    _link_every_kind(world, project, user, worker)
    for indicator in Indicator.values:
        services.target_set(actor=official(world), project=project, indicator=indicator, quantity="100")
    with CaptureQueriesContext(connection) as queries:
        found = {i.target.indicator: i.actual for i in selectors.progress(project)}
    assert len(queries) <= 1 + len(Indicator.values)  # the targets, then one query per indicator
    assert found == {
        "visits": 1,
        "cases_opened": 2,  # a case not taken on (不予接案) is not opened
        "cases_closed": 1,
        "group_sessions": 1,
        "activities": 1,
        "people_served": 1,  # one person reached five ways in one month
        "volunteer_hours": Decimal("2.5"),  # confirmed hours only
        "demands_resolved": 3,
        "satisfaction": Decimal("90.0"),  # mean of 5 and 4 stars
    }
    for indicator, value in found.items():
        rows = selectors.drilldown(project, indicator)
        if indicator == "volunteer_hours":
            assert sum(Decimal(r.value) for r in rows) == value
        elif indicator == "satisfaction":
            assert [r.value for r in rows] == ["5", "4"]
        else:
            assert len(rows) == value, indicator


def test_many_projects_read_together_give_each_the_figures_its_own_page_gives(world, monkeypatch):
    """The list's and the filter's reading of many projects at once agrees, target by target, with each project's
    own page — across chunks of the aggregate query and with every indicator, people served included."""
    first, second, third = _project(world), _project(world), _project(world)
    _link_every_kind(world, first, *_worker_on(world, first), tag="A")
    _link_every_kind(world, second, *_worker_on(world, second), tag="B")
    for project, quantity in ((first, "100"), (second, "3"), (third, "40")):
        for indicator in Indicator.values:
            services.target_set(
                actor=official(world), project=project, indicator=indicator, quantity=quantity
            )
    one_by_one = {
        p.pk: [(i.target.pk, i.actual, i.expected, i.behind) for i in selectors.progress(p)]
        for p in (first, second, third)
    }
    monkeypatch.setattr(selectors, "TARGETS_PER_QUERY", 2)
    together = selectors.progress_many([first, second, third])
    assert {
        pk: [(i.target.pk, i.actual, i.expected, i.behind) for i in items] for pk, items in together.items()
    } == one_by_one
    assert any(actual for _t, actual, _e, _b in one_by_one[second.pk])
    assert selectors.behind_of([first, second, third]) == {
        pk for pk, rows in one_by_one.items() if any(behind for *_rest, behind in rows)
    }


def test_the_monthly_release_counts_the_linked_records_and_names_no_one(world):
    from shegong.projects import disclosure

    project = _project(world)
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="10")
    user, worker = _worker_on(world, project)
    _link_every_kind(world, project, user, worker)
    today = timezone.localdate()
    content = disclosure.release_content(project, today.replace(day=1), today=today)
    [visits] = content["execution"]["targets"]
    assert visits["actual"] == "1" and content["execution"]["activities_held"] == "1"
    text = str(content)
    assert "刘爷爷" not in text and "志愿者甲" not in text and worker.name not in text


def test_the_drill_down_is_404_for_an_operator_of_another_organisation_and_another_township(world, client):
    project = _project(world)
    user, _worker = _worker_on(world, project)
    _visit(user, make_recipient(VILLAGE_A1))
    for outsider in (
        make_user(("operator", TOWN_A), organisation=world.org_b),
        world.user_b,
    ):
        login_client(client, outsider)
        assert client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=visits").status_code == 404
        assert client.get(f"/api/v1/projects/{project.pk}/actuals/visits").status_code == 404


def test_the_project_export_carries_the_linked_actuals(world, client):
    import io

    from openpyxl import load_workbook

    project, quiet = _project(world), _project(world)
    user, _worker = _worker_on(world, project)
    recipient = make_recipient(VILLAGE_A1)
    _visit(user, recipient)
    _visit(user, recipient)
    login_client(client, world.official_a)
    sheet = load_workbook(io.BytesIO(client.get("/projects/export/").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("探访（次）·关联记录")
    by_code = {row[0]: row[column] for row in rows[1:]}
    assert float(by_code[project.code]) == 2 and float(by_code[quiet.code]) == 0


def test_group_sessions_and_activities_link_through_their_write_services(world):
    from shegong.accounts.actor import SystemActor
    from shegong.activities import services as activity_services
    from shegong.groups import services as group_services

    project, second = _project(world), _project(world)
    user, worker = _worker_on(world, project)
    today = timezone.localdate()
    group = group_services.group_create(
        actor=SystemActor("test"),
        data={
            "node": world.station_a,
            "name": "长者互助小组",
            "kind": "support",
            "purpose": "减少孤独感",
            "leader": worker,  # the leader's project is the session's
            "planned_sessions": 6,
            "starts_on": today - datetime.timedelta(days=10),
        },
    )
    session, _created = group_services.session_record(
        actor=SystemActor("test"),
        group=group,
        data={"held_on": today, "place": "活动室", "content": "破冰"},
        present=[],
        idempotency_key=uuid.uuid4(),
    )
    assert session.project_id == project.pk
    activity_data = {"title": "重阳敬老", "kind": "festival", "held_on": today, "participants": 20}
    activity, _created = activity_services.activity_record(
        actor=Actor.for_user(user), node=world.station_a, data=activity_data, idempotency_key=uuid.uuid4()
    )
    assert activity.project_id == project.pk  # the recording worker's project
    ProjectStaff.objects.create(project=second, worker=worker, start_date=second.starts_on)
    with pytest.raises(ValidationError) as caught:
        activity_services.activity_record(
            actor=Actor.for_user(user), node=world.station_a, data=activity_data, idempotency_key=uuid.uuid4()
        )
    assert "project_id" in caught.value.message_dict
    chosen, _created = activity_services.activity_record(
        actor=Actor.for_user(user),
        node=world.station_a,
        data={**activity_data, "project_id": second.pk},
        idempotency_key=uuid.uuid4(),
    )
    assert chosen.project_id == second.pk


def test_a_case_links_through_its_worker_and_a_request_when_its_worker_resolves_it(world):
    from shegong.cases import services as case_services
    from shegong.demands import services as demand_services
    from shegong.demands.models import DemandRequest

    project = _project(world)
    user, worker = _worker_on(world, project)
    actor = Actor.for_user(user)
    recipient = make_recipient(VILLAGE_A1)
    case = case_services.case_open(
        actor=actor,
        station=world.station_a,
        worker=worker,
        data={
            "recipient": recipient,
            "source": "visit",
            "presenting_problem": "独居，情绪低落",
            "opened_on": timezone.localdate(),
        },
    )
    assert case.project_id == project.pk
    req = DemandRequest.objects.create(
        tracking_code="LINK1",
        region=world.regions["village_a1"],
        channel="phone",
        description="需要助浴",
        received_at=timezone.now(),
        status="in_progress",
        worker=worker,
        receiver_kind="worker",
    )
    resolved = demand_services.request_resolve(actor=actor, req=req, resolution="已上门助浴")
    assert resolved.project_id == project.pk
    unassigned = DemandRequest.objects.create(
        tracking_code="LINK2",
        region=world.regions["village_a1"],
        channel="phone",
        description="需要助餐",
        received_at=timezone.now(),
        status="in_progress",
        station=world.station_a,
        receiver_kind="station",
    )
    assert (
        demand_services.request_resolve(actor=actor, req=unassigned, resolution="已安排").project_id is None
    )


def test_the_operator_reads_the_same_actual_and_is_told_what_it_may_not_open(world, client):
    """A project's figure does not depend on who reads it: the operator counts the linked visits to residents of a
    station another organisation runs, and its drill-down says how many it may not open instead of listing them."""
    from shegong.network.models import ServiceNode
    from shegong.recipients.models import Recipient

    project = _project(world)  # operated by org_a
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="100")
    user, _worker = _worker_on(world, project)
    ServiceNode.objects.filter(pk=world.station_a.pk).update(operator=world.org_a)
    ours, theirs = make_recipient(VILLAGE_A1), make_recipient(VILLAGE_A1, name="王奶奶")
    Recipient.objects.filter(pk=ours.pk).update(station=world.station_a)
    Recipient.objects.filter(pk=theirs.pk).update(station=None)  # not a station org_a runs
    seen = _visit(user, ours)
    _visit(user, theirs)

    operator_user = make_user(("operator", TOWN_A), organisation=world.org_a)
    figures = {}
    for reader in (world.official_a, operator_user):
        login_client(client, reader)
        page = client.get(f"/projects/{project.pk}/")
        [item] = [i for i in page.context["progress"] if i.target.indicator == "visits"]
        drill = client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=visits")
        api = client.get(f"/api/v1/projects/{project.pk}/actuals/visits").json()
        figures[reader.username] = (item.actual, drill.context["actual"], api["actual"], len(api["records"]))
        if reader is operator_user:
            assert [r.url for r in drill.context["rows"]] == [reverse("visits:visit_detail", args=[seen.pk])]
            assert drill.context["hidden"] == 1 and api["hidden"] == 1
            assert 'id="hidden-records"' in drill.content.decode() and "王奶奶" not in drill.content.decode()
        else:
            assert drill.context["hidden"] == 0 and api["hidden"] == 0
    assert figures[world.official_a.username] == (2, 2, "2", 2)
    assert figures[operator_user.username] == (2, 2, "2", 1)

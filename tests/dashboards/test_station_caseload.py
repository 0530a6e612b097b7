"""The station page's caseload (dashboards reads the cases app's selectors): open cases per lead worker with the
overdue and the awaiting approval, and open cases by stage; another township's cases are not counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.accounts.actor import Actor
from shegong.cases import services
from tests.cases.helpers import assess, build, open_case, open_data, plan
from tests.factories import login_client

pytestmark = pytest.mark.django_db


def _fill(cw, world, n):
    for i in range(n):
        open_case(cw, presenting_problem=f"个案{i}")
    services.case_open(
        actor=Actor.for_user(cw.worker_b_user),
        station=world.station_b,
        worker=cw.worker_b,
        data=open_data(None, resident_name="赵奶奶"),
    )


def test_caseload_per_worker_and_by_stage(world, client):
    cw = build(world)
    _fill(cw, world, 2)
    waiting = open_case(cw, presenting_problem="待审批的个案")
    assess(cw, waiting)
    plan(cw, waiting)
    services.case_plan_submit(actor=cw.lead, case=waiting)
    login_client(client, cw.head_user)
    response = client.get("/dashboards/station/")
    caseload = response.context["caseload"]
    assert [(w["worker__name"], w["open"], w["awaiting"]) for w in caseload.workers] == [("张晓", 3, 1)]
    by_stage = {s["stage"]: s["n"] for s in caseload.stages}
    assert by_stage == {"intake": 2, "assessment": 0, "plan": 1, "intervention": 0, "evaluation": 0}
    assert caseload.open_total == 3
    page = response.content.decode()
    assert 'id="caseload"' in page and "张晓" in page and "王芳" not in page


def test_a_colleague_without_cases_permission_sees_no_caseload(world, client):
    from tests.factories import make_user

    login_client(client, make_user("volunteer"))
    response = client.get("/dashboards/station/")
    assert response.status_code in (302, 403) or response.context.get("caseload") is None


def test_the_caseload_reads_a_fixed_number_of_queries(world, client):
    cw = build(world)
    login_client(client, cw.head_user)
    _fill(cw, world, 1)
    client.get("/dashboards/station/")
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboards/station/")
    _fill(cw, world, 5)
    with CaptureQueriesContext(connection) as many:
        client.get("/dashboards/station/")
    assert len(many) == len(few)


def test_the_work_chart_draws_people_served_on_an_axis_of_its_own(world, client):
    cw = build(world)
    login_client(client, cw.head_user)
    chart = client.get("/dashboards/station/").context["work"].chart
    axes = {s["name"]: s.get("axis", 0) for s in chart["series"]}
    # Hundreds of people served a month beside a handful of sessions flattened the bars to nothing.
    assert [name for name, axis in axes.items() if axis == 1] == ["服务人次（人·月）"]

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.projects import services
from shegong.projects.models import BudgetLine, ProjectStaff

from ..factories import TOWN_A, login_client, make_user
from .helpers import make_project, make_worker, official, operator, pdf

pytestmark = pytest.mark.django_db


def _operator_user(world, org=None):
    return make_user(("operator", TOWN_A), organisation=org or world.org_a)


def test_assigning_a_worker_already_on_a_project_is_refused_on_the_page_naming_it(world, client):
    first, second = make_project(world), make_project(world)
    worker = make_worker(world, "陈静")
    services.staff_add(actor=operator(world), project=first, worker=worker)
    login_client(client, _operator_user(world))
    response = client.post(f"/projects/{second.pk}/staff/", {"worker": worker.pk, "role": "worker"})
    assert response.status_code == 422
    body = response.content.decode()
    assert first.name in body and first.code in body
    assert f'<option value="{worker.pk}" selected>' in body  # what was chosen stays chosen
    assert not ProjectStaff.objects.filter(project=second).exists()


def test_assigning_a_worker_already_on_a_project_is_refused_by_the_api_naming_it(world, client):
    first, second = make_project(world), make_project(world)
    worker = make_worker(world)
    services.staff_add(actor=operator(world), project=first, worker=worker)
    login_client(client, _operator_user(world))
    response = client.post(
        f"/api/v1/projects/{second.pk}/staff", {"worker": worker.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid" and error["detail"][0]["field"] == "worker"
    assert first.code in error["detail"][0]["message"]
    ok = client.post(
        f"/api/v1/projects/{second.pk}/staff",
        {"worker": make_worker(world).pk},
        content_type="application/json",
    )
    assert ok.status_code == 201


def test_an_operator_of_another_organisation_gets_404(world, client):
    project = make_project(world)
    login_client(client, _operator_user(world, org=world.org_b))
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert client.post(f"/projects/{project.pk}/staff/", {"worker": make_worker(world).pk}).status_code == 404


def test_overspending_on_the_page_keeps_what_was_typed_and_names_the_field(world, client):
    project = make_project(world)
    line = services.budget_line_set(actor=official(world), project=project, category="supplies", amount="100")
    login_client(client, _operator_user(world))
    response = client.post(
        f"/projects/{project.pk}/spending/",
        {
            "line": line.pk,
            "amount": "150.00",
            "spent_on": "2026-03-02",
            "description": "米面油",
            "voucher": SimpleUploadedFile("发票.pdf", pdf().data),
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "超出预算" in body and 'value="150.00"' in body and "米面油" in body
    line.refresh_from_db()
    assert line.spent == 0 and line.refused_attempts == 1
    voucher = client.post(
        f"/api/v1/projects/{project.pk}/documents",
        {"doc_type": "voucher", "file": SimpleUploadedFile("发票.pdf", pdf().data)},
    )
    assert voucher.status_code == 201, voucher.content
    api = client.post(
        f"/api/v1/projects/{project.pk}/expenditures",
        {
            "line": line.pk,
            "amount": "150.00",
            "spent_on": "2026-03-02",
            "description": "x",
            "voucher": voucher.json()["id"],
        },
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "amount"
    good = client.post(
        f"/api/v1/projects/{project.pk}/expenditures",
        {
            "line": line.pk,
            "amount": "99.50",
            "spent_on": "2026-03-02",
            "description": "x",
            "voucher": voucher.json()["id"],
        },
        content_type="application/json",
    )
    assert (
        good.status_code == 201 and good.json()["status"] == "pending" and good.json()["line_spent"] == "0.00"
    )


def test_the_project_page_shows_targets_staff_budget_and_the_linked_records(world, client):
    from shegong.activities.models import Activity

    project = make_project(world, regions=("village_a1",))
    other = make_project(world, regions=("town_a",))
    Activity.objects.create(
        node=world.station_a, title="敬老茶话会", held_on=project.starts_on, project=project
    )
    Activity.objects.create(
        node=world.station_a, title="别的项目的活动", held_on=project.starts_on, project=other
    )
    services.target_set(actor=official(world), project=project, indicator="activities", quantity="12")
    services.staff_add(actor=operator(world), project=project, worker=make_worker(world, "赵敏"))
    services.budget_line_set(actor=official(world), project=project, category="personnel", amount="1000")
    login_client(client, world.official_a)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert "社区活动场次" in body and "赵敏" in body and "人员经费" in body
    assert other.code not in body  # overlapping regions share nothing: each counts its own records
    # Ending a project (which also ends every worker's post) folds behind its own link, away from the next step.
    assert '<details id="terminate"><summary>终止项目</summary>' in body
    # A count target reads "12", not the stored decimal "12.0".
    assert '<td data-label="目标">12</td>' in body
    # The read-only demand figures scroll inside their panel on a phone instead of stacking five lines a row.
    assert '<table class="table" id="demand-table">' in body
    drill = client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=activities")
    assert drill.status_code == 200
    assert "敬老茶话会" in drill.content.decode() and "别的项目的活动" not in drill.content.decode()
    assert client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=nope").status_code == 404


def test_the_list_filters_and_its_query_count_does_not_grow_with_projects(world, client):
    """Each row says whether its project is behind its plan; the page and the behind-plan filter read every
    project's targets and actuals together, not one project at a time."""
    login_client(client, world.official_a)

    def targeted():
        project = make_project(world)
        for indicator in ("visits", "activities", "cases_opened"):
            services.target_set(actor=official(world), project=project, indicator=indicator, quantity="50")
        return project

    targeted()
    client.get("/projects/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/projects/").status_code == 200
    with CaptureQueriesContext(connection) as few_behind:
        assert client.get("/projects/?flag=behind").status_code == 200
    for _ in range(5):
        targeted()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/projects/")
    assert len(many) == len(few)
    assert len(response.context["behind"]) == 6 and response.content.decode().count("进度落后</span>") == 6
    with CaptureQueriesContext(connection) as many_behind:
        assert len(client.get("/projects/?flag=behind").context["page"].object_list) == 6
    assert len(many_behind) == len(few_behind)
    assert client.get("/projects/?state=executing&flag=over_budget&q=七星岗").status_code == 200
    assert client.get("/projects/export/").status_code == 200


def test_creating_a_project_with_bad_input_keeps_it_and_names_the_field(world, client):
    login_client(client, world.official_a)
    response = client.post(
        "/projects/new/",
        {
            "code": "YZ-NEW-1",
            "name": "新项目",
            "buyer": world.regions["town_a"].code,
            "operator": world.org_a.pk,
            "service_regions": [world.regions["village_b1"].code],
            "kind": "core",
            "field": "elderly",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "contract_amount": "12.345",
            "behind_margin": "10",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "两位小数" in body and "不在购买方辖区内" in body and 'value="YZ-NEW-1"' in body
    # The form says how to choose several regions and what a blank buyer name becomes.
    assert "按住 Ctrl" in body and "不填则用下面所选购买方区划的名称" in body
    ok = client.post(
        "/projects/new/",
        {
            "code": "YZ-NEW-1",
            "name": "新项目",
            "buyer": world.regions["town_a"].code,
            "operator": world.org_a.pk,
            "service_regions": [world.regions["village_a1"].code],
            "kind": "core",
            "field": "elderly",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "contract_amount": "120000",
            "behind_margin": "10",
        },
    )
    assert ok.status_code == 302
    _ = (BudgetLine, datetime)


def test_the_drilldown_shows_a_page_of_records_at_a_time(world, client, monkeypatch):
    from shegong.projects import selectors
    from shegong.projects.selectors import DrillRow

    project = make_project(world)
    many = [DrillRow(project.starts_on, f"记录{i}", "上门", f"/visits/{i}/") for i in range(250)]
    monkeypatch.setattr(selectors, "drilldown", lambda project, indicator: many)
    login_client(client, world.official_a)
    first = client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=visits")
    assert len(first.context["rows"]) == 100 and first.context["page"].paginator.num_pages == 3
    assert 'rel="next"' in first.content.decode()
    last = client.get(f"/projects/{project.pk}/targets/drilldown/?indicator=visits&page=3")
    assert [r.title for r in last.context["rows"]][-1] == "记录249"


def test_a_workers_notice_and_leaving_fold_behind_one_link_on_the_operators_page(world, client):
    project = make_project(world)
    services.staff_add(actor=operator(world), project=project, worker=make_worker(world, "钱进"))
    login_client(client, _operator_user(world))
    body = client.get(f"/projects/{project.pk}/").content.decode()
    # Two always-open forms a row, one a one-click "离开项目" with today's date filled in, crowded every row.
    assert body.count('<details class="row-more"><summary>离职 / 离开</summary>') == 1
    assert body.index("row-more") < body.index('name="end_date"')

"""An operator organisation's desk (机构工作台): the head of an operator lands on its own running projects and what
it owes the bureau now, computed from the same reads as each project's page; other organisations' projects and
other regions' stay out of it."""

import datetime

import pytest
from django.utils import timezone

from shegong.accounts.actor import Actor
from shegong.projects import services
from shegong.projects.models import ProjectState
from shegong.projects.selectors import progress

from ..factories import TOWN_B, login_client, make_user
from .helpers import make_project, make_worker, official, operator, pdf

pytestmark = pytest.mark.django_db


def _running(world, org=None, *, name=""):
    today = timezone.localdate()
    project = make_project(
        world,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=265),
        org=org,
    )
    if name:
        type(project)._base.filter(pk=project.pk).update(name=name)
        project.refresh_from_db()
    return project


def _desk(client, user):
    login_client(client, user)
    response = client.get("/projects/desk/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_operators_head_lands_on_its_projects_and_what_it_owes_now(world, client):
    today = timezone.localdate()
    project = _running(world, name="甲方为老服务项目")
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="100")
    [item] = progress(project)
    assert item.behind  # 100 days of a year gone, no visit linked

    head = operator(world)
    unfiled = services.staff_add(
        actor=head,
        project=project,
        worker=make_worker(world, name="未报备社工"),
        start_date=today - datetime.timedelta(days=20),
    )
    leaving = services.staff_add(
        actor=head,
        project=project,
        worker=make_worker(world, name="离职社工"),
        start_date=today - datetime.timedelta(days=90),
    )
    services.staff_notice(
        actor=head, staff=leaving, notice_date=today - datetime.timedelta(days=10), today=today
    )
    line = services.budget_line_set(
        actor=official(world), project=project, category="supplies", amount="5000"
    )
    services.expenditure_record(
        actor=head,
        project=project,
        line=line,
        amount="800",
        spent_on=today,
        description="慰问品采购",
        voucher=pdf("凭证.pdf"),
    )
    elsewhere = _running(world, org=world.org_b, name="乙方机构的项目")
    closed = _running(world, name="已结项的项目")
    type(closed)._base.filter(pk=closed.pk).update(state=ProjectState.CLOSED)

    login_client(client, head.user)
    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == "/projects/desk/"
    response, body = _desk(client, head.user)
    desk = response.context["desk"]
    assert [p.project for p in desk.projects] == [project]
    assert "甲方为老服务项目" in body and "乙方机构的项目" not in body and "已结项的项目" not in body
    assert desk.behind == 1 and "进度落后" in body and "?indicator=visits" in body

    assert [row.staff for _p, row in desk.filings] == [leaving, unfiled]  # the earliest deadline first
    assert all(row.overdue for _p, row in desk.filings) and desk.overdue_filings == 2
    assert "未报备社工" in body and "已逾期" in body

    [(on, row)] = desk.leaving
    assert on == project and row.staff == leaving and row.replacement is None
    assert row.earliest == today + datetime.timedelta(days=20)
    assert row.latest == today + datetime.timedelta(days=50) and row.days_left == 50
    assert "补员未到岗" in body

    [pending] = desk.expenditures
    assert pending.description == "慰问品采购" and "慰问品采购" in body and "¥800.00" in body

    # A replacement takes up its post: the leaving worker's row says who.
    services.staff_add(
        actor=head, project=project, worker=make_worker(world, name="补员社工"), start_date=today
    )
    _response, body = _desk(client, head.user)
    assert "补员社工 已到岗" in body and "补员未到岗" not in body

    # The other organisation's head sees its own project only.
    _response, body = _desk(client, operator(world, org=world.org_b).user)
    assert "乙方机构的项目" in body and "甲方为老服务项目" not in body and "慰问品采购" not in body
    assert elsewhere.pk


def test_an_operator_of_another_region_sees_none_of_them_and_an_official_goes_to_the_list(world, client):
    _running(world, name="甲方为老服务项目")
    stranger = make_user(("operator", TOWN_B), organisation=world.org_b)
    response, body = _desk(client, stranger)
    assert response.context["desk"].projects == [] and "甲方为老服务项目" not in body
    assert "本机构暂无在执行的项目" in body

    login_client(client, world.official_a)
    response = client.get("/projects/desk/")
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert Actor.for_user(world.official_a).can("projects.view")


def test_a_project_on_its_second_day_is_not_flagged_behind_on_the_desk(world, client):
    today = timezone.localdate()
    project = make_project(
        world, starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=363)
    )
    services.target_set(actor=official(world), project=project, indicator="activities", quantity="36")
    response, body = _desk(client, operator(world).user)
    assert response.context["desk"].behind == 0 and "各项指标进度正常" in body

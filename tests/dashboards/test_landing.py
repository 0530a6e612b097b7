"""Each role lands on its own work and sees only the menus it uses; the official's lists drill to people."""

import datetime

import pytest
from django.utils import timezone

from shegong.recipients.care.models import VisitObligation
from shegong.recipients.models import Recipient, RiskTier
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, VILLAGE_A2, make_user
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "region", "landing"),
    [
        ("worker", TOWN_A, "/visits/worklist/"),
        ("township", TOWN_A, "/dashboards/station/"),
        ("volunteer", TOWN_A, "/people/hours/mine/"),
        # The coverage page showed these two 0 stations and 0.0% coverage: they start on their own lists.
        ("supervisor", DISTRICT, "/supervision/"),
        ("evaluator", DISTRICT, "/evaluation/"),
    ],
)
def test_each_role_lands_on_its_own_work(world, login, client, role, region, landing):
    login(make_user((role, region)))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(landing.rstrip("/"))


def test_the_official_lands_on_the_dashboard_with_visit_figures(world, login, client):
    late = make_recipient(VILLAGE_A1, name="逾期甲", tier=RiskTier.HIGH)
    Recipient.objects.filter(pk=late.pk).update(next_due_on=timezone.localdate() - datetime.timedelta(days=4))
    login(world.official_a)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["care_counts"] == {"overdue": 1, "escalated": 1}
    body = response.content.decode()
    assert 'data-kpi="visit-rate"' in body and f"/visits/overdue/?under={DISTRICT}&escalated=1" in body


def test_a_volunteer_sees_no_region_menu(world, login, client):
    login(make_user(("volunteer", TOWN_A)))
    labels = [str(i["label"]) for i in client.get("/people/hours/mine/").context["nav_items"]]
    assert "行政区划" not in labels and "我的时长" in labels


def test_the_overdue_list_filters_by_township_and_risk(world, login, client):
    today = timezone.localdate()
    a = make_recipient(VILLAGE_A1, name="高甲", tier=RiskTier.HIGH)
    b = make_recipient(VILLAGE_A2, name="重乙", tier=RiskTier.KEY)
    Recipient.objects.filter(pk__in=[a.pk, b.pk]).update(next_due_on=today - datetime.timedelta(days=2))
    login(world.official_a)
    names = lambda r: [i.recipient.name for i in r.context["items"]]  # noqa: E731
    assert sorted(names(client.get("/visits/overdue/"))) == ["重乙", "高甲"]
    assert names(client.get("/visits/overdue/?risk=1")) == ["高甲"]
    assert names(client.get("/visits/overdue/?escalated=1")) == ["高甲"]
    assert names(client.get(f"/visits/overdue/?under={VILLAGE_A2}")) == ["重乙"]
    export = client.get("/visits/overdue/export/?risk=1")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_the_unvisited_people_behind_a_villages_figure(world, login, client):
    month = timezone.localdate().replace(day=1)
    owed = make_recipient(VILLAGE_A1, name="未访丙", tier=RiskTier.KEY)
    VisitObligation.objects.update_or_create(
        recipient=owed, month=month, defaults={"visited": False, "region_code": VILLAGE_A1}
    )
    login(world.official_a)
    response = client.get(f"/visits/unvisited/?region={VILLAGE_A1}&month={month:%Y-%m}")
    assert [r.name for r in response.context["page"]] == ["未访丙"]
    assert (
        client.get(f"/visits/unvisited/?region={VILLAGE_A2}&month={month:%Y-%m}")
        .context["page"]
        .paginator.count
        == 0
    )


def test_recipient_list_filters_sorts_and_numbers_pages(world, login, client):
    for i in range(35):
        make_recipient(VILLAGE_A1 if i % 2 else VILLAGE_A2, name=f"名{i:02d}")
    login(world.user_a)
    response = client.get(f"/recipients/?village={VILLAGE_A2}&sort=name")
    names = [r.name for r in response.context["page"]]
    assert names == sorted(names) and all(int(n[1:]) % 2 == 0 for n in names)
    response = client.get("/recipients/?sort=-name&page=2")
    assert [r.name for r in response.context["page"]][0] == "名04"
    assert 'data-page="1"' in response.content.decode()

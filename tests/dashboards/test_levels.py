"""Dashboards per level: city, district, township and station pages read the rollups and tallies kept as records
are written, so a visit, a case and a request recorded now show on the next request; every figure's drill-down
lists exactly the records it counts; another region's dashboard is a 404; the query count does not grow."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shegong.accounts.actor import Actor
from shegong.audit.models import AuditEvent
from shegong.core import panels as core_panels
from shegong.core.panels import Figure, Panel
from shegong.recipients.models import RiskTier
from shegong.visits.services import visit_record
from tests.cases.helpers import build, open_case
from tests.demands.helpers import public_request
from tests.factories import CITY, DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import key, make_recipient, visit_data

from .helpers import figures, listed

pytestmark = pytest.mark.django_db


def _pages(world):
    return [f"/dashboards/{CITY}/", f"/dashboards/{DISTRICT}/", f"/dashboards/station/{world.station_a.pk}/"]


def test_a_visit_a_case_and_a_request_recorded_now_show_on_every_level_next_request(world, client):
    cw = build(world)
    login_client(client, make_user(("official", CITY)))
    before = {url: figures(client.get(url)) for url in _pages(world)}

    recipient = make_recipient(VILLAGE_A1, name="新访对象", tier=RiskTier.KEY)
    worker = Actor.for_user(make_user("worker", region_code=TOWN_A))
    visit_record(actor=worker, recipient=recipient, data=visit_data(), idempotency_key=key())
    open_case(cw, presenting_problem="新开个案")
    public_request(region=VILLAGE_A1)

    for url in _pages(world):
        after = figures(client.get(url))
        old = before[url]
        assert after["visited"].value == old["visited"].value + 1, url
        assert after["cases_opened"].value == old["cases_opened"].value + 1, url
        assert after["cases_open"].value == old["cases_open"].value + 1, url
        assert after["requests_received"].value == old["requests_received"].value + 1, url
        assert after["requests_open"].value == old["requests_open"].value + 1, url


def test_another_townships_work_does_not_count_on_a_station(world, client):
    login_client(client, make_user(("official", CITY)))
    before = figures(client.get(f"/dashboards/station/{world.station_a.pk}/"))
    public_request(region="500103002001")
    after = figures(client.get(f"/dashboards/station/{world.station_a.pk}/"))
    assert after["requests_received"].value == before["requests_received"].value
    district = figures(client.get(f"/dashboards/{DISTRICT}/"))
    assert district["requests_received"].value == before["requests_received"].value + 1


DRILLED = [
    "unvisited",
    "overdue",
    "escalated",
    "cases_opened",
    "cases_open",
    "stage_intake",
    "requests_received",
    "requests_open",
    "requests_overdue",
    "workers",
    "certified",
    "volunteers",
    "activities",
    "stations",
    "rooms",
    "projects_running",
    "over_budget",
]


def test_each_figure_drills_down_to_exactly_the_records_it_counts(world, client):
    from shegong.people.models import Certificate, SocialWorker

    cw = build(world)
    for i in range(3):
        open_case(cw, presenting_problem=f"个案{i}")
    for i in range(2):
        public_request(region=VILLAGE_A1, description=f"需要上门助餐服务第{i}次")
    SocialWorker.objects.filter(pk=cw.worker.pk).update(certificate=Certificate.ASSISTANT)
    late = make_recipient(VILLAGE_A1, name="逾期甲", tier=RiskTier.HIGH)
    from django.utils import timezone

    from shegong.recipients.models import Recipient

    Recipient.objects.filter(pk=late.pk).update(next_due_on=timezone.localdate() - timezone.timedelta(days=5))
    login_client(client, make_user(("official", CITY)))
    for url in (f"/dashboards/{DISTRICT}/", f"/dashboards/{TOWN_A}/"):
        shown = figures(client.get(url))
        checked = 0
        for name in DRILLED:
            figure = shown.get(name)
            if figure is None:
                continue
            assert figure.url, f"{name} has no drill-down"
            assert listed(client, figure.url) == figure.value, f"{url} {name}: {figure.url}"
            checked += 1
        assert checked >= 15
        assert shown["cases_open"].value == 3 and shown["requests_open"].value == 2
        assert shown["workers"].value >= 2 and shown["certified"].value == 1


def test_the_tiles_are_the_child_regions_coloured_by_visit_rate(world, client):
    login_client(client, make_user(("official", CITY)))
    response = client.get(f"/dashboards/{DISTRICT}/")
    coverage = next(p for p in response.context["board"].panels if p.key == "coverage")
    assert [t["code"] for t in coverage.tiles] == [TOWN_A, TOWN_B]
    assert coverage.tiles[0]["url"] == f"/dashboards/{TOWN_A}/"
    assert all(t["tone"] in ("good", "fair", "poor", "none") for t in coverage.tiles)
    body = response.content.decode()
    assert 'data-tile="500103001000"' in body and "vendor/echarts.min.js" in body


def test_another_regions_dashboard_is_a_404(world, client):
    login_client(client, make_user(("official", TOWN_B), region_code=TOWN_B))
    assert client.get(f"/dashboards/{TOWN_A}/").status_code == 404
    assert client.get(f"/dashboards/{DISTRICT}/").status_code == 404
    assert client.get(f"/dashboards/station/{world.station_a.pk}/").status_code == 404
    assert client.get(f"/dashboards/{TOWN_A}/screen/").status_code == 404
    assert client.get(f"/dashboards/{TOWN_A}/data/").status_code == 404
    assert client.get(f"/api/v1/dashboards/township/{TOWN_A}").status_code == 404
    assert client.get(f"/api/v1/dashboards/station/{world.station_a.pk}").status_code == 404
    assert client.get(f"/dashboards/{TOWN_B}/").status_code == 200


def test_the_api_returns_the_figures_with_their_drill_downs_and_is_audited(world, client):
    user = make_user(("official", DISTRICT), region_code=DISTRICT)
    login_client(client, user)
    response = client.get(f"/api/v1/dashboards/district/{DISTRICT}")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "district" and body["code"] == DISTRICT
    keys = {p["key"] for p in body["panels"]}
    assert {"coverage", "staffing", "visits", "cases", "work", "demands", "projects", "volunteers"} <= keys
    urls = [f["url"] for p in body["panels"] for f in p["figures"] if f["url"]]
    assert urls and all(u.startswith("/") for u in urls)
    assert AuditEvent.objects.filter(action="dashboard.read", actor_id=user.pk).count() == 1
    # The level must match the region: a township's code is not a district.
    assert client.get(f"/api/v1/dashboards/district/{TOWN_A}").status_code == 404
    assert client.get(f"/api/v1/dashboards/station/{world.station_a.pk}").json()["level"] == "station"


def test_a_lower_app_contributes_a_panel_through_the_core_hook(world, client):
    def findings(scope):
        return Panel(
            "integrity", "诚信核查", [Figure("findings_open", "未结问题", 7, url=f"/x/?under={scope.code}")]
        )

    core_panels.PANELS.register(findings)
    try:
        login_client(client, make_user(("official", DISTRICT), region_code=DISTRICT))
        shown = figures(client.get(f"/dashboards/{DISTRICT}/"))
        assert shown["findings_open"].value == 7 and shown["findings_open"].url == f"/x/?under={DISTRICT}"
    finally:
        core_panels.PANELS._contributors.remove(findings)


def test_the_official_lands_on_its_levels_dashboard(world, client):
    login_client(client, world.official_a)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["board"].level == "district"
    assert 'id="panel-coverage"' in response.content.decode()


def test_the_big_screen_refreshes_from_the_json(world, client):
    login_client(client, make_user(("official", DISTRICT), region_code=DISTRICT))
    page = client.get(f"/dashboards/{DISTRICT}/screen/").content.decode()
    assert f'data-refresh-url="/dashboards/{DISTRICT}/data/"' in page and 'class="screen"' in page
    data = client.get(f"/dashboards/{DISTRICT}/data/").json()
    assert data["code"] == DISTRICT and data["panels"]


def test_a_dashboard_reads_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    cw = build(world)
    login_client(client, make_user(("official", CITY)))
    client.get(f"/dashboards/{CITY}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/dashboards/{CITY}/")
    for i in range(5):
        open_case(cw, presenting_problem=f"更多个案{i}")
        public_request(region=VILLAGE_A1, description=f"更多的上门助餐诉求{i}")
        make_recipient(VILLAGE_A1, name=f"对象{i}")
    with django_assert_max_num_queries(len(few)):
        client.get(f"/dashboards/{CITY}/")
    with django_assert_max_num_queries(45):
        client.get(f"/dashboards/{CITY}/")


# The service records themselves: a dashboard reads their tallies and standing counts, never these tables.
SERVICE_TABLES = (
    "visits_visit",
    "cases_case",
    "cases_interventionnote",
    "demands_demandrequest",
    "groups_groupsession",
    "groups_attendance",
    "activities_activity",
    "people_volunteerhours",
    "charity_donation",
    "charity_disbursement",
)


@pytest.mark.parametrize(("level", "code"), [("city", CITY), ("district", DISTRICT), ("township", TOWN_A)])
def test_a_dashboard_reads_rollups_never_the_service_records(world, client, level, code):
    cw = build(world)
    open_case(cw, presenting_problem="在案个案")
    public_request(region=VILLAGE_A1)
    login_client(client, make_user(("official", CITY)))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/dashboards/{code}/").status_code == 200
        assert client.get(f"/dashboards/{code}/data/").status_code == 200
        assert client.get(f"/api/v1/dashboards/{level}/{code}").status_code == 200
    read = [q["sql"] for q in queries.captured_queries]
    for table in SERVICE_TABLES:
        assert not [sql for sql in read if f'"{table}"' in sql], f"the dashboard read {table}"


def test_sums_of_money_read_in_wan_yuan_not_as_raw_decimals(world, client):
    from shegong.dashboards.panels import wan
    from shegong.projects import services as project_services
    from tests.projects.helpers import make_project, official

    assert (wan("4760000.00000000"), wan("1867675.04000000"), wan(None)) == (476, 186.8, None)
    project = make_project(world, amount="2000000.00")
    project_services.budget_line_set(
        actor=official(world), project=project, category="personnel", amount="1867675.04"
    )
    login_client(client, make_user(("official", DISTRICT), region_code=DISTRICT))
    response = client.get(f"/dashboards/{DISTRICT}/")
    budget = figures(response)["budget"]
    assert (budget.value, str(budget.unit)) == (186.8, "万元")
    assert "<span data-value>186.8</span> <small>万元</small>" in response.content.decode()


def test_a_tile_is_coloured_against_the_months_pace_not_the_whole_month():
    import datetime

    from shegong.dashboards.panels import pace, tone

    december = datetime.date(2026, 12, 1)
    assert pace(december, datetime.date(2026, 12, 1)) == 3.2  # 1 of 31 days
    assert pace(december, datetime.date(2026, 12, 31)) == 100.0
    assert pace(datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)) == 100.0  # a finished month
    assert tone(3.0, pace(december, datetime.date(2026, 12, 1))) == "good"  # on the 1st, 3% is on time
    assert tone(3.0, pace(december, datetime.date(2026, 12, 31))) == "poor"
    assert tone(45.0, 50.0) == "good" and tone(35.0, 50.0) == "fair" and tone(34.0, 50.0) == "poor"
    assert tone(None, 50.0) == "none" and tone(0.0, 0.0) == "good"


def test_the_legend_says_what_rate_is_due_by_today(world, client):
    login_client(client, make_user(("official", CITY)))
    response = client.get(f"/dashboards/{DISTRICT}/")
    coverage = next(p for p in response.context["board"].panels if p.key == "coverage")
    expected = coverage.tiles[0]["pace"]
    assert f"到今天应达 {expected}%" in response.content.decode()


def test_a_municipalitys_placeholder_grouping_reads_as_the_city(world, client):
    from shegong.regions.models import Region, shown_name

    login_client(client, make_user(("official", CITY)))
    response = client.get(f"/dashboards/{CITY}/")
    assert response.context["board"].scope.name == "重庆市"
    assert "<h1>重庆市" in response.content.decode() or "重庆市 " in response.content.decode()
    assert Region.objects.get(code=CITY).display_name == "重庆市"
    assert shown_name("县", "重庆市") == "重庆市（县）" and shown_name("渝中区", "市辖区") == "渝中区"
    # The paths above a district read 重庆市 too: its dashboard, its visit rate and the regions page.
    for path in (
        f"/dashboards/{DISTRICT}/",
        f"/dashboards/visit-rate/?region={DISTRICT}",
        f"/regions/{DISTRICT}/",
    ):
        body = client.get(path).content.decode()
        crumbs = re.search(r'class="crumbs".*?</(nav|p)>', body, re.S).group(0)
        assert "重庆市" in crumbs and "市辖区" not in crumbs, path

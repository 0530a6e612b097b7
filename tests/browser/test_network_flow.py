"""In Chromium: log in, open the dashboard, add a station, see the coverage change."""

import pytest

from ..factories import PASSWORD, build_world
from .support import PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_official_adds_a_station_and_coverage_changes(live_server, page_factory):
    from shegong.core.scoping import unscoped
    from shegong.regions.models import Region

    with unscoped():
        world = build_world()
        Region.objects.create(code="500103003000", name="两路口街道", level=4, parent_id="500103000000")
    page = page_factory()
    ui_login(page, live_server.url, world.official_a.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    # The official lands on its district's dashboard; the coverage table is its region's page.
    assert page.locator("#panel-coverage [data-figure=station_coverage] [data-value]").inner_text() == "66.7"
    page.goto(f"{live_server.url}/?region=500103000000")
    assert page.locator("[data-kpi=station-rate]").inner_text() == "66.7%"
    page.wait_for_selector(".chart[data-rendered='1'] canvas")

    page.goto(f"{live_server.url}/network/new/")
    page.select_option("select[name=level]", "station")
    page.select_option("select[name=region]", "500103003000")
    page.fill("input[name=name]", "两路口街道社工站")
    page.fill("input[name=site_area]", "-5")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.locator(".has-error").count() >= 1
    assert page.input_value("input[name=name]") == "两路口街道社工站"  # what the user typed stays
    page.fill("input[name=site_area]", "180")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('两路口街道社工站')")

    page.goto(f"{live_server.url}/?region=500103000000")
    assert page.locator("[data-kpi=station-rate]").inner_text() == "100.0%"
    row = page.locator("tr[data-region='500103003000']")
    assert "100.0%" in row.inner_text()


def test_dashboard_drills_down_and_works_on_a_phone(live_server, page_factory):
    from shegong.core.scoping import unscoped

    from ..factories import CITY, make_user

    with unscoped():
        build_world()
        city_official = make_user(("official", CITY), username="cityofficial")
    page = page_factory(viewport=PHONE)
    ui_login(page, live_server.url, city_official.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    assert "重庆市" in page.locator("h1").inner_text()  # the code list's 市辖区 reads as the city
    page.click("[data-tile='500103000000']")  # the district's tile on the city's map
    page.wait_for_selector("h1:has-text('渝中区')")
    assert page.url.endswith("/dashboards/500103000000/")
    page.click("button.menu-toggle")
    assert page.locator("#main-nav").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the page scrolls sideways on a phone"

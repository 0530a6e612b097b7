"""In Chromium: a district's dashboard at a command room's, a laptop's and a phone's size, charts drawn from the
locally served ECharts; the big screen rotates its panels and shows a visit recorded meanwhile on its next refresh.

With ``SHEGONG_SHOTS=DIR`` the test saves a screenshot of each page at each size.
"""

import os

import pytest

from ..factories import CITY, DISTRICT, PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SHEGONG_SHOTS", "")
SCREEN = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _shoot(page, name):
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    page.screenshot(path=os.path.join(SHOTS, f"{name}-{size}.png"), full_page=not name.startswith("screen"))
    if page.viewport_size["width"] < 600:  # a tall phone page is unreadable shrunk: keep its screens too
        height = page.viewport_size["height"]
        for i in range(3):
            page.evaluate(f"window.scrollTo(0, {i * height})")
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{size}-screen{i}.png"))


def _visit(name: str):
    from shegong.accounts.actor import Actor
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import RiskTier
    from shegong.visits.services import visit_record
    from tests.recipients.helpers import key, make_recipient, visit_data

    with unscoped():
        recipient = make_recipient(VILLAGE_A1, name=name, tier=RiskTier.KEY)
        worker = Actor.for_user(make_user("worker", region_code=TOWN_A))
        visit_record(actor=worker, recipient=recipient, data=visit_data(), idempotency_key=key())


def _district():
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import RiskTier
    from tests.demands.helpers import public_request
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        for i in range(3):
            make_recipient(VILLAGE_A1, name=f"应访{i}", tier=RiskTier.KEY)
        public_request(region=VILLAGE_A1)
        official = make_user(("official", CITY), username="shiju")
    _visit("已访甲")
    return world, official


def test_the_district_dashboard_at_three_sizes_and_the_big_screen_refreshing(live_server, page_factory):
    world, official = _district()
    for viewport in (SCREEN, LAPTOP, PHONE):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, official.username, PASSWORD)
        page.goto(f"{live_server.url}/dashboards/{DISTRICT}/")
        page.wait_for_selector("[data-chart-for=visits] canvas")
        assert page.locator("[data-tile]").count() == 2
        assert page.locator("#panel-demands [data-figure=requests_open] [data-value]").inner_text() == "1"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"the dashboard scrolls sideways at {viewport}"
        _shoot(page, "dashboard-district")
        if viewport is PHONE:
            page.click("[data-tile='500103001000']")
            page.wait_for_url(f"{live_server.url}/dashboards/{TOWN_A}/")
            page.wait_for_selector("[data-chart-for=visits] canvas")
            _shoot(page, "dashboard-township")

    screen = page_factory(viewport=SCREEN)
    ui_login(screen, live_server.url, official.username, PASSWORD)
    screen.goto(f"{live_server.url}/dashboards/{DISTRICT}/screen/?refresh=2&rotate=3")
    screen.wait_for_selector(".screen-map [data-tile]")
    visited = screen.locator("#panel-visits [data-figure=visited] [data-value]")
    before = int(visited.inner_text()) if visited.is_visible() else None
    assert screen.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 22, 40)"
    hidden = screen.locator("#screen-rotor .dash-panel.is-hidden").count()
    assert hidden > 0, "the big screen shows every panel at once instead of rotating them"
    _shoot(screen, "screen")
    _visit("大屏期间新访")
    # The next refresh (every 2 s here) brings the visit: the figure is read whether or not its panel is showing.
    screen.wait_for_function(
        """([before]) => {
            const el = document.querySelector('#panel-visits [data-figure=visited] [data-value]');
            return el && Number(el.textContent) === (before === null ? 2 : before + 1);
        }""",
        arg=[before],
        timeout=5000,
    )
    first = screen.locator("#screen-rotor .dash-panel:not(.is-hidden)").first.get_attribute("id")
    screen.wait_for_function(
        "(id) => document.querySelector('#screen-rotor .dash-panel:not(.is-hidden)').id !== id",
        arg=first,
        timeout=5000,
    )
    _shoot(screen, "screen-rotated")

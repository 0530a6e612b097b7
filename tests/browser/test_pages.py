"""In Chromium at phone and desktop size: the regions page, the sign-up poster and picker, the local-policy page.

With ``SHEGONG_SHOTS=DIR`` the test saves screenshots of each page.
"""

import os

import pytest

from ..factories import PASSWORD, TOWN_A, build_world, make_node, make_user, region
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SHEGONG_SHOTS", "")


def _shoot(page, name):
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    page.screenshot(path=os.path.join(SHOTS, f"{name}-{size}.png"), full_page=True)


def _world():
    from shegong.core.scoping import unscoped
    from tests.people.helpers import make_worker

    with unscoped():
        world = build_world()
        other = region("500107000000", "九龙坡区", 3, world.regions["city"].code)
        town = region("500107001000", "杨家坪街道", 4, other.code)
        region("500107001001", "七星社区", 5, town.code)
        make_node(town)
        make_worker(world.regions["town_a"], name="王社工")
        head = make_user(("township", TOWN_A), username="zhanzhang")
    return world, head


def test_the_pages_at_phone_and_desktop_size(live_server, page_factory):
    world, head = _world()
    for viewport in (PHONE, DESKTOP):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, world.official_a.username, PASSWORD)
        page.goto(f"{live_server.url}/regions/")
        assert page.locator(".crumbs").inner_text().strip() == "渝中区"
        _shoot(page, "regions-district")
        page.goto(f"{live_server.url}/regions/{TOWN_A}/")
        assert page.locator("a", has_text="金汤街社区").count() == 1
        assert page.locator("a", has_text="领事巷社区").count() == 0
        _shoot(page, "regions-township")
        page.goto(f"{live_server.url}/people/policy/?region={TOWN_A}")
        _shoot(page, "policy")
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, "the policy page scrolls sideways on a phone"

        station = page_factory(viewport=viewport)
        ui_login(station, live_server.url, head.username, PASSWORD)
        station.goto(f"{live_server.url}/people/volunteers/")
        station.click("text=打印登记二维码")
        station.wait_for_selector(".poster-qr svg")
        _shoot(station, "poster")
        station.select_option("#id_region", label="金汤街社区")
        station.click("button:has-text('生成')")
        station.wait_for_selector(".poster-place")
        station.emulate_media(media="print")
        assert not station.locator(".topbar").is_visible()
        _shoot(station, "poster-print")

        public = page_factory(viewport=viewport)
        public.goto(f"{live_server.url}/people/volunteers/signup/")
        public.fill("#id_q", "七星")
        public.wait_for_function("document.querySelectorAll('#id_region optgroup').length == 2")
        _shoot(public, "signup")

"""In Chromium: the recipient list's filters fold behind "筛选" on a phone, so the first row is on the first screen,
and stay open on a desktop. The toggle shows how many filters are set, and follows a filter changed in place.

With ``SHEGONG_SHOTS=DIR`` the test saves screenshots at both sizes."""

import os
import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, VILLAGE_A1, build_world
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SHEGONG_SHOTS", "")


def _shoot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        size = "phone" if page.viewport_size["width"] < 600 else "desktop"
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{size}.png"), full_page=False)


def _register():
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import RiskTier
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        for i in range(12):
            make_recipient(
                VILLAGE_A1, name=f"对象{i:02d}", tier=RiskTier.HIGH if i % 3 == 0 else RiskTier.KEY
            )
    return world


def test_the_filters_fold_on_a_phone_and_stay_open_on_a_desktop(live_server, page_factory):
    world = _register()
    for viewport in (PHONE, DESKTOP):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, world.official_a.username, PASSWORD)
        page.goto(f"{live_server.url}/recipients/?risk=1&due=")
        panel = page.locator("details.filter-panel")
        toggle = panel.locator("summary")
        risk = page.locator("select[name=risk]")
        first_row = page.locator("#recipient-table tbody tr").first
        if viewport is PHONE:
            assert panel.get_attribute("open") is None
            assert toggle.is_visible() and risk.is_hidden()
            assert "筛选" in toggle.inner_text() and page.locator("#filter-count").inner_text().startswith(
                "1"
            )
            # The list starts on the first screen: the search box and the toggle are all that come before it.
            assert first_row.bounding_box()["y"] + 40 < PHONE["height"]
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
            _shoot(page, "recipients-filters-folded")
            toggle.click()
            assert risk.is_visible() and page.locator("select[name=worker]").is_visible()
            _shoot(page, "recipients-filters-open")
        else:
            assert toggle.is_hidden()
            assert risk.is_visible() and page.locator("select[name=village]").is_visible()
            assert first_row.bounding_box()["y"] < DESKTOP["height"] / 2
            _shoot(page, "recipients-filters")
        # A filter changed in place (htmx swaps the table) updates the number on the toggle.
        with page.expect_response(lambda r: "/recipients/" in r.url and "due=overdue" in r.url):
            page.select_option("select[name=due]", "overdue")
        count = page.locator("#filter-count")
        expect(count).to_have_text(re.compile(r"^2"))
        page.select_option("select[name=risk]", "")
        expect(count).to_have_text(re.compile(r"^1"))
        page.select_option("select[name=due]", "")
        expect(count).to_be_hidden()
        expect(page.locator("#recipient-table")).to_contain_text("共 12 人")

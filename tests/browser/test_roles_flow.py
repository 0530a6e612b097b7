"""In Chromium at phone size: each role lands on its own work.

The worker lands on its list with the most urgent visit (a passed event deadline) first; the official's home shows
the visit rate and the overdue and escalated counts, each a link to its list. With ``SHEGONG_SHOTS=DIR`` the test
also saves screenshots of every page it opens, at phone and desktop size, as the role that uses it.
"""

import datetime
import os

import pytest

from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = os.environ.get("SHEGONG_SHOTS", "")


def _shoot(page, name):
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    page.screenshot(path=os.path.join(SHOTS, f"{name}-{size}.png"), full_page=True)


def _caseload():
    """A worker with 20 overdue recipients and one whose event deadline passed six hours ago."""
    from django.utils import timezone

    from shegong.core.scoping import unscoped
    from shegong.recipients.models import Recipient, RiskTier
    from tests.people.helpers import make_worker
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        user = make_user(("worker", TOWN_A), username="xiaowang")
        worker = make_worker(world.regions["town_a"], name="王小社", user=user)
        today = timezone.localdate()
        for i in range(20):
            r = make_recipient(VILLAGE_A1, name=f"对象{i:02d}", tier=RiskTier.KEY, worker=worker)
            Recipient.objects.filter(pk=r.pk).update(next_due_on=today - datetime.timedelta(days=i + 1))
        passed = timezone.now() - datetime.timedelta(hours=6)
        event = make_recipient(VILLAGE_A1, name="刘奶奶", tier=RiskTier.KEY, worker=worker)
        Recipient.objects.filter(pk=event.pk).update(
            next_due_on=timezone.localtime(passed).date(), event_due_at=passed
        )
        high = make_recipient(VILLAGE_A1, name="陈大爷", tier=RiskTier.HIGH, worker=worker)
        Recipient.objects.filter(pk=high.pk).update(next_due_on=today - datetime.timedelta(days=2))
        station_head = make_user(("township", TOWN_A), username="zhanzhang")
    return world, user, station_head


def test_the_worker_lands_on_its_list_with_the_most_urgent_first(live_server, page_factory):
    world, worker, _ = _caseload()
    for viewport in (PHONE, DESKTOP):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, worker.username, PASSWORD)
        page.wait_for_url(f"{live_server.url}/visits/worklist/")
        first = page.locator("#overdue .work-item").first
        assert "刘奶奶" in first.inner_text()
        assert "逾期 6 小时" in first.inner_text()
        assert "陈大爷" in page.locator("#overdue .work-item").nth(1).inner_text()
        nav = page.locator("#main-nav").inner_text()
        assert "行政区划" not in nav and "社会组织" not in nav
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, "the worklist scrolls sideways on a phone"
        _shoot(page, "worker-worklist")
        page.goto(f"{live_server.url}/recipients/?sort=due")
        _shoot(page, "worker-recipients")


def test_the_official_sees_the_visit_rate_and_overdue_counts_on_its_home(live_server, page_factory):
    world, _, station_head = _caseload()
    for viewport in (PHONE, DESKTOP):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, world.official_a.username, PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("[data-kpi=visit-rate]").is_visible()
        assert page.locator("[data-kpi=overdue]").inner_text() == "22"
        assert page.locator("[data-kpi=escalated]").inner_text() == "1"
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, "the home page scrolls sideways on a phone"
        _shoot(page, "official-home")
        page.click("[data-kpi=overdue]")
        page.wait_for_selector("#overdue-count")
        assert "刘奶奶" in page.locator(".work-item").first.inner_text()
        _shoot(page, "official-overdue")
        page.goto(f"{live_server.url}/dashboards/visit-rate/?region={TOWN_A}")
        _shoot(page, "official-visit-rate")
        page.goto(f"{live_server.url}/visits/unvisited/?region={VILLAGE_A1}")
        _shoot(page, "official-unvisited")
        page.goto(f"{live_server.url}/recipients/")
        _shoot(page, "official-recipients")

        head = page_factory(viewport=viewport)
        ui_login(head, live_server.url, station_head.username, PASSWORD)
        head.wait_for_url(f"{live_server.url}/dashboards/station/")
        assert "刘奶奶" in head.locator("#overdue .work-item").first.inner_text()
        assert "陈大爷" in head.locator("#escalated").inner_text()
        _shoot(head, "township-station")

"""In Chromium at a phone's size: the reports list and a monthly bulletin with its ten-column station ranking do
not scroll the page sideways (their tables scroll inside their panels), and the integrity trend chart is drawn."""

import datetime

import pytest

from ..factories import PASSWORD, build_world
from .support import PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world():
    from shegong.accounts.actor import Actor
    from shegong.core.scoping import unscoped
    from shegong.reports import services
    from shegong.reports.models import ReportKind

    with unscoped():
        world = build_world()
        bulletin = services.report_generate(
            actor=Actor.for_user(world.official_a),
            kind=ReportKind.MONTHLY,
            region=world.regions["district"],
            day=datetime.date.today(),
        )
    return world, bulletin


def test_the_reports_pages_and_integrity_chart_fit_a_phone(live_server, page_factory):
    world, bulletin = _world()
    page = page_factory(viewport=PHONE)
    ui_login(page, live_server.url, world.official_a.username, PASSWORD)
    for path in ("/reports/", f"/reports/{bulletin.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator(".table-wrap table").count() >= 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(f"{live_server.url}/integrity/")
    page.wait_for_selector(".chart[data-source=integrity-trend][data-rendered='1'] canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

"""In Chromium: the project page at both sizes, a refused second project for a worker, the public release."""

import datetime
import os

import pytest

from ..factories import PASSWORD, TOWN_A, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SHEGONG_SHOTS", "/tmp/shots-g16")


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _setup():
    from shegong.core.scoping import unscoped
    from shegong.projects import services
    from tests.projects.helpers import (
        make_project,
        make_worker,
        official,
        operator,
        register_stand_in_metrics,
        spend,
    )

    with unscoped():
        register_stand_in_metrics()
        world = build_world()
        first = make_project(world, regions=("village_a1",))
        second = make_project(world, regions=("town_a",))
        worker = make_worker(world, "陈静")
        services.staff_add(actor=operator(world), project=first, worker=worker)
        services.target_set(actor=official(world), project=first, indicator="activities", quantity="24")
        services.target_set(actor=official(world), project=first, indicator="visits", quantity="120")
        line = services.budget_line_set(
            actor=official(world), project=first, category="activities", amount="50000"
        )
        services.budget_line_set(actor=official(world), project=first, category="personnel", amount="200000")
        spend(world, first, line, "12000", spent_on=datetime.date(2026, 3, 1), description="重阳节活动")
        release = services.release_publish(project=first, month=datetime.date(2026, 2, 1))
        # An account label as long as the demo operator's: the top bar used to push "退出" off a phone's screen.
        op_user = make_user(
            ("operator", TOWN_A),
            organisation=world.org_a,
            username="jigou_a",
            display_name="渝中区社会工作服务中心 刘主任",
        )
    return world, first, second, worker, release, op_user


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_project_page_refusal_and_public_release(live_server, page_factory, viewport):
    world, first, second, worker, release, op_user = _setup()
    size = "phone" if viewport is PHONE else "desktop"
    page = page_factory(viewport=viewport)
    ui_login(page, live_server.url, world.official_a.username, PASSWORD)
    page.goto(f"{live_server.url}/projects/")
    assert first.name in page.content()
    _shot(page, f"list-{size}")
    page.goto(f"{live_server.url}/projects/{first.pk}/")
    assert (
        "完成数由关联本项目的服务记录计算" in page.locator("#targets").inner_text()
    )  # actuals from linked records
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    _shot(page, f"detail-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    page2 = page_factory(viewport=viewport)
    ui_login(page2, live_server.url, op_user.username, PASSWORD)
    page2.goto(f"{live_server.url}/projects/{second.pk}/")
    assert page2.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert page2.locator(".topbar button:has-text('退出')").is_visible()
    page2.select_option("#staff select[name=worker]", str(worker.pk))
    page2.click("#staff button:has-text('添加人员')")
    error = page2.locator("#staff .error").inner_text()
    assert first.name in error and first.code in error
    _shot(page2, f"refused-{size}")

    public = page_factory(viewport=viewport)
    public.goto(f"{live_server.url}/public/disclosure/{release.pk}/")
    assert "陈静" not in public.content() and first.name in public.content()
    _shot(public, f"public-{size}")
    assert public.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

"""In Chromium: another station's page typed into the address bar is a 404; five wrong passwords lock out."""

import pytest

from ..factories import PASSWORD, TOWN_B, build_world, make_user, region_tree
from .support import ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_station_user_gets_404_for_another_station(live_server, page_factory):
    from shegong.core.scoping import unscoped

    with unscoped():
        world = build_world()
        head_b = make_user("township", region_code=TOWN_B, username="zhanzhang_b")
    page = page_factory()
    ui_login(page, live_server.url, head_b.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboards/station/")  # a station head lands on its station
    own = page.goto(f"{live_server.url}/network/{world.station_b.pk}/")
    assert own.status == 200
    other = page.goto(f"{live_server.url}/network/{world.station_a.pk}/")
    assert other.status == 404
    assert world.station_a.name not in page.content()
    missing = page.goto(f"{live_server.url}/network/999999/")
    assert missing.status == 404


def test_locked_out_after_five_wrong_passwords(live_server, page_factory):
    from shegong.core.scoping import unscoped

    with unscoped():
        region_tree()
        user = make_user("worker", username="xiaozhang")
    page = page_factory()
    for _ in range(5):
        ui_login(page, live_server.url, user.username, "Wrong-Password-1")
        assert "用户名或密码不正确" in page.content()
    ui_login(page, live_server.url, user.username, PASSWORD)
    assert "已被锁定" in page.content()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")

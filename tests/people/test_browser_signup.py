"""A volunteer signs up on a phone-sized Chromium window through the community picker, with and without JavaScript.

The region table is larger than the list shows at once (as for a province), so the volunteer narrows first.
Screenshots land in /tmp/shots/.
"""

from pathlib import Path

import pytest

from shegong.core.scoping import unscoped
from shegong.people.forms import SIGNUP_VILLAGE_LIMIT
from shegong.people.models import Volunteer, VolunteerStatus

from ..browser.support import DESKTOP, PHONE
from ..factories import TOWN_A, VILLAGE_A1, VILLAGE_A2, build_world, make_node, region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots")
URL = "/people/volunteers/signup/"
TOWNSHIP_NAMES = ["两路口街道", "上清寺街道", "菜园坝街道", "南纪门街道", "大坪街道", "化龙桥街道"]


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _world_larger_than_one_list():
    world = build_world()
    district = world.regions["district"].code
    per_township = SIGNUP_VILLAGE_LIMIT // len(TOWNSHIP_NAMES) + 2
    for t, name in enumerate(TOWNSHIP_NAMES, start=3):
        township = region(f"500103{t:03d}000", name, 4, district)
        make_node(township, name=f"{name}社工站")
        for v in range(1, per_township + 1):
            region(f"500103{t:03d}{v:03d}", f"{name[:2]}{v}号社区", 5, township.code)
    return world


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_a_volunteer_signs_up_on_a_phone_through_the_picker(live_server, page_factory):
    with unscoped():
        _world_larger_than_one_list()
    page = page_factory(PHONE)
    page.goto(live_server.url + URL)
    region_select = page.locator("#id_region")
    assert region_select.locator("option").count() == 1  # too many to list: narrow first
    assert "请先选择街道（乡镇）或输入名称" in region_select.inner_text()
    _shot(page, "signup-phone")
    _no_sideways_scroll(page)

    page.fill("input[name=name]", "周小燕")
    page.fill("input[name=phone]", "13800000011")
    page.select_option("#id_township", TOWN_A)
    page.wait_for_selector(f"#id_region option[value='{VILLAGE_A1}']", state="attached")
    assert region_select.locator("option").count() == 3  # the prompt and the township's two communities
    assert page.inner_text("#region-status") == "七星岗街道共 2 个社区（村）"
    page.select_option("#id_region", VILLAGE_A1)
    _shot(page, "signup-phone-township")

    # Enter in the name search narrows the list; it does not send the half-filled form.
    page.fill("#id_q", "领事")
    page.press("#id_q", "Enter")
    page.wait_for_function(
        "value => document.querySelectorAll('#id_region option').length === 2"
        " && document.querySelector('#id_region option:last-child').value === value",
        arg=VILLAGE_A2,
    )
    assert page.locator(".error").count() == 0 and page.input_value("input[name=name]") == "周小燕"
    page.select_option("#id_region", VILLAGE_A2)
    page.check("input[name=skills][value=care]")
    page.check("input[name=consent]")
    _shot(page, "signup-phone-filled")
    _no_sideways_scroll(page)
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=登记已提交")
    _shot(page, "signup-phone-done")
    with unscoped():
        volunteer = Volunteer.objects.get()
    assert volunteer.name == "周小燕" and volunteer.region_id == VILLAGE_A2
    assert volunteer.status == VolunteerStatus.PENDING and volunteer.skills == ["care"]


def test_without_javascript_the_list_button_narrows(live_server, page_factory):
    with unscoped():
        _world_larger_than_one_list()
    page = page_factory(PHONE, java_script_enabled=False)
    page.goto(live_server.url + URL)
    page.fill("input[name=name]", "吴大伟")
    page.fill("input[name=phone]", "13800000012")
    page.fill("#id_q", "两路3号")
    page.click("button[name=narrow]")
    assert page.input_value("input[name=name]") == "吴大伟"  # the page came back with what was typed
    assert page.locator("#id_region option").count() == 2
    assert page.locator(".error").count() == 0
    _shot(page, "signup-phone-nojs")
    page.select_option("#id_region", "500103003003")
    page.check("input[name=consent]")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=登记已提交")
    with unscoped():
        assert Volunteer.objects.get().region_id == "500103003003"


def test_desktop_screenshots(live_server, page_factory):
    with unscoped():
        _world_larger_than_one_list()
    page = page_factory(DESKTOP | {"height": 800})
    page.goto(live_server.url + URL)
    _shot(page, "signup-desktop")
    page.select_option("#id_township", TOWN_A)
    page.wait_for_selector(f"#id_region option[value='{VILLAGE_A1}']", state="attached")
    page.click("button[type=submit].primary")  # nothing filled in: every error shows
    page.wait_for_selector(".error")
    _shot(page, "signup-desktop-errors")

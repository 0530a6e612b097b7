"""In Chromium: a bureau's roster goes through the column-mapping step — a wrong guess is corrected, the preview
follows, the import succeeds, and next month's file of the same shape is mapped automatically."""

import os

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, TOWN_A, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SHEGONG_SHOTS", "/tmp/shots-b12")


def _upload(page, base_url, path):
    page.goto(f"{base_url}/recipients/import/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=region]", TOWN_A)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.wait_for_selector("#mapping")


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_wrong_guess_is_corrected_and_next_month_is_mapped_automatically(
    live_server, page_factory, tmp_path, viewport
):
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import Recipient
    from tests.recipients.test_import_mapping import month_roster

    with unscoped():
        build_world()
        head = make_user(("township", TOWN_A), username="stationhead")
        november = tmp_path / "十一月花名册.xlsx"
        november.write_bytes(month_roster(["王秀英", "李建国"]))
        december = tmp_path / "十二月花名册.xlsx"
        december.write_bytes(month_roster(["赵四", "钱五", "孙六"]))
    page = page_factory(viewport=viewport)
    ui_login(page, live_server.url, head.username, PASSWORD)
    name = "desktop" if viewport is DESKTOP else "phone"

    _upload(page, live_server.url, november)
    preview = page.locator("#mapping-preview")
    assert "02363800000" in preview.inner_text()  # 电话 (the office landline) was taken for the phone
    _shot(page, f"mapping-guess-{name}")
    page.select_option("select[data-header=电话]", "")
    page.wait_for_load_state("networkidle")  # the preview is re-posted and swapped in
    expect(page.locator("#mapping-preview")).not_to_contain_text("02363800000")
    page.select_option("select[data-header=手机号码]", "phone")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#mapping-preview")).to_contain_text("13800138001")
    _shot(page, f"mapping-corrected-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the mapping page scrolls sideways"
    with page.expect_navigation():
        page.click("button[value=confirm]")
    page.wait_for_selector("text=已导入 2 条")
    _shot(page, f"mapping-done-{name}")
    with unscoped():
        assert sorted(r.phone for r in Recipient.objects.all()) == ["13800138001", "13800138002"]

    _upload(page, live_server.url, december)
    assert page.locator("#mapping-remembered").is_visible()
    assert page.input_value("select[data-header=手机号码]") == "phone"
    assert page.input_value("select[data-header=电话]") == ""
    assert "13800138003" in page.locator("#mapping-preview").inner_text()
    _shot(page, f"mapping-remembered-{name}")
    with page.expect_navigation():
        page.click("button[value=confirm]")
    page.wait_for_selector("text=已导入 3 条")
    with unscoped():
        assert Recipient.objects.count() == 5


def test_the_roster_words_page_on_a_phone(live_server, page_factory):
    from shegong.core.scoping import unscoped

    with unscoped():
        build_world()
        official = make_user(("official", TOWN_A), username="bureau")
    page = page_factory(viewport=PHONE)
    ui_login(page, live_server.url, official.username, PASSWORD)
    page.goto(f"{live_server.url}/regions/import-words/")
    page.select_option("select[name=kind]", "recipients.roster")
    page.select_option("select[name=target]", "value")
    page.select_option("select[name=field_key]", "categories")
    page.fill("input[name=text]", "城乡低保对象")
    page.fill("input[name=value]", "最低生活保障")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    expect(page.locator("table")).to_contain_text("城乡低保对象")
    _shot(page, "import-words-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the roster words page scrolls sideways"

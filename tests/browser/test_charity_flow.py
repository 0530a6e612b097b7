"""In Chromium: record a donation with a typo, request a disbursement, approve it as a second person, read the public
page anonymously; every page fits a phone. Screenshots go to $SHEGONG_SHOTS (when set) for a person to look at."""

import os
from pathlib import Path

import pytest

from ..factories import DISTRICT, PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SHEGONG_SHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fits(page, viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, f"{page.url} scrolls sideways at {viewport['width']}px"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_money_flows_from_donation_to_disbursement_to_the_public_page(live_server, page_factory, viewport):
    from shegong.core.scoping import unscoped
    from tests.charity.helpers import make_fund
    from tests.recipients.helpers import make_recipient

    size = "phone" if viewport is PHONE else "desktop"
    with unscoped():
        build_world()
        requester = make_user(("township", TOWN_A), username=f"req{size}", display_name="陈站长")
        approver = make_user(("official", DISTRICT), username=f"appr{size}", display_name="王科长")
        fund = make_fund(name="七星岗阳光基金")
        recipient = make_recipient(VILLAGE_A1, name="张桂芳")
    base = live_server.url
    page = page_factory(viewport=viewport)
    ui_login(page, base, requester.username, PASSWORD)

    page.goto(f"{base}/charity/{fund.pk}/donations/new/")
    page.select_option("select[name=donor_kind]", "person")
    page.fill("input[name=donor_name]", "王秀英")
    page.fill("input[name=donor_phone]", "13800138000")
    page.fill("input[name=amount]", "1000.505")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert "最多两位小数" in page.content()
    assert page.input_value("input[name=donor_name]") == "王秀英"
    _shot(page, f"donation-error-{size}")
    page.fill("input[name=amount]", "2,000.50")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#balance")
    assert page.locator("#balance").inner_text() == "¥2,000.50"
    assert "王秀英" not in page.content() and "王**" in page.content()

    page.goto(f"{base}/charity/{fund.pk}/disbursements/new/?recipient={recipient.pk}")
    page.select_option("select[name=purpose]", "elderly")
    page.fill("input[name=amount]", "800")
    page.fill("input[name=description]", "独居老人冬季取暖补助")
    _fits(page, viewport)
    _shot(page, f"disbursement-form-{size}")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=须由另一位负责人审批")
    _shot(page, f"disbursement-requested-{size}")

    page.context.clear_cookies()
    ui_login(page, base, approver.username, PASSWORD)
    page.goto(f"{base}/charity/disbursements/?status=requested")
    page.click("#disbursements a")
    page.fill("input[name=note]", "同意")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=已批准，款项已从基金中划出")
    page.goto(f"{base}/charity/{fund.pk}/")
    assert page.locator("#balance").inner_text() == "¥1,200.50"
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    _fits(page, viewport)
    _shot(page, f"fund-{size}")
    page.goto(f"{base}/charity/linkage/?region={TOWN_A}")
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    _fits(page, viewport)
    _shot(page, f"linkage-{size}")
    page.goto(f"{base}/charity/")
    _fits(page, viewport)
    _shot(page, f"funds-{size}")

    page.context.clear_cookies()
    page.goto(f"{base}/public/funds/")
    assert "¥2,000.50" in page.content() and "张桂芳" not in page.content()
    _fits(page, viewport)
    _shot(page, f"public-funds-{size}")
    page.goto(f"{base}/public/funds/{fund.pk}/")
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    assert page.locator("#month-spent").inner_text() == "¥800.00"
    assert "张桂芳" not in page.content() and "王秀英" not in page.content()
    _fits(page, viewport)
    _shot(page, f"public-fund-{size}")

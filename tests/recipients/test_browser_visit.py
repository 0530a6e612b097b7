"""A worker on a phone opens the worklist, records a visit, and sees the overdue list and the visit rate change."""

import datetime
import os

import pytest
from django.utils import timezone

from shegong.core.scoping import unscoped
from shegong.people.models import SocialWorker
from shegong.recipients.models import RiskTier
from tests.factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from tests.recipients.helpers import make_recipient

SHOTS = "/tmp/shots-recip"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def chromium(browser):
    return browser


def login(browser, base, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "zhangxiao")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.wait_for_load_state()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_records_a_visit_on_a_phone(live_server, chromium):
    with unscoped():
        build_world()
        user = make_user("worker", region_code=TOWN_A, username="zhangxiao")
        worker = SocialWorker.objects.create(name="张晓", user=user, region_id=TOWN_A)
        long_ago = datetime.date(2024, 1, 1)
        late = make_recipient(
            VILLAGE_A1,
            name="刘桂兰",
            tier=RiskTier.KEY,
            worker=worker,
            registered_on=long_ago,
            address="金汤街 12 号",
        )
        make_recipient(VILLAGE_A1, name="陈德明", tier=RiskTier.HIGH, worker=worker, registered_on=long_ago)
        make_recipient(
            VILLAGE_A1, name="周凤英", tier=RiskTier.GENERAL, worker=worker, categories=["elderly_empty_nest"]
        )
    base = live_server.url
    os.makedirs(SHOTS, exist_ok=True)
    page = login(chromium, base, PHONE)

    # The current month (the page opens on the last complete one by default).
    this_month = f"{timezone.localdate():%Y-%m}"
    page.goto(f"{base}/dashboards/visit-rate/?region={TOWN_A}&month={this_month}")
    rate_before = page.inner_text("#rate-value")

    # Tap 1: the worklist. Tap 2: 探访 on the person. Tap 3: save.
    page.goto(f"{base}/visits/worklist/")
    overdue = page.locator("#overdue")
    assert "刘桂兰" in overdue.inner_text()
    page.screenshot(path=f"{SHOTS}/worklist-phone.png", full_page=True)
    overdue.locator(f"li[data-recipient='{late.pk}'] a.button.primary").click()
    page.wait_for_selector("text=探访发现")
    page.screenshot(path=f"{SHOTS}/visit-form-phone.png", full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_selector(".msg-success")
    assert "已记录" in page.inner_text(".messages")
    assert "刘桂兰" not in page.locator("#overdue").inner_text()
    assert "陈德明" in page.locator("#overdue").inner_text()

    page.goto(f"{base}/dashboards/visit-rate/?region={TOWN_A}&month={this_month}")
    rate_after = page.inner_text("#rate-value")
    assert rate_after != rate_before
    page.wait_for_selector("[data-chart][data-rendered='1']")
    page.screenshot(path=f"{SHOTS}/rate-phone.png", full_page=True)

    desktop = login(chromium, base, DESKTOP)
    desktop.goto(f"{base}/dashboards/visit-rate/?region={TOWN_A}")
    desktop.wait_for_selector("[data-chart][data-rendered='1']")
    desktop.screenshot(path=f"{SHOTS}/rate-desktop.png", full_page=True)
    desktop.goto(f"{base}/visits/worklist/")
    desktop.screenshot(path=f"{SHOTS}/worklist-desktop.png", full_page=True)
    desktop.goto(f"{base}/recipients/{late.pk}/")
    desktop.screenshot(path=f"{SHOTS}/detail-desktop.png", full_page=True)
    page.goto(f"{base}/recipients/{late.pk}/")
    page.screenshot(path=f"{SHOTS}/detail-phone.png", full_page=True)
    desktop.goto(f"{base}/recipients/{late.pk}/timeline/")
    desktop.screenshot(path=f"{SHOTS}/timeline-desktop.png", full_page=True)

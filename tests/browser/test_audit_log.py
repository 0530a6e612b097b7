"""In Chromium, as the audit admin (past its second factor): the log reads in words, and filtering by 登录 and by a
worker's name finds that worker's logins with the address and browser they came from — but no one's data."""

import re

import pytest
from django.utils import timezone
from django_otp.oath import TOTP

from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def code_for(device, offset=0):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():06d}"


def test_audit_admin_filters_logins_by_words_and_by_name(live_server, page_factory, settings):
    from shegong.accounts import factors
    from shegong.audit.services import record
    from shegong.core.scoping import unscoped

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    with unscoped():
        world = build_world()
        make_user("worker", region_code=VILLAGE_A1, username="xiaozhang", display_name="张小红")
        make_user("worker", region_code=VILLAGE_A1, username="laoli", display_name="李大伟")
        admin = make_user("audit_admin", region_code=TOWN_A, username="shenji", display_name="审计员")
        device = factors.totp_begin(user=admin)
        assert factors.totp_confirm(actor=admin, user=admin, device=device, code=code_for(device)) is not None
        # A write about a person: the admin must see that it happened, not what it said.
        record(
            "recipients.update",
            actor=world.user_a,
            obj=world.station_a,
            reason="王大娘搬家",
            changes={"address": "x"},
        )

    # Two workers sign in from their phones' browsers.
    for username in ("xiaozhang", "laoli"):
        worker = page_factory(user_agent=f"Mozilla/5.0 (Linux; Android 14) ShegongTest/{username}")
        ui_login(worker, live_server.url, username, PASSWORD)
        worker.wait_for_url(f"{live_server.url}/visits/worklist/")  # a worker lands on its list

    page = page_factory()
    ui_login(page, live_server.url, "shenji", PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/otp/"))
    assert "审计日志" not in page.content()  # no menu before the second factor
    page.fill("input[name=code]", code_for(device, offset=1))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/audit/")
    table = page.locator("#audit-table")
    assert "王大娘" not in page.content() and world.station_a.name not in page.content()

    page.select_option("select[name=action]", label="登录")
    page.fill("input[name=actor]", "张小红")
    with page.expect_response(lambda r: "/audit/?" in r.url):
        page.click("form.filters button[type=submit]")
    rows = table.locator("tbody tr")
    rows.first.wait_for()
    text = table.inner_text()
    assert "张小红（xiaozhang）" in text and "登录" in text and "金汤街社区" in text
    assert "127.0.0.1" in text and "ShegongTest/xiaozhang" in text
    assert "李大伟" not in text and "login.success" not in text and "记录探访" not in text
    assert rows.count() == 1
    assert "action=login.success" in page.url and "actor=" in page.url

    # Words typed into the address bar work too (动作=登录 finds every kind of login), and the region picker
    # offers the admin's communities by name.
    page.goto(f"{live_server.url}/audit/?action=登录&actor=李大伟")
    text = table.inner_text()
    assert "李大伟（laoli）" in text and "ShegongTest/laoli" in text and "张小红" not in text
    assert page.locator("select[name=region] option", has_text="金汤街社区").count() == 1

"""What the login pages say: the lockout names the configured minutes (Chinese and English), and before its second
factor an account's menus offer nothing but logout."""

import pytest
from django.test import Client
from django.utils import translation

from shegong.accounts.views import locked_message

from ..factories import PASSWORD, TOWN_A, make_user


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_lockout_message_names_the_configured_minutes(client, world, settings):
    settings.LOGIN_LOCKOUT_MINUTES = 30
    for _ in range(settings.LOGIN_LOCKOUT_FAILURES):
        login(client, "official", "wrong")
    page = login(client, "official").content.decode()
    assert "已被锁定 30 分钟" in page
    assert "15 分钟" not in page


def test_lockout_message_in_english_names_the_minutes_with_the_right_plural(settings):
    settings.LOGIN_LOCKOUT_MINUTES = 1
    with translation.override("en"):
        assert "locked for 1 minute." in locked_message()
        settings.LOGIN_LOCKOUT_MINUTES = 45
        assert "locked for 45 minutes." in locked_message(address=True)
        assert "source address" in locked_message(address=True)


@pytest.mark.django_db
def test_menus_before_the_second_factor_offer_only_the_factor_pages_and_logout(world):
    admin = make_user("audit_admin", region_code=TOWN_A, username="shenji")
    client = Client()
    assert login(client, "shenji").status_code == 302
    page = client.get("/accounts/otp/setup/").content.decode()
    assert "审计日志" not in page and "/audit/" not in page
    assert "/accounts/password/" not in page and "/accounts/tokens/" not in page
    assert "/accounts/logout/" in page
    assert client.get("/audit/")["Location"] == "/accounts/otp/setup/"
    assert admin.pk  # the account exists and is signed in, it just has no factor yet


@pytest.mark.django_db
def test_menus_after_the_second_factor_show_the_audit_log(world, login):
    admin = make_user("audit_admin", region_code=TOWN_A, username="shenji")
    page = login(admin).get("/audit/").content.decode()
    assert "审计日志" in page and "/accounts/logout/" in page

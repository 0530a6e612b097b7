import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from shegong.accounts.middleware import SESSION_LAST_SEEN
from shegong.accounts.models import LoginFailure
from shegong.accounts.services import password_change
from shegong.audit.models import AuditEvent

from ..factories import PASSWORD, TOWN_A, make_user


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_successful_login_is_audited_and_lands_on_home(client, world):
    response = login(client, "official")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login.success", actor_name="official").exists()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_failed_login_keeps_username_and_is_audited(client, world):
    response = login(client, "official", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert 'value="official"' in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failure", actor_name="official").exists()


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(client, world):
    for i in range(5):
        login(client, "official", "wrong", ip=f"10.0.0.{i + 10}")
    response = login(client, "official", PASSWORD, ip="10.9.9.9")
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_on_other_accounts_do_not_lock_an_address_out_of_this_one(client, world, settings):
    for i in range(5):
        login(client, f"nobody{i}", "wrong", ip="10.1.1.1")
    assert login(client, "official", PASSWORD, ip="10.1.1.1").status_code == 302
    for i in range(settings.LOGIN_LOCKOUT_ADDRESS_FAILURES):
        login(Client(), f"nobody{i}", "wrong", ip="10.1.1.1")
    assert "已被锁定" in login(Client(), "official", PASSWORD, ip="10.1.1.1").content.decode()
    assert login(Client(), "official", PASSWORD, ip="10.2.2.2").status_code == 302


@pytest.mark.django_db
def test_lockout_expires_after_the_window(client, world, settings):
    for _ in range(5):
        login(client, "official", "wrong")
    LoginFailure.objects.update(at=LoginFailure.objects.first().at.replace(year=2020))
    assert login(client, "official", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_idle_session_expires(client, world, settings):
    login(client, "official")
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get("/network/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get("/network/").status_code == 302


@pytest.mark.django_db
def test_first_login_forces_a_password_change(client, world):
    user = make_user("worker", region_code=TOWN_A, must_change_password=True)
    login(client, user.username)
    response = client.get("/network/")
    assert response["Location"] == "/accounts/password/"
    weak = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert weak.status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Brand-New-Pass-9", "new_password2": "Brand-New-Pass-9"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/network/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["alllowercase12", "ALLUPPER1234", "Short1!", "password1234"])
def test_password_policy(world, password):
    user = make_user("worker")
    with pytest.raises(ValidationError):
        password_change(actor=user, user=user, new_password=password)


@pytest.mark.django_db
def test_argon2_is_the_password_hasher():
    from django.conf import settings as real_settings

    from shegong import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert real_settings.LOGIN_LOCKOUT_FAILURES == 5 and real_settings.LOGIN_LOCKOUT_MINUTES == 15

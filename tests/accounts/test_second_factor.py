"""Finding 2: the second factor cannot be bypassed (django-otp TOTP devices and hashed one-time recovery codes)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shegong.accounts import factors
from shegong.accounts.actor import Actor
from shegong.accounts.models import ApiToken, LoginFailure, RecoveryCode, User
from shegong.accounts.services import token_create
from shegong.audit.models import AuditEvent

from ..factories import PASSWORD, TOWN_A, login_client, make_user, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device, offset=0):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():06d}"


def password_login(username, ip="10.0.0.1"):
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)
    return client


@pytest.fixture
def enrolled():
    """A security admin who has enrolled a TOTP device; returns (user, device, recovery codes)."""
    region_tree()
    user = make_user("security_admin", region_code=TOWN_A, username="sec")
    device = factors.totp_begin(user=user)
    codes = factors.totp_confirm(actor=user, user=user, device=device, code=code_for(device))
    assert codes is not None
    return user, device, codes


@pytest.mark.parametrize("role", ["security_admin", "audit_admin"])
def test_administrators_must_enrol_and_then_pass_the_factor(role):
    region_tree()
    user = make_user(role, region_code=TOWN_A)
    client = password_login(user.username)
    assert client.get("/")["Location"] == "/accounts/otp/setup/"
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/accounts/otp/setup/", {"code": "000000"}).status_code == 200
    response = client.post("/accounts/otp/setup/", {"code": code_for(device)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert client.get("/").status_code in (200, 302) and client.get("/").get("Location") != "/accounts/otp/"
    assert AuditEvent.objects.filter(action="totp.enable", object_id=str(user.pk)).exists()

    second = password_login(user.username)
    assert second.get("/")["Location"] == "/accounts/otp/"
    assert second.post("/accounts/otp/", {"code": code_for(device, offset=1)}).status_code == 302
    assert second.get("/").get("Location") != "/accounts/otp/"


def test_password_only_session_cannot_replace_the_enrolled_secret(enrolled):
    user, device, _codes = enrolled
    key = device.key
    attacker = password_login(user.username)
    response = attacker.get("/accounts/otp/setup/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    assert key not in attacker.get("/accounts/otp/setup/", follow=True).content.decode()
    attacker.post("/accounts/otp/setup/", {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=user).values_list("key", "confirmed")) == [(key, True)]
    with pytest.raises(ValidationError):
        factors.totp_begin(user=user)


def test_password_only_session_reaches_only_the_factor_pages_and_logout(enrolled):
    user, _device, _codes = enrolled
    attacker = password_login(user.username)
    for path in ["/", "/accounts/users/", "/accounts/tokens/", "/accounts/password/", "/audit/"]:
        response = attacker.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/"), path
    assert attacker.get("/api/v1/regions").status_code == 403
    assert attacker.get("/accounts/otp/").status_code == 200
    assert attacker.post("/accounts/logout/").status_code == 302


def test_a_code_is_accepted_once(enrolled):
    user, device, _codes = enrolled
    code = code_for(device, offset=1)
    assert password_login(user.username).post("/accounts/otp/", {"code": code}).status_code == 302
    replay = password_login(user.username, ip="10.0.0.2")
    assert replay.post("/accounts/otp/", {"code": code}).status_code == 200
    assert replay.get("/")["Location"] == "/accounts/otp/"


def test_wrong_codes_count_towards_the_login_lockout(enrolled):
    user, device, _codes = enrolled
    client = password_login(user.username)
    for _ in range(5):
        assert client.post("/accounts/otp/", {"code": "000000"}).status_code == 200
    assert LoginFailure.objects.filter(username=user.username).count() == 5
    response = client.post("/accounts/otp/", {"code": code_for(device, offset=1)})
    assert "已被锁定" in response.content.decode()
    assert client.get("/")["Location"] == "/accounts/otp/"
    # A fresh password login does not wipe the count of wrong codes.
    again = Client()
    again.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert "_auth_user_id" not in again.session


def test_django_otp_throttles_wrong_codes(settings, enrolled):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user, device, _codes = enrolled
    assert factors.verify_second_factor(user=user, code="000000") is None
    assert factors.verify_second_factor(user=user, code=code_for(device, offset=1)) is None


def test_recovery_codes_are_ten_hashed_and_one_time(enrolled):
    user, _device, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
    client = password_login(user.username)
    assert client.post("/accounts/otp/", {"code": codes[0].upper()}).status_code == 302
    again = password_login(user.username, ip="10.0.0.3")
    assert again.post("/accounts/otp/", {"code": codes[0]}).status_code == 200
    assert RecoveryCode.objects.filter(device__user=user).count() == 9


def test_re_enrolment_needs_the_current_factor(enrolled):
    user, device, codes = enrolled
    client = password_login(user.username)
    client.post("/accounts/otp/", {"code": codes[1]})
    assert client.get("/accounts/otp/setup/").context["form"] is not None
    assert "secret" not in client.get("/accounts/otp/setup/").context
    client.post("/accounts/otp/setup/", {"code": "000000"})
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    assert client.post("/accounts/otp/setup/", {"code": code_for(device, offset=1)}).status_code == 302
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get("/accounts/otp/setup/").context["secret"]
    response = client.post("/accounts/otp/setup/", {"code": code_for(pending)})
    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [pending.pk]
    assert AuditEvent.objects.filter(action="totp.replace", object_id=str(user.pk)).exists()


def test_security_admin_reset_is_audited_and_the_user_is_told(client):
    region_tree()
    admin = make_user("security_admin", region_code=TOWN_A, username="sec")
    worker = make_user("worker", region_code=TOWN_A, username="w1")
    device = factors.totp_begin(user=worker)
    factors.totp_confirm(actor=worker, user=worker, device=device, code=code_for(device))
    login_client(client, admin)
    assert client.post(f"/accounts/users/{worker.pk}/factor_reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(
        action="user.factor_reset", object_id=str(worker.pk), actor_name="sec"
    ).exists()
    response = password_login(worker.username).get("/", follow=True)
    assert "被安全管理员重置" in response.content.decode()
    assert User.objects.get(pk=worker.pk).factor_reset_at is None
    # It cannot reset its own factor or another administrator's.
    other = make_user("audit_admin", region_code=TOWN_A)
    client.post(f"/accounts/users/{other.pk}/factor_reset/")
    client.post(f"/accounts/users/{admin.pk}/factor_reset/")
    assert AuditEvent.objects.filter(action="user.factor_reset").count() == 1


def test_administrators_tokens_need_a_factor_and_last_a_day(enrolled):
    user, _device, _codes = enrolled
    bare = make_user("audit_admin", region_code=TOWN_A)
    with pytest.raises(ValidationError):
        token_create(actor=Actor.for_user(bare), user=bare, name="x", days=90)
    token, raw = token_create(actor=Actor.for_user(user), user=user, name="x", days=90)
    assert token.expires_at - token.created_at <= datetime.timedelta(hours=24, minutes=1)
    assert Client().get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code != 401


def test_existing_admin_tokens_without_a_factor_stop_working():
    region_tree()
    admin = make_user("audit_admin", region_code=TOWN_A)
    raw = ApiToken.new_raw()
    from shegong.accounts.models import hash_token

    ApiToken.objects.create(
        user=admin,
        prefix=raw[3:11],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=90),
    )
    response = Client().get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401

"""Finding 3: behind the documented nginx every request comes from the proxy's address. The client address is read
from X-Forwarded-For only when the request comes from a configured trusted proxy, and one address cannot lock
other accounts out wholesale: failures count per (address, account), under a looser per-address ceiling."""

import pytest
from django.test import Client, RequestFactory

from shegong.audit.models import AuditEvent
from shegong.core.net import client_address

from ..factories import PASSWORD

PROXY = "10.0.0.2"


def login(client, username, password=PASSWORD, *, client_ip, via_proxy=True):
    extra = (
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip} if via_proxy else {"REMOTE_ADDR": client_ip}
    )
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_header_is_ignored_without_trusted_proxies(settings):
    settings.SHEGONG_TRUSTED_PROXIES = []
    assert client_address(_request(PROXY, "203.0.113.7")) == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (
            PROXY,
            "198.51.100.1, 203.0.113.7",
            "203.0.113.7",
        ),  # rightmost untrusted hop; the left one is spoofable
        (PROXY, "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # a second trusted proxy is skipped
        (PROXY, "2001:db8::1", "2001:db8::1"),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "", PROXY),
        (PROXY, None, PROXY),
        (
            "203.0.113.50",
            "198.51.100.1",
            "203.0.113.50",
        ),  # a client that is not a proxy cannot set the header
    ],
)
def test_client_address_from_a_trusted_proxy(settings, remote, forwarded, expected):
    settings.SHEGONG_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert client_address(_request(remote, forwarded)) == expected


@pytest.mark.django_db
def test_behind_the_proxy_one_client_cannot_lock_out_everyone(settings, world):
    settings.SHEGONG_TRUSTED_PROXIES = [PROXY]
    attacker = Client()
    for i in range(5):
        login(attacker, f"nobody{i}", "wrong", client_ip="203.0.113.66")
    assert login(Client(), "official", client_ip="198.51.100.5").status_code == 302
    # Not even the attacker's own address is locked out of an account it has not attacked.
    assert login(Client(), "official", client_ip="203.0.113.66").status_code == 302
    event = AuditEvent.objects.filter(action="login.failure").first()
    assert event.ip == "203.0.113.66"


@pytest.mark.django_db
def test_failures_count_per_address_and_account(settings, world):
    settings.SHEGONG_TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        login(Client(), "alice", "wrong", client_ip="203.0.113.66")
    assert "已被锁定" in login(Client(), "alice", client_ip="203.0.113.66").content.decode()


@pytest.mark.django_db
def test_an_address_hits_a_looser_ceiling_across_accounts(settings, world):
    settings.SHEGONG_TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_LOCKOUT_ADDRESS_FAILURES = 12
    for i in range(12):
        login(Client(), f"nobody{i}", "wrong", client_ip="203.0.113.66")
    assert "已被锁定" in login(Client(), "official", client_ip="203.0.113.66").content.decode()
    assert login(Client(), "official", client_ip="198.51.100.5").status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_the_remote_address_counts(settings, world):
    settings.SHEGONG_TRUSTED_PROXIES = []
    for i in range(5):
        login(Client(), f"nobody{i}", "wrong", client_ip="203.0.113.66", via_proxy=False)
    assert login(Client(), "official", client_ip="198.51.100.5", via_proxy=False).status_code == 302

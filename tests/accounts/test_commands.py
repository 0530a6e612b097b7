import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.accounts.models import ApiToken, User

from ..factories import TOWN_A


@pytest.mark.django_db
def test_users_create_with_password_from_stdin(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Stdin-Pass-2026\n"))
    call_command("users", "create", "wangwu", "--role", "worker", "--region", TOWN_A, "--password-stdin")
    user = User.objects.get(username="wangwu")
    assert user.check_password("Stdin-Pass-2026")
    assert user.must_change_password
    assert list(user.assignments.values_list("role", "region_id")) == [("worker", TOWN_A)]


@pytest.mark.django_db
def test_users_create_rejects_unknown_region_and_weak_password(world, monkeypatch):
    with pytest.raises(CommandError, match="region"):
        call_command("users", "create", "x1", "--role", "worker", "--region", "500103099000")
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError):
        call_command("users", "create", "x2", "--role", "worker", "--region", TOWN_A, "--password-stdin")
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


@pytest.mark.django_db
def test_tokens_create_prints_a_working_token(world, client, capsys):
    call_command("tokens", "create", "official")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("sg_")
    token = ApiToken.objects.get(user__username="official")
    assert raw not in token.token_hash
    response = client.get("/api/v1/nodes", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert json.loads(response.content)["count"] == 3  # the district official sees both townships' nodes


@pytest.mark.django_db
def test_session_api_write_needs_csrf(world):
    from django.test import Client

    from ..factories import login_client

    client = login_client(Client(enforce_csrf_checks=True), world.official_a)
    response = client.patch(
        f"/api/v1/nodes/{world.station_a.pk}", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get("/api/v1/nodes").status_code == 200

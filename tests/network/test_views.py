import pytest

from shegong.network.models import ServiceNode

from ..factories import TOWN_A, TOWN_B, VILLAGE_A2, VILLAGE_B1, login_client, make_node, make_user


def test_list_filters_and_query_budget(client, world, django_assert_max_num_queries):
    for i in range(10):
        make_node(world.regions["village_a2"], "room", name=f"房{i}", status="closed")
    login_client(client, world.official_a)
    with django_assert_max_num_queries(16):
        response = client.get("/network/?level=station")
    text = response.content.decode()
    assert world.station_a.name in text and world.room_a.name not in text
    assert world.room_a.name in client.get("/network/?q=金汤街").content.decode()


def test_detail_shows_five_haves(client, world):
    login_client(client, world.official_a)
    text = client.get(f"/network/{world.station_a.pk}/").content.decode()
    assert "五有" in text and "有场地" in text


def test_create_form_keeps_input_on_error(client, world):
    login_client(client, world.official_a)
    response = client.post(
        "/network/new/", {"level": "station", "region": VILLAGE_A2, "name": "错层站", "status": "operating"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "错层站" in text and "乡级" in text
    assert not ServiceNode.objects.filter(name="错层站").exists()


def test_edit_and_add_document(client, world):
    login_client(client, world.official_a)
    response = client.post(
        f"/network/{world.station_a.pk}/edit/",
        {
            "level": "station",
            "region": world.station_a.region_id,
            "name": "新名字",
            "status": "operating",
            "address": "地址",
            "site_area": "120",
            "function_rooms": ["casework", "group"],
        },
    )
    assert response.status_code == 302
    world.station_a.refresh_from_db()
    assert world.station_a.name == "新名字" and world.station_a.function_rooms == ["casework", "group"]
    client.post(f"/network/{world.station_a.pk}/documents/", {"kind": "rules", "title": "站务制度"})
    assert world.station_a.documents.filter(title="站务制度").exists()


def test_worker_cannot_open_the_create_form(client, world):
    login_client(client, make_user("worker"))
    assert client.get("/network/new/").status_code == 403


def test_regions_browser_and_search(client, world):
    login_client(client, world.official_a)
    assert "七星岗街道" in client.get(f"/regions/{world.regions['district'].code}/").content.decode()
    assert "金汤街社区" in client.get("/regions/?q=金汤").content.decode()


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SHEGONG_ENV": "production",
        "SHEGONG_SECRET_KEY": "x" * 20 + "A9!kZ" * 10,
        "SHEGONG_ALLOWED_HOSTS": "shegong.example.org",
        "SHEGONG_DATA_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZg",
        "SHEGONG_INDEX_KEY": "aW5kZXgta2V5LWZvci10ZXN0cy1vbmx5LTMyYnl0ZXM",
        "SHEGONG_AUDIT_KEYS": "a1:YXVkaXQtY2hhaW4ta2V5LWZvci10ZXN0cy0zMmJ5dGU",
        "SHEGONG_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "shegong.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    missing = {k: v for k, v in env.items() if k != "SHEGONG_DATA_KEYS"}
    result = subprocess.run(
        [sys.executable, "-m", "shegong.cli", "check"],
        env=missing,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SHEGONG_DATA_KEYS" in result.stderr


def test_create_form_offers_only_the_users_regions(client, world):
    login_client(client, world.user_a)
    body = client.get("/network/new/").content.decode()
    assert f'value="{TOWN_A}"' in body and f'value="{VILLAGE_A2}"' in body
    assert f'value="{TOWN_B}"' not in body and f'value="{VILLAGE_B1}"' not in body
    response = client.post(
        "/network/new/", {"level": "room", "region": VILLAGE_B1, "name": "越界社工室", "status": "operating"}
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not ServiceNode.objects.filter(name="越界社工室").exists()

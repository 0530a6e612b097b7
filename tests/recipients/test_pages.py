"""Registry and visit pages: query budgets, forms that keep input, reveal with audit, export masking, API."""

import io
import json
import uuid

import pytest
from python_calamine import CalamineWorkbook

from shegong.audit.models import AuditEvent
from shegong.recipients.models import Recipient, RiskTier
from shegong.visits.models import Visit
from tests.factories import DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from tests.recipients.helpers import id_number, make_recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return [
        make_recipient(VILLAGE_A1, name=f"对象{i}", tier=RiskTier.KEY, phone="13800138000") for i in range(12)
    ]


def test_list_query_count_is_pinned(world, people, login, client, django_assert_max_num_queries):
    login(world.user_a)
    # The page's own queries, the session save after login, the top bar's unread-message count and the menu's
    # waiting-hours, dispatch-desk and offline-conflicts badges (user_a is also a worker).
    with django_assert_max_num_queries(16):
        response = client.get("/recipients/")
    assert response.status_code == 200 and "对象11" in response.content.decode()


def test_worklist_and_rate_query_counts_are_pinned(
    world, people, login, client, django_assert_max_num_queries
):
    login(world.user_a)
    # 19: two read the overdue case steps shown beside the visits (the local time rules, the cases), two the
    # station's scheduled groups (missed meeting days among the overdue, the groups meeting today).
    with django_assert_max_num_queries(19):
        assert client.get(f"/visits/worklist/?station={world.station_a.pk}").status_code == 200
    with django_assert_max_num_queries(13):  # the menu's three badges among them
        response = client.get(f"/dashboards/visit-rate/?region={TOWN_A}")
    assert response.status_code == 200


def test_create_form_keeps_input_and_names_the_field(world, login, client):
    login(world.user_a)
    response = client.post(
        "/recipients/new/",
        {
            "name": "孙大妈",
            "id_number": "110105194912310021",
            "region": VILLAGE_A1,
            "risk_tier": "3",
            "address": "领事巷 8 号",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in body and "领事巷 8 号" in body and "孙大妈" in body
    good = id_number()
    response = client.post(
        "/recipients/new/",
        {"name": "孙大妈", "id_number": good.lower(), "region": VILLAGE_A1, "risk_tier": "3"},
    )
    assert response.status_code == 302
    recipient = Recipient.objects.get(name="孙大妈")
    assert recipient.id_number == good.upper() and recipient.birth_date is not None


def test_village_and_import_area_are_picked_from_the_users_own_regions(world, login, client):
    login(world.user_a)
    body = client.get("/recipients/new/").content.decode()
    assert f'value="{VILLAGE_A1}"' in body and f'value="{VILLAGE_A2}"' in body
    assert "七星岗街道" in body  # villages are grouped under their township
    assert VILLAGE_B1 not in body
    response = client.post(
        "/recipients/new/",
        {"name": "孙大妈", "id_number": id_number(), "region": VILLAGE_B1, "risk_tier": "3"},
    )
    assert response.status_code == 200 and not Recipient.objects.filter(name="孙大妈").exists()
    assert "region" in response.context["form"].errors

    login(world.official_a)
    body = client.get("/recipients/import/").content.decode()
    assert f'value="{DISTRICT}"' in body and f'value="{TOWN_A}"' in body and f'value="{TOWN_B}"' in body
    assert f'value="{VILLAGE_A1}"' not in body  # imports go to a district or a township, not a village
    login(world.user_a)
    body = client.get("/recipients/import/").content.decode()
    assert (
        f'value="{TOWN_A}"' in body and f'value="{TOWN_B}"' not in body and f'value="{DISTRICT}"' not in body
    )


def test_reveal_needs_a_reason_and_is_audited(world, people, login, client):
    login(world.user_a)
    url = f"/recipients/{people[0].pk}/reveal/"
    response = client.post(url, {"field": "phone", "reason": ""})
    assert "13800138000" not in response.content.decode()
    response = client.post(url, {"field": "phone", "reason": "联系家属"})
    assert "13800138000" in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", reason="联系家属").count() == 1


def test_export_is_masked_without_reveal_and_audited(world, people, login, client):
    # An operator exports the recipients served at the station it operates.
    world.station_a.operator = world.org_a
    world.station_a.save()
    Recipient.objects.filter(pk__in=[p.pk for p in people]).update(station=world.station_a)
    operator = make_user("operator", region_code=TOWN_A, organisation=world.org_a)
    login(operator)
    response = client.get("/recipients/export/?risk=2")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 15  # header, 12 rows, a blank row and the line naming the exporter
    assert rows[-1][0].startswith("导出人：")
    assert rows[1][2] == "138****8000" and "*" in rows[1][1]
    assert AuditEvent.objects.filter(action="export").exists()


def test_visit_form_three_taps_and_retry_is_not_duplicated(world, people, login, client):
    login(world.user_a)
    form = client.get(f"/visits/new/{people[0].pk}/").content.decode()
    key = form.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {
        "idempotency_key": key,
        "method": "home",
        "visited_at": "2026-01-05T10:00",
        **{
            f"f_{k}": "ok"
            for k in ("health", "mental", "gas", "water", "power", "heating", "hygiene", "living")
        },
    }
    assert client.post(f"/visits/new/{people[0].pk}/", data).status_code == 302
    assert client.post(f"/visits/new/{people[0].pk}/", data).status_code == 302
    assert Visit.objects.filter(recipient=people[0]).count() == 1


def test_api_strict_and_idempotent(world, people, login, client):
    login(world.user_a)
    body = {
        "recipient": people[1].pk,
        "idempotency_key": str(uuid.uuid4()),
        "visited_at": "2026-01-05T10:00:00+08:00",
        "method": "phone",
    }
    first = client.post("/api/v1/visits", json.dumps(body), content_type="application/json")
    again = client.post("/api/v1/visits", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    bad = client.post("/api/v1/visits", json.dumps({**body, "surprise": 1}), content_type="application/json")
    assert bad.status_code == 422
    wrong = client.post(
        "/api/v1/recipients",
        json.dumps({"name": "x", "id_number": 123, "region": VILLAGE_A1}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    listing = client.get("/api/v1/recipients?risk=2").json()
    assert listing["count"] == 12 and "*" in listing["results"][0]["id_number_masked"]
    rate = client.get(f"/api/v1/visit-rate?region={TOWN_A}&months=2").json()
    assert rate["region"]["months"][-1]["due"] == 12


def test_a_user_whose_import_area_is_a_village_can_import_into_it(world, login, client):
    # A social-work room's operator holds the import permission in one village: that village is the only area.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.recipients.test_import import workbook

    login(make_user(("operator", VILLAGE_A1)))
    body = client.get("/recipients/import/").content.decode()
    assert f'value="{VILLAGE_A1}"' in body and f'value="{VILLAGE_A2}"' not in body
    upload = SimpleUploadedFile(
        "名册.xlsx", workbook([["周大娘", id_number(), "", VILLAGE_A1, "", "", "", "", "一般", ""]])
    )
    response = client.post("/recipients/import/", {"region": VILLAGE_A1, "file": upload})
    assert response.status_code == 302, response.context["form"].errors
    assert Recipient.objects.filter(name="周大娘", region_code=VILLAGE_A1).exists()

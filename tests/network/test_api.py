import json

import pytest

from shegong.accounts.actor import SystemActor
from shegong.accounts.models import ApiToken
from shegong.accounts.services import token_create
from shegong.network.models import ServiceNode

from ..factories import TOWN_A, VILLAGE_A2, make_user


@pytest.fixture
def api(client, world):
    _token, raw = token_create(actor=SystemActor(), user=world.official_a)

    def call(method, path, body=None, token=raw):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if body is not None:
            kwargs.update(
                data=json.dumps(body) if not isinstance(body, str) else body, content_type="application/json"
            )
        return getattr(client, method)(path, **kwargs)

    return call


def test_crud_round_trip(api, world):
    created = api(
        "post",
        "/api/v1/nodes",
        {
            "level": "room",
            "region": VILLAGE_A2,
            "name": "领事巷社工室",
            "site_area": "45.5",
            "function_rooms": ["casework"],
        },
    )
    assert created.status_code == 201, created.content
    node_id = created.json()["id"]
    assert api("get", f"/api/v1/nodes/{node_id}").json()["site_area"] == "45.50"
    patched = api("patch", f"/api/v1/nodes/{node_id}", {"standardised": True})
    assert patched.status_code == 200 and patched.json()["standardised"] is True
    listed = api("get", f"/api/v1/nodes?level=room&under={TOWN_A}").json()
    assert node_id in [row["id"] for row in listed["results"]]
    assert api("delete", f"/api/v1/nodes/{node_id}").status_code == 204
    assert not ServiceNode.objects.filter(pk=node_id).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": "room", "region": VILLAGE_A2, "name": "x", "colour": "red"}, "colour"),
        ({"level": "room", "region": VILLAGE_A2, "name": 5}, "name"),
        ({"level": "planet", "region": VILLAGE_A2, "name": "x"}, "level"),
        ({"level": "room", "region": "123", "name": "x"}, "region"),
        ({"level": "room", "region": VILLAGE_A2, "name": "x", "site_area": -3}, "site_area"),
        ({"level": "room", "region": VILLAGE_A2, "name": "x", "has_signage": "yes"}, "has_signage"),
        ({"level": "room", "region": VILLAGE_A2}, "name"),
    ],
)
def test_bad_input_gets_422_naming_the_field(api, body, field):
    response = api("post", "/api/v1/nodes", body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in {e["field"] for e in payload["detail"]}


def test_malformed_json_is_422_not_500(api):
    response = api("post", "/api/v1/nodes", "{not json")
    assert response.status_code in (400, 422)
    assert response.json()["code"]


def test_domain_rule_violation_is_422_with_field(api):
    response = api("post", "/api/v1/nodes", {"level": "station", "region": VILLAGE_A2, "name": "错层站"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "region"


def test_missing_or_bad_token_is_401(api):
    assert api("get", "/api/v1/nodes", token=None).status_code == 401
    assert api("get", "/api/v1/nodes", token="sg_nope").status_code == 401


def test_revoked_token_stops_working(api, world):
    ApiToken.objects.update(revoked_at="2020-01-01T00:00:00Z")
    assert api("get", "/api/v1/nodes").status_code == 401


def test_worker_cannot_write_403(client, world):
    worker = make_user("worker", region_code=TOWN_A)
    _token, raw = token_create(actor=SystemActor(), user=worker)
    response = client.patch(
        f"/api/v1/nodes/{world.station_a.pk}",
        data=json.dumps({"name": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_regions_api_children_search_and_coverage(api, world):
    children = api("get", f"/api/v1/regions?parent={world.regions['district'].code}").json()
    assert {r["code"] for r in children} == {"500103001000", "500103002000"}
    found = api("get", "/api/v1/regions?q=七星岗").json()
    assert [r["code"] for r in found] == ["500103001000"]
    coverage = api("get", f"/api/v1/regions/{world.regions['district'].code}/coverage").json()
    assert coverage["total"]["townships_covered"] == 2
    assert api("get", "/api/v1/regions/12x").status_code == 404


def test_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/nodes" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()

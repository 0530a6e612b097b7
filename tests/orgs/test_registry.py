import json

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.orgs import services
from shegong.orgs.models import Organisation
from shegong.orgs.selectors import counts_by_region

GOOD_CODE = "91350100M000100Y43"


def test_credit_code_check_character_is_enforced(world):
    actor = Actor.for_user(world.official_a)
    with pytest.raises(ValidationError) as caught:
        services.org_create(
            actor=actor,
            data={
                "name": "甲",
                "kind": "agency",
                "region": world.regions["town_a"],
                "credit_code": GOOD_CODE[:-1] + "1",
            },
        )
    assert "校验位" in " ".join(caught.value.message_dict["credit_code"])
    org = services.org_create(
        actor=actor,
        data={
            "name": "甲",
            "kind": "agency",
            "region": world.regions["town_a"],
            "credit_code": GOOD_CODE.lower(),
        },
    )
    assert org.credit_code == GOOD_CODE


def test_filing_only_for_community_and_incubator_must_be_a_hub(world):
    actor = Actor.for_user(world.official_a)
    community = services.org_create(
        actor=actor, data={"name": "文体队", "kind": "community", "region": world.regions["village_a1"]}
    )
    assert community.filing_status == "pending"
    with pytest.raises(ValidationError) as caught:
        services.org_create(
            actor=actor,
            data={
                "name": "乙",
                "kind": "agency",
                "region": world.regions["town_a"],
                "filing_status": "filed",
                "incubated_by": world.org_a,
            },
        )
    assert set(caught.value.message_dict) == {"filing_status", "incubated_by"}
    total, children = counts_by_region(world.regions["district"])
    assert total.by_kind["community"] == 1 and total.by_kind["agency"] == 2


def test_form_keeps_input_and_names_the_field(world, login, client):
    login(world.official_a)
    response = client.post(
        "/orgs/new/",
        {
            "name": "我的机构",
            "kind": "agency",
            "credit_code": "123",
            "region": world.regions["town_a"].code,
            "party_branch": "none",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "18 位" in text and 'value="我的机构"' in text
    assert not Organisation.objects.filter(name="我的机构").exists()


def test_api_rejects_unknown_fields_and_wrong_types(world, login, client):
    login(world.official_a)
    body = {"name": "甲", "kind": "agency", "region": world.regions["town_a"].code, "colour": "red"}
    assert (
        client.post("/api/v1/organisations", json.dumps(body), content_type="application/json").status_code
        == 422
    )
    body = {"name": 5, "kind": "agency", "region": world.regions["town_a"].code}
    assert (
        client.post("/api/v1/organisations", json.dumps(body), content_type="application/json").status_code
        == 422
    )
    body = {
        "name": "甲",
        "kind": "agency",
        "region": world.regions["town_a"].code,
        "credit_code": GOOD_CODE,
        "rating": "4A",
        "rating_date": "2024-01-02",
    }
    response = client.post("/api/v1/organisations", json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["rating_date"] == "2024-01-02"

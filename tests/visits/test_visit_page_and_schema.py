"""The visit form's errors and the visit API's schema follow the service and the models."""

import uuid

import pytest
from django.utils import timezone

from shegong.recipients import services as recipient_services
from shegong.visits.models import FINDING_VALUES, FINDINGS, VisitMethod
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import make_recipient, system

pytestmark = pytest.mark.django_db


def _form(**extra) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "method": "home",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"f_{key}": "ok" for key, _label in FINDINGS})
    data.update(extra)
    return data


def test_a_closed_recipients_refusal_is_shown_once(world, login, client):
    person = make_recipient(VILLAGE_A1, name="结案老人")
    recipient_services.recipient_set_status(
        actor=system(), recipient=person, status="closed", note="迁出本市"
    )
    login(world.user_a)
    response = client.post(f"/visits/new/{person.pk}/", _form())
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len([e for e in errors if "请先更正档案状态" in e]) == 1
    assert response.content.decode().count("请先更正档案状态") == 1


def _visit_in_schema() -> tuple[dict, dict]:
    from shegong.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    return components["VisitIn"], components


def _resolve(node: dict, components: dict) -> dict:
    while "$ref" in node or ("allOf" in node and len(node["allOf"]) == 1):
        node = node["allOf"][0] if "allOf" in node else components[node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_api_offers_exactly_the_models_visit_methods():
    visit_in, components = _visit_in_schema()
    method = _resolve(visit_in["properties"]["method"], components)
    assert method["enum"] == list(VisitMethod.values)


def test_the_api_findings_are_the_models_checklist():
    visit_in, components = _visit_in_schema()
    findings = _resolve(visit_in["properties"]["findings"], components)
    assert list(findings["properties"]) == [key for key, _label in FINDINGS]
    for key in findings["properties"]:
        item = _resolve(findings["properties"][key], components)
        assert item["enum"] == list(FINDING_VALUES) and item["default"] == "na"
    assert findings.get("additionalProperties") is False  # still strict: an unknown item is refused


def test_a_method_or_finding_added_to_the_model_reaches_the_schema():
    # The schema is built from the model's lists, so a longer list gives a longer schema — nothing to copy by hand.
    from shegong.visits.api import choice_literal, findings_schema

    extended = [*VisitMethod.values, "letter"]
    assert choice_literal(extended).__args__ == tuple(extended)
    schema = findings_schema([*FINDINGS, ("pets", "宠物")]).model_json_schema()
    assert list(schema["properties"]) == [key for key, _label in FINDINGS] + ["pets"]

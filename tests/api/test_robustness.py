"""Findings of the API robustness review, each reproduced: bad months, explicit nulls, protected deletes, bodies
over the upload limit and loose types. Each answered 500 (or stored nonsense) before it was fixed centrally."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.db.models import ProtectedError
from django.test import RequestFactory
from pydantic import ValidationError

from shegong.core.api import StrictSchema
from shegong.core.forms import submit
from shegong.people.models import SocialWorker

from ..factories import DISTRICT, VILLAGE_A2
from .support import all_roles_token, caller, operations, recipients_at


@pytest.fixture
def api(client, world):
    return caller(client, all_roles_token())


@pytest.fixture
def full_world(world):
    from ..cross_region import extend_world

    extend_world(world)
    return world


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


# 1. Months ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2026-13", "0000-00", "2026-00", "0000-01", "2026-1", "2026-03-01", "x"])
def test_impossible_month_is_422_naming_the_parameter(api, month):
    response = api("get", f"/api/v1/visit-rate?region={DISTRICT}&month={month}")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert _fields(response) == {"month"}


def test_real_month_is_answered(api):
    response = api("get", f"/api/v1/visit-rate?region={DISTRICT}&month=2026-03&months=2")
    assert response.status_code == 200, response.content
    assert [m["month"] for m in response.json()["region"]["months"]] == ["2026-02", "2026-03"]


# 2. Explicit null in PATCH ---------------------------------------------------------------------------------------


def _patch_operations():
    return [op for op in operations() if op.method == "PATCH"]


def test_every_patch_body_knows_its_model():
    """A PATCH body that is no PatchSchema, or has no model, would let null through to a NOT NULL column."""
    from shegong.core.api import PatchSchema

    found = _patch_operations()
    assert len(found) >= 5
    for op in found:
        assert op.body is not None and issubclass(op.body, PatchSchema), op.name
        assert op.body.django_model is not None, op.name


def test_null_on_every_patch_field(api, full_world):
    """Every field of every PATCH operation, sent as null on a real row: 422 naming the field where the column is
    NOT NULL, accepted where it may be NULL; never a 500."""
    refused, accepted = [], []
    for op in _patch_operations():
        model = op.body.django_model
        for name in op.body.model_fields:
            row = model.objects.order_by("pk").first()
            assert row is not None, f"no {model.__name__} to patch"
            path = re.sub(r"\{int:\w+\}", str(row.pk), op.path)
            response = api("patch", path, {name: None})
            column = model._meta.get_field(name)
            if column.null:
                assert response.status_code < 500, (op.name, name, response.content)
                accepted.append(f"{op.name}.{name}")
            else:
                assert response.status_code == 422, (op.name, name, response.content)
                assert response.json()["code"] == "invalid"
                assert _fields(response) == {name}, (op.name, name, response.content)
                refused.append(f"{op.name}.{name}")
    # The eleven fields the review found answering 500 are among the refused ones.
    for found in [
        "update_node.address",
        "update_node.function_rooms",
        "update_node.phone",
        "update_worker.education",
        "update_worker.major",
        "update_worker.certificate_number",
        "update_volunteer.skills",
        "update_organisation.category",
        "update_organisation.rating",
        "update_organisation.contact",
        "update_organisation.phone",
    ]:
        assert found in refused
    assert "update_node.operator" in accepted


def test_patch_schema_documents_not_null_fields_without_null(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    address = schema["NodePatch"]["properties"]["address"]
    assert "anyOf" not in address and address["type"] == "string"
    operator = schema["NodePatch"]["properties"]["operator"]
    assert {"type": "null"} in operator["anyOf"]


# 3. Deleting a row others refer to -------------------------------------------------------------------------------


def test_deleting_a_station_recipients_refer_to_is_409(api, world):
    recipients_at(world.station_a, VILLAGE_A2, 3)
    response = api("delete", f"/api/v1/nodes/{world.station_a.pk}")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "protected"
    assert "3 个服务对象" in body["detail"]
    assert body["references"] == [{"model": "recipients.recipient", "label": "服务对象", "count": 3}]
    assert type(world.station_a).objects.filter(pk=world.station_a.pk).exists()


def test_every_delete_operation_is_covered_by_the_central_handler():
    """Deletes answer ProtectedError/RestrictedError through one handler; a new DELETE needs nothing of its own,
    but this list makes a new one visible to whoever adds it."""
    from django.db.models import RestrictedError

    from shegong.api import api as ninja_api

    assert ninja_api._lookup_exception_handler(ProtectedError("x", set())) is not None
    assert ninja_api._lookup_exception_handler(RestrictedError("x", set())) is not None
    assert sorted(op.name for op in operations() if op.method == "DELETE") == ["delete_node"]


def test_pages_show_the_same_refusal(world):
    recipients = recipients_at(world.station_a, VILLAGE_A2, 2)
    request = RequestFactory().post("/", {})
    form = forms.Form({})

    def delete(form):
        raise ProtectedError("protected", set(recipients))

    assert submit(request, form, delete) is None
    assert "仍有2 个服务对象引用该记录" in form.non_field_errors()[0]


# 4. Bodies over the upload limit ---------------------------------------------------------------------------------


def test_25_mb_json_body_is_413_json(api):
    body = {"level": "room", "region": VILLAGE_A2, "name": "x", "address": "大" * (9 * 1024 * 1024)}
    response = api("post", "/api/v1/nodes", body)  # about 27 MB of UTF-8
    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large"


def test_too_large_page_post_is_413(client, world, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    login(world.user_a)
    response = client.post("/network/new/", {"name": "x" * 2000})
    assert response.status_code == 413


# 5. Loose types --------------------------------------------------------------------------------------------------


def test_integer_date_is_422(api, full_world):
    worker = SocialWorker.objects.order_by("pk").first()
    response = api(
        "post",
        f"/api/v1/workers/{worker.pk}/departures",
        {"notice_date": 0, "planned_leaving_date": "2026-09-01"},
    )
    assert response.status_code == 422, response.content
    assert _fields(response) == {"notice_date"}


def test_boolean_risk_tier_is_422(api, world):
    from ..recipients.helpers import id_number

    body = {"name": "布尔", "id_number": id_number(), "region": VILLAGE_A2, "risk_tier": True}
    response = api("post", "/api/v1/recipients", body)
    assert response.status_code == 422, response.content
    assert _fields(response) == {"risk_tier"}


def test_iso_date_strings_are_accepted_in_nested_schemas(api, world):
    from ..recipients.helpers import id_number

    body = {
        "name": "日期",
        "id_number": id_number(),
        "region": VILLAGE_A2,
        "categories": [{"code": "dibao", "start_on": "2024-01-01"}],
    }
    response = api("post", "/api/v1/recipients", body)
    assert response.status_code == 201, response.content


def _body_schemas() -> set[type]:
    found = set()
    pending = [op.body for op in operations() if op.body is not None]
    while pending:
        schema = pending.pop()
        if schema in found:
            continue
        found.add(schema)
        for field in schema.model_fields.values():
            pending.extend(
                t for t in _types(field.annotation) if isinstance(t, type) and hasattr(t, "model_fields")
            )
    return found


def _types(annotation) -> list:
    import typing

    args = typing.get_args(annotation)
    return [annotation, *[t for a in args for t in _types(a)]]


def test_every_body_schema_is_strict():
    schemas = _body_schemas()
    assert len(schemas) > 10
    loose = sorted(s.__name__ for s in schemas if not issubclass(s, StrictSchema))
    assert loose == []


@pytest.mark.parametrize(
    ("value", "kind"), [(0, "date"), (1700000000, "date"), (True, "bool"), (1.0, "number")]
)
def test_no_body_field_coerces_a_wrong_json_type(value, kind):
    """Every field of every body: a number where a date is due, true where no bool is, 1.0 where an int is."""
    checked = 0
    for schema in _body_schemas():
        for name, field in schema.model_fields.items():
            types = [t for t in _types(field.annotation) if isinstance(t, type)]
            if kind == "date" and not any(issubclass(t, datetime.date) for t in types):
                continue
            if kind == "bool" and bool in types:
                continue
            if kind == "number" and (
                float in types or str in types or any(t.__name__ == "Decimal" for t in types)
            ):
                continue
            try:
                schema.model_validate({name: value})
            except ValidationError as exc:
                assert any(e["loc"] == (name,) for e in exc.errors()), (schema.__name__, name, exc.errors())
            else:
                pytest.fail(f"{schema.__name__}.{name} accepted {value!r}")
            checked += 1
    assert checked > 3


def test_every_operation_documents_its_error_answers(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "413", "422"} <= codes, (method, path, codes)

"""Fuzz every API operation from its OpenAPI schema: no 5xx, every response matches the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shegong.accounts.actor import SystemActor
from shegong.accounts.services import token_create

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(world):
    from ..cross_region import extend_world

    extend_world(world)
    _token, raw = token_create(actor=SystemActor(), user=world.official_a)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    schema.config.headers = {"Authorization": f"Bearer {raw}"}
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_fails(case):
    token = case.operation.schema.config.headers["Authorization"]
    case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)

"""Every URL pattern and API operation: a user of another region gets 404 or sees nothing of region A."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shegong.api import api
from shegong.core.scoping import unscoped

from .cross_region import registry
from .factories import login_client


@pytest.fixture
def world(harness_world, db):
    """One world per module (tests/conftest.py): building it for each of the many cases cost most of their time."""
    return harness_world


IGNORED_NAMESPACES = ("admin",)


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "api" or ns in IGNORED_NAMESPACES:
                continue
            yield from url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield f"{namespace}{pattern.name}"
            else:
                yield f"{namespace}<unnamed {pattern.pattern}>"


def api_operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield operation["operationId"], method.upper(), path


def test_every_page_is_registered():
    registered = {k.split(":", 1)[1].split("#")[0] for k in registry() if k.startswith("page:")}
    missing = sorted(set(url_names()) - registered)
    assert not missing, f"URL patterns not registered in tests/cross_region: {missing}"


def test_every_api_operation_is_registered():
    registered = {k.split(":", 1)[1] for k in registry() if k.startswith("api:")}
    missing = sorted({op for op, _, _ in api_operations()} - registered)
    assert not missing, f"API operations not registered in tests/cross_region: {missing}"


CASES = sorted((key, ep) for key, ep in registry().items() if ep.kind != "open")


@pytest.mark.parametrize(("key", "endpoint"), CASES, ids=[k for k, _ in CASES])
def test_other_region_gets_nothing(key, endpoint, world, client):
    login_client(client, world.user_b)
    url = endpoint.url(world)
    with unscoped():
        before = _fingerprint(world)
    response = request_endpoint(client, endpoint, world)
    content = response.content.decode("utf-8", errors="replace")
    if endpoint.kind == "create":
        # A form naming another region's parent is refused: re-shown with an error, or 404.
        assert response.status_code in (200, 404, 422), f"{key}: {url} gave {response.status_code}"
    elif endpoint.kind in ("detail", "write"):
        assert response.status_code == 404, f"{key}: {url} gave {response.status_code}, expected 404"
    else:
        assert response.status_code == 200, f"{key}: {url} gave {response.status_code}"
        body_text = content
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            body_text = _xlsx_text(response.content)
        for marker in world.markers:
            assert marker not in body_text, f"{key}: region A's {marker!r} leaked to region B"
        assert "MARKERA" not in body_text, f"{key}: a region A marker leaked"
    with unscoped():
        assert _fingerprint(world) == before, f"{key}: the request changed data it must not see"


def request_endpoint(client, endpoint, world):
    body = endpoint.body(world) if endpoint.body else None
    kwargs = {}
    if body is not None:
        if endpoint.content_type == "form":
            kwargs = {"data": body}
        else:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, endpoint.method.lower())(endpoint.url(world), **kwargs)


def _fingerprint(world):
    """The row count of every domain table, read in one query (this runs twice for each of many cases)."""
    from django.apps import apps
    from django.db import connection

    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label.startswith(
            ("shegong", "network", "regions", "people", "orgs", "recipients", "services", "supervision")
        )
        and model._meta.app_label not in ("audit",)
        and not model._meta.proxy
    ]
    tables = sorted({model._meta.db_table for model in models})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    world.station_a.refresh_from_db()
    counts["station_a.name"] = world.station_a.name
    return counts


def _xlsx_text(content: bytes) -> str:
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    parts = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            parts.extend(str(c) for c in row)
    return "\n".join(parts)


def test_registry_urls_resolve(world):
    for key, endpoint in registry().items():
        if endpoint.url is None:
            continue
        assert endpoint.url(world).startswith("/"), key


_ = urlencode  # query strings are built inline by the registry

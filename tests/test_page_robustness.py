"""Every form the pages post, filled with what users really type wrong: never a server error."""

import pytest

from .cross_region import registry
from .factories import login_client

JUNK = ["", "   ", "-1", "9" * 40, "2026-13-45", "x" * 5000, "<script>alert(1)</script>", "１２３", "null"]


@pytest.fixture
def world(harness_world, db):
    return harness_world


POSTS = sorted(
    (key, ep)
    for key, ep in registry().items()
    if not ep.api and ep.method == "POST" and ep.kind in ("write", "create") and ep.body is not None
)


@pytest.mark.parametrize(("key", "endpoint"), POSTS, ids=[k for k, _ in POSTS])
def test_a_page_form_with_bad_values_never_answers_500(key, endpoint, world, client):
    login_client(client, world.user_a)
    body = endpoint.body(world) or {}
    url = endpoint.url(world)
    for junk in JUNK:
        bad = {name: junk for name in body} if isinstance(body, dict) else {}
        response = client.post(url, bad)
        assert response.status_code < 500, (
            f"{key}: {url} with every field {junk[:20]!r} gave {response.status_code}"
        )


FILTERS = (
    "worker",
    "node",
    "supervisor",
    "fund",
    "operator",
    "risk",
    "recruited_by",
    "course",
    "under",
    "village",
    "region",
    "page",
    "year",
    "month",
    "kind",
    "status",
    "tab",
    "period",
    "indicator",
    "q",
    "refresh",
    "team",
)
GETS = sorted(
    (key, ep) for key, ep in registry().items() if not ep.api and ep.method == "GET" and ep.kind == "list"
)


@pytest.mark.parametrize(("key", "endpoint"), GETS, ids=[k for k, _ in GETS])
def test_a_list_with_bad_filters_never_answers_500(key, endpoint, world, client):
    """Hand-edited addresses: a number too large for the database, a superscript digit, a date that is none."""
    login_client(client, world.user_a)
    url = endpoint.url(world)
    joiner = "&" if "?" in url else "?"
    for junk in ("9" * 40, "²", "2026-13-45", "-1"):
        query = "&".join(f"{name}={junk}" for name in FILTERS)
        response = client.get(f"{url}{joiner}{query}")
        assert response.status_code < 500, f"{key}: {url} with filters {junk!r} gave {response.status_code}"

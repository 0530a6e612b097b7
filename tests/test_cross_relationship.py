"""Inside region A, a relationship-bound role sees only what is related to it (docs/roles.md, "Access by
relationship"). For every URL pattern and API operation registered in tests/cross_region, an actor of region A who
holds one such role and is related to none of the harness's objects gets 404 (or 403 where the role has no
permission at all) on detail pages and writes, and sees none of A's markers in lists, exports and search.

And every region-owned model declares how it relates to those roles, so a new one cannot fall back silently.
"""

import pytest
from django.apps import apps

from shegong.accounts.roles import RELATIONSHIP_ROLES
from shegong.core.scoping import RegionOwned
from shegong.orgs.models import Organisation

from .cross_region import registry
from .factories import TOWN_A, login_client, make_user
from .test_cross_region import _fingerprint, _xlsx_text, request_endpoint


@pytest.fixture
def world(harness_world, db):
    """One world per module (tests/conftest.py): building it for each of the many cases cost most of their time."""
    return harness_world


# Rows a role sees by declaration (``every_row``), whoever holds it: these endpoints show them by design.
# The course calendar and the resource libraries are the region's shared knowledge, no one's personal data
# (docs/roles.md); the enrolments, sessions and supervisees behind them stay relationship-bound.
_SHARED_KNOWLEDGE = {
    "page:supervision:courses",
    "page:supervision:course_detail",
    "page:supervision:course_export",
    "page:supervision:resources",
    "page:supervision:resources#all",
    "page:supervision:question_detail",
    "page:supervision:project_detail",
    "page:supervision:expert_detail",
    "api:shegong_supervision_api_list_trainings",
    "api:shegong_supervision_api_get_training",
    "api:shegong_supervision_api_list_resources",
}
_FRAMEWORKS = {"page:evaluation:framework", "api:shegong_evaluation_api_get_framework"}
SEEN_BY_EVERY_HOLDER = {
    # Evaluation frameworks are no one's personal data: every holder of the role reads them.
    "evaluator": _FRAMEWORKS,
    "operator": _SHARED_KNOWLEDGE | _FRAMEWORKS,
    # Any supervisor of the region may answer a question of the bank.
    "supervisor": _SHARED_KNOWLEDGE | _FRAMEWORKS | {"page:supervision:question_detail#answer"},
}

# A region of the actor's own area is its to navigate (the tree and its counts are no one's personal data): these
# pages answer, and must show none of the rows the actor is not related to.
AREA_VIEWS = {
    "page:regions:detail",
    "api:shegong_regions_api_get_region",
    "page:dashboards:home#region",
    "page:dashboards:visit_rate#region",
    "api:shegong_dashboards_api_get_coverage",
    "api:shegong_dashboards_api_get_visit_rate",
    # A level's dashboard (and its big screen and data) of one's own area: counted figures, each list behind them
    # filtered by relationship.
    "page:dashboards:region",
    "page:dashboards:screen",
    "page:dashboards:data",
    "api:shegong_dashboards_api_get_dashboard",
    # A sign-up poster for a community of one's area names the community, no one's rows.
    "page:people:volunteer_signup_poster",
    # The five-linkage view of one's own area: counts and totals, each list behind it filtered by relationship.
    "page:charity:linkage#region",
    # A region's service catalogue is its published menu (no one's data).
    "page:demands:catalogue#region",
    "api:shegong_demands_api_list_catalogue#region",
}

# Creating a record in one's own region is a permission (403 when missing), not a relationship.
CREATES = {"api:shegong_people_api_create_worker", "api:shegong_people_api_create_volunteer"}


def unrelated_actor(role: str, world):
    """An actor of region A holding only ``role`` and related to nothing the harness created."""
    if role == "operator":
        own = Organisation.objects.create(name="丙方社工机构", kind="agency", region=world.regions["town_a"])
        return make_user((role, TOWN_A), organisation=own)
    return make_user((role, TOWN_A))


CASES = sorted(
    (role, key, ep)
    for role in sorted(RELATIONSHIP_ROLES)
    for key, ep in registry().items()
    if ep.kind not in ("open", "create") and key not in CREATES
)


@pytest.mark.parametrize(("role", "key", "endpoint"), CASES, ids=[f"{r}-{k}" for r, k, _ in CASES])
def test_unrelated_actor_of_the_same_region_gets_nothing(role, key, endpoint, world, client):
    if key in SEEN_BY_EVERY_HOLDER.get(role, ()):
        pytest.skip(f"every {role} sees this by declaration")
    login_client(client, unrelated_actor(role, world))
    before = _fingerprint(world)
    response = request_endpoint(client, endpoint, world)
    if endpoint.kind in ("detail", "write") and key not in AREA_VIEWS:
        assert response.status_code in (403, 404), f"{role} {key}: gave {response.status_code}"
    else:
        # 302: a volunteer's home is its own hours page.
        assert response.status_code in (200, 302, 403), f"{role} {key}: gave {response.status_code}"
        body = response.content.decode("utf-8", errors="replace")
        if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
            body = _xlsx_text(response.content)
        assert "MARKERA" not in body, f"{role} {key}: a region A object unrelated to it leaked"
    assert _fingerprint(world) == before, f"{role} {key}: the request changed data it must not see"


def test_every_region_owned_model_declares_its_relationships():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if issubclass(model, RegionOwned) and getattr(model, "relationship", None) is None
    ]
    assert not missing, (
        "region-owned models without a `relationship` declaration (use REGION_WIDE_ONLY when only region-wide "
        f"roles see them): {missing}"
    )


def test_declared_roles_are_relationship_bound_roles():
    for model in apps.get_models():
        if issubclass(model, RegionOwned):
            unknown = set(model.relationship or {}) - RELATIONSHIP_ROLES
            assert not unknown, f"{model._meta.label} names roles that are not relationship-bound: {unknown}"

from . import Endpoint

ENDPOINTS = [
    Endpoint("orgs:list", "list", lambda w: "/orgs/"),
    Endpoint("orgs:export", "list", lambda w: "/orgs/export/"),
    Endpoint("orgs:template", "list", lambda w: "/orgs/import/template/"),
    Endpoint(
        "orgs:create",
        "create",
        lambda w: "/orgs/new/",
        method="POST",
        body=lambda w: {
            "name": "越权组织",
            "kind": "agency",
            "region": w.regions["town_a"].code,
            "party_branch": "none",
        },
        content_type="form",
    ),
    Endpoint(
        "orgs:import",
        "create",
        lambda w: "/orgs/import/",
        method="POST",
        body=lambda w: {"region": w.regions["town_a"].code},
        content_type="form",
    ),
    Endpoint("orgs:detail", "detail", lambda w: f"/orgs/{w.org_a.pk}/"),
    Endpoint("orgs:edit", "detail", lambda w: f"/orgs/{w.org_a.pk}/edit/"),
    Endpoint("shegong_orgs_api_list_organisations", "list", lambda w: "/api/v1/organisations", api=True),
    Endpoint(
        "shegong_orgs_api_create_organisation",
        "write",
        lambda w: "/api/v1/organisations",
        method="POST",
        api=True,
        body=lambda w: {"name": "越权", "kind": "agency", "region": w.regions["town_a"].code},
    ),
    Endpoint(
        "shegong_orgs_api_get_organisation",
        "detail",
        lambda w: f"/api/v1/organisations/{w.org_a.pk}",
        api=True,
    ),
    Endpoint(
        "shegong_orgs_api_update_organisation",
        "write",
        lambda w: f"/api/v1/organisations/{w.org_a.pk}",
        method="PATCH",
        api=True,
        body=lambda w: {"name": "改名"},
    ),
]


def extend(world):
    from shegong.orgs.models import Organisation

    community = Organisation.objects.create(
        name="社区文体队MARKERA", kind="community", region=world.regions["village_a1"], filing_status="filed"
    )
    world.extras["marker_org"] = community.name

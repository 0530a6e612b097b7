from . import Endpoint


def _node_body(w):
    return {"level": "room", "region": w.regions["village_a2"].code, "name": "越权新建社工室"}


ENDPOINTS = [
    Endpoint("network:list", "list", lambda w: "/network/"),
    Endpoint(
        "network:create",
        "create",
        lambda w: "/network/new/",
        method="POST",
        body=lambda w: {
            "level": "room",
            "region": w.regions["village_a2"].code,
            "name": "越权新建社工室",
            "status": "operating",
        },
        content_type="form",
    ),
    Endpoint("network:detail", "detail", lambda w: f"/network/{w.station_a.pk}/"),
    Endpoint("network:edit", "detail", lambda w: f"/network/{w.station_a.pk}/edit/"),
    Endpoint(
        "network:document_add",
        "write",
        lambda w: f"/network/{w.station_a.pk}/documents/",
        method="POST",
        body=lambda w: {"kind": "rules", "title": "越权文件"},
        content_type="form",
    ),
    Endpoint(
        "network:stage_record",
        "write",
        lambda w: f"/network/{w.station_a.pk}/stages/",
        method="POST",
        body=lambda w: {"stage": "covered", "reached_on": "2026-01-05", "evidence": "越权"},
        content_type="form",
    ),
    Endpoint(
        "network:demonstration_add",
        "write",
        lambda w: f"/network/{w.station_a.pk}/demonstrations/",
        method="POST",
        body=lambda w: {"level": "county", "year": "2026"},
        content_type="form",
    ),
    Endpoint("shegong_network_api_list_nodes", "list", lambda w: "/api/v1/nodes", api=True),
    Endpoint(
        "shegong_network_api_create_node",
        "write",
        lambda w: "/api/v1/nodes",
        method="POST",
        body=_node_body,
        api=True,
    ),
    Endpoint("shegong_network_api_get_node", "detail", lambda w: f"/api/v1/nodes/{w.station_a.pk}", api=True),
    Endpoint(
        "shegong_network_api_replace_node",
        "write",
        lambda w: f"/api/v1/nodes/{w.station_a.pk}",
        method="PUT",
        body=lambda w: {"level": "station", "region": w.regions["town_a"].code, "name": "改名"},
        api=True,
    ),
    Endpoint(
        "shegong_network_api_update_node",
        "write",
        lambda w: f"/api/v1/nodes/{w.station_a.pk}",
        method="PATCH",
        body=lambda w: {"name": "改名"},
        api=True,
    ),
    Endpoint(
        "shegong_network_api_delete_node",
        "write",
        lambda w: f"/api/v1/nodes/{w.station_a.pk}",
        method="DELETE",
        api=True,
    ),
]

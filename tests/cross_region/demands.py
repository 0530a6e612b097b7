import json  # noqa: F401 - bodies are built as dicts

from . import Endpoint


def _req(w):
    return w.extras["demand_a"]


def _act(action, body=None):
    return Endpoint(
        f"demands:act#{action}",
        "write",
        lambda w: f"/demands/{_req(w).pk}/{action}/",
        method="POST",
        body=(lambda w: body) if body is not None else None,
        content_type="form",
    )


def _api(name, action, body=None):
    return Endpoint(
        f"shegong_demands_api_{name}",
        "write",
        lambda w: f"/api/v1/demands/{_req(w).pk}/{action}",
        method="POST",
        api=True,
        body=(lambda w: body) if body is not None else (lambda w: {}),
    )


ENDPOINTS = [
    Endpoint("demands:board", "list", lambda w: "/demands/"),
    Endpoint("demands:board#overdue", "list", lambda w: "/demands/?tab=open"),
    Endpoint("demands:mine", "list", lambda w: "/demands/mine/"),
    Endpoint("demands:requests", "list", lambda w: "/demands/requests/?state=open"),
    Endpoint(
        "demands:requests#under",
        "list",
        lambda w: f"/demands/requests/?under={w.regions['town_a'].code}",
    ),
    Endpoint("demands:new", "list", lambda w: "/demands/new/"),
    Endpoint(
        "demands:new#post",
        "create",
        lambda w: "/demands/new/",
        method="POST",
        body=lambda w: {
            "channel": "phone",
            "description": "需要助餐服务",
            "region": w.regions["village_a1"].code,
        },
        content_type="form",
    ),
    Endpoint(
        "demands:from_visit",
        "write",
        lambda w: f"/demands/from-visit/{w.extras['visit_a'].pk}/",
        method="POST",
    ),
    Endpoint("demands:detail", "detail", lambda w: f"/demands/{_req(w).pk}/"),
    _act("accept"),
    _act("return", {"reason": "不是我的"}),
    _act("reveal", {"reason": "回访"}),
    _act("dispatch", {"item": "1", "urgency": "general", "receiver": "station:1"}),
    Endpoint("demands:catalogue", "list", lambda w: "/demands/catalogue/"),
    Endpoint(
        "demands:catalogue#region",
        "detail",
        lambda w: f"/demands/catalogue/?region={w.regions['town_a'].code}",
    ),
    Endpoint(
        "demands:item_new", "detail", lambda w: f"/demands/catalogue/new/?region={w.regions['town_a'].code}"
    ),
    Endpoint(
        "demands:rules_update",
        "write",
        lambda w: f"/demands/catalogue/rules/?region={w.regions['town_a'].code}",
        method="POST",
        body=lambda w: {"accept_general_hours": "1"},
        content_type="form",
    ),
    Endpoint("demands:item_edit", "detail", lambda w: f"/demands/catalogue/{w.extras['demand_item_a'].pk}/"),
    Endpoint("demands:demand_list", "list", lambda w: "/demands/demand-list/?since=2000-01-01"),
    Endpoint(
        "demands:demand_list#region",
        "list",
        lambda w: f"/demands/demand-list/?since=2000-01-01&region={w.regions['town_a'].code}",
    ),
    Endpoint("demands:demand_list_export", "list", lambda w: "/demands/demand-list/export/?since=2000-01-01"),
    Endpoint(
        "demands:mark_basis",
        "write",
        lambda w: "/demands/demand-list/mark/?since=2000-01-01",
        method="POST",
        body=lambda w: {"item": w.extras["demand_item_a"].pk, "region": w.regions["town_a"].code},
        content_type="form",
    ),
    Endpoint("public_requests:new", "open", lambda w: "/public/requests/new/"),
    Endpoint("public_requests:track", "open", lambda w: f"/public/requests/{_req(w).tracking_code}/"),
    # API
    Endpoint("shegong_demands_api_list_catalogue", "list", lambda w: "/api/v1/catalogue", api=True),
    Endpoint(
        "shegong_demands_api_list_catalogue#region",
        "detail",
        lambda w: f"/api/v1/catalogue?region={w.regions['town_a'].code}",
        api=True,
    ),
    Endpoint("shegong_demands_api_list_demands", "list", lambda w: "/api/v1/demands", api=True),
    Endpoint(
        "shegong_demands_api_create_demand",
        "create",
        lambda w: "/api/v1/demands",
        method="POST",
        api=True,
        body=lambda w: {
            "channel": "phone",
            "description": "需要助餐服务",
            "region": w.regions["village_a1"].code,
        },
    ),
    Endpoint("shegong_demands_api_get_demand", "detail", lambda w: f"/api/v1/demands/{_req(w).pk}", api=True),
    Endpoint(
        "shegong_demands_api_dispatch_demand",
        "write",
        lambda w: f"/api/v1/demands/{_req(w).pk}/dispatch",
        method="POST",
        api=True,
        body=lambda w: {
            "item": w.extras["demand_item_a"].pk,
            "urgency": "general",
            "receiver_kind": "station",
            "receiver": w.station_a.pk,
        },
    ),
    _api("accept_demand", "accept"),
    _api("return_demand", "return", {"reason": "不是我的"}),
    _api("start_demand", "start"),
    _api("pause_demand", "pause", {"reason": "等待"}),
    _api("resume_demand", "resume"),
    _api("resolve_demand", "resolve", {"resolution": "已办"}),
    _api("rate_demand", "rate", {"rating": 5}),
    _api("cancel_demand", "cancel", {"reason": "重复"}),
    Endpoint(
        "shegong_demands_api_demand_summary",
        "list",
        lambda w: "/api/v1/demands/summary?since=2000-01-01&until=2100-01-01",
        api=True,
    ),
    Endpoint(
        "shegong_demands_api_submit_public_request", "open", lambda w: "/api/v1/public/requests", api=True
    ),
    Endpoint(
        "shegong_demands_api_track_public_request",
        "open",
        lambda w: f"/api/v1/public/requests/{_req(w).tracking_code}",
        api=True,
    ),
]


def extend(world):
    """Region A's own catalogue (with its own item) and a request dispatched to A's station, accepted: B's users and
    A's unrelated operators must see none of it (its text and tracking code are markers)."""
    from shegong.accounts.actor import SystemActor
    from shegong.demands import catalogue, catalogue_services, services
    from shegong.demands.models import CatalogueDomain

    system = SystemActor("harness")
    town = world.regions["town_a"].code
    catalogue_services.customise(actor=system, region_code=town)
    domain = CatalogueDomain.objects.filter(region_id=town).first()
    item = catalogue_services.item_create(
        actor=system,
        region_code=town,
        data={
            "domain": domain,
            "name": "甲区专项助餐",
            "receivers": ["station"],
            "default_urgency": "general",
        },
    )
    req = services.request_submit_public(
        data={
            "description": "MARKERA需要助餐",
            "region": world.regions["village_a1"].code,
            "requester_phone": "13800138000",
            "requester_name": "甲居民",
            "consent_contact": True,
        },
        address="192.0.2.1",
    )
    services.request_dispatch(
        actor=system, req=req, item=item, urgency="general", kind="station", receiver=world.station_a
    )
    req.refresh_from_db()
    world.extras["demand_a"] = req
    world.extras["demand_item_a"] = item
    world.extras["marker_demand_code"] = req.tracking_code
    world.extras["marker_demand_item"] = item.name
    assert catalogue.owner_of(world.regions["village_a1"].code) == town

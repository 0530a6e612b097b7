import uuid

from . import Endpoint


def _visit(w):
    return w.extras["visit_a"]


ENDPOINTS = [
    Endpoint("visits:worklist", "list", lambda w: "/visits/worklist/"),
    Endpoint("visits:overdue", "list", lambda w: "/visits/overdue/"),
    Endpoint("dashboards:visit_rate", "list", lambda w: "/dashboards/visit-rate/"),
    Endpoint(
        "dashboards:visit_rate#region",
        "detail",
        lambda w: f"/dashboards/visit-rate/?region={w.regions['town_a'].code}",
    ),
    Endpoint("recipients:rules", "list", lambda w: "/recipients/rules/"),
    Endpoint("visits:visit_new", "detail", lambda w: f"/visits/new/{w.extras['recipient_a'].pk}/"),
    Endpoint("visits:visit_detail", "detail", lambda w: f"/visits/{_visit(w).pk}/"),
    Endpoint("visits:visit_photo", "detail", lambda w: f"/visits/photos/{_visit(w).photos.get().pk}/"),
    Endpoint("shegong_visits_api_list_visits", "list", lambda w: "/api/v1/visits", api=True),
    Endpoint(
        "shegong_visits_api_record_visit",
        "write",
        lambda w: "/api/v1/visits",
        method="POST",
        api=True,
        body=lambda w: {
            "recipient": w.extras["recipient_a"].pk,
            "idempotency_key": str(uuid.uuid4()),
            "visited_at": "2026-01-01T10:00:00+08:00",
            "method": "home",
        },
    ),
    Endpoint("shegong_visits_api_get_visit", "detail", lambda w: f"/api/v1/visits/{_visit(w).pk}", api=True),
    Endpoint("shegong_visits_api_get_worklist", "list", lambda w: "/api/v1/worklist", api=True),
    Endpoint(
        "shegong_dashboards_api_get_visit_rate",
        "detail",
        lambda w: f"/api/v1/visit-rate?region={w.regions['town_a'].code}",
        api=True,
    ),
]

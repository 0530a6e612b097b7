import uuid

from . import Endpoint


def _visit(w):
    return w.extras["visit_a"]


ENDPOINTS = [
    Endpoint("services:worklist", "list", lambda w: "/services/worklist/"),
    Endpoint("services:overdue", "list", lambda w: "/services/overdue/"),
    Endpoint("services:visit_rate", "list", lambda w: "/services/visit-rate/"),
    Endpoint(
        "services:visit_rate#region",
        "detail",
        lambda w: f"/services/visit-rate/?region={w.regions['town_a'].code}",
    ),
    Endpoint("services:rules", "list", lambda w: "/services/rules/"),
    Endpoint("services:visit_new", "detail", lambda w: f"/services/visits/new/{w.extras['recipient_a'].pk}/"),
    Endpoint("services:visit_detail", "detail", lambda w: f"/services/visits/{_visit(w).pk}/"),
    Endpoint("services:visit_photo", "detail", lambda w: f"/services/photos/{_visit(w).photos.get().pk}/"),
    Endpoint("shegong_services_api_list_visits", "list", lambda w: "/api/v1/visits", api=True),
    Endpoint(
        "shegong_services_api_record_visit",
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
    Endpoint(
        "shegong_services_api_get_visit", "detail", lambda w: f"/api/v1/visits/{_visit(w).pk}", api=True
    ),
    Endpoint("shegong_services_api_get_worklist", "list", lambda w: "/api/v1/worklist", api=True),
    Endpoint(
        "shegong_services_api_get_visit_rate",
        "detail",
        lambda w: f"/api/v1/visit-rate?region={w.regions['town_a'].code}",
        api=True,
    ),
]

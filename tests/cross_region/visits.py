import datetime
import uuid

from . import Endpoint


def _month():
    return datetime.date.today().strftime("%Y-%m")


def _visit(w):
    return w.extras["visit_a"]


ENDPOINTS = [
    Endpoint("visits:worklist", "list", lambda w: "/visits/worklist/"),
    Endpoint("visits:overdue", "list", lambda w: "/visits/overdue/"),
    Endpoint("visits:overdue#escalated", "list", lambda w: "/visits/overdue/?escalated=1&risk=1"),
    Endpoint("visits:overdue_export", "list", lambda w: "/visits/overdue/export/"),
    Endpoint("visits:unvisited", "list", lambda w: f"/visits/unvisited/?month={_month()}"),
    Endpoint("visits:unvisited_export", "list", lambda w: f"/visits/unvisited/export/?month={_month()}"),
    Endpoint("dashboards:station", "list", lambda w: "/dashboards/station/"),
    Endpoint("dashboards:visit_rate", "list", lambda w: "/dashboards/visit-rate/"),
    Endpoint(
        "dashboards:visit_rate#region",
        "detail",
        lambda w: f"/dashboards/visit-rate/?region={w.regions['town_a'].code}",
    ),
    Endpoint("recipients:rules", "list", lambda w: "/recipients/rules/"),
    Endpoint("visits:visit_new", "detail", lambda w: f"/visits/new/{w.extras['recipient_a'].pk}/"),
    Endpoint(
        "visits:call_recipient",
        "write",
        lambda w: f"/visits/call/{w.extras['recipient_a'].pk}/",
        method="POST",
    ),
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


def extend(world):
    """An overdue, escalated recipient of region A, with no visit this month: the overdue list, the station page
    and the unvisited list of A show it; nobody else's must."""
    from django.utils import timezone

    from shegong.accounts.actor import SystemActor
    from shegong.recipients import services
    from shegong.recipients.models import Recipient
    from tests.recipients.helpers import id_number

    recipient = services.recipient_create(
        actor=SystemActor("harness"),
        data={"name": "逾期MARKERA", "id_number": id_number(), "region": world.regions["village_a1"].code},
        categories=[],
        risk_tier=1,
        risk_reason="独居",
    )
    Recipient.objects.filter(pk=recipient.pk).update(
        next_due_on=timezone.localdate() - datetime.timedelta(days=9),
        event_due_at=timezone.now() - datetime.timedelta(hours=3),
    )

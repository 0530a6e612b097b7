import datetime
import uuid

from django.utils import timezone

from . import Endpoint


def extend(world):
    from shegong.accounts.actor import SystemActor
    from shegong.recipients import services
    from shegong.recipients.models import Category
    from shegong.visits.services import Photo, visit_record
    from tests.recipients.helpers import id_number

    actor = SystemActor("harness")
    recipient = services.recipient_create(
        actor=actor,
        data={
            "name": "王MARKERA",
            "id_number": id_number(),
            "region": world.regions["village_a1"].code,
            "address": "金汤街MARKERA号",
        },
        categories=[{"category": Category.objects.get(code="dibao"), "start_on": datetime.date(2024, 1, 1)}],
        risk_tier=1,
        risk_reason="独居MARKERA",
    )
    visit, _ = visit_record(
        actor=actor,
        recipient=recipient,
        idempotency_key=uuid.uuid4(),
        data={
            "visited_at": timezone.now(),
            "method": "home",
            "findings": {"gas": "issue"},
            "needs_found": "MARKERA",
        },
        photos=[Photo("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)],
    )
    world.extras.update(
        {
            "recipient_a": recipient,
            "visit_a": visit,
            "marker_recipient": "王MARKERA",
            "membership_a": recipient.memberships.get(),
        }
    )


def _r(w):
    return w.extras["recipient_a"].pk


def _post(name, suffix, body):
    return Endpoint(
        name,
        "write",
        lambda w: f"/recipients/{_r(w)}/{suffix}",
        method="POST",
        body=body,
        content_type="form",
    )


ENDPOINTS = [
    Endpoint("recipients:list", "list", lambda w: "/recipients/?q=王"),
    Endpoint("recipients:export", "list", lambda w: "/recipients/export/"),
    Endpoint(
        "recipients:create",
        "create",
        lambda w: "/recipients/new/",
        method="POST",
        content_type="form",
        body=lambda w: {
            "name": "越权",
            "id_number": "11010519491231002X",
            "region": w.regions["village_a2"].code,
            "risk_tier": "3",
        },
    ),
    Endpoint("recipients:categories", "list", lambda w: "/recipients/categories/"),
    Endpoint(
        "recipients:import",
        "create",
        lambda w: "/recipients/import/",
        method="POST",
        content_type="form",
        body=lambda w: {"region": w.regions["town_a"].code},
    ),
    Endpoint("recipients:import_template", "list", lambda w: "/recipients/import/template/"),
    Endpoint("recipients:detail", "detail", lambda w: f"/recipients/{_r(w)}/"),
    Endpoint("recipients:edit", "detail", lambda w: f"/recipients/{_r(w)}/edit/"),
    Endpoint("recipients:timeline", "detail", lambda w: f"/recipients/{_r(w)}/timeline/"),
    _post("recipients:status", "status/", lambda w: {"status": "deceased", "status_note": "越权"}),
    _post("recipients:risk", "risk/", lambda w: {"risk_tier": "3", "risk_reason": "越权"}),
    _post("recipients:membership_add", "categories/", lambda w: {"category": "1", "start_on": "2024-01-01"}),
    Endpoint(
        "recipients:membership_end",
        "write",
        lambda w: f"/recipients/{_r(w)}/categories/{w.extras['membership_a'].pk}/end/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    _post(
        "recipients:household_add",
        "household/",
        lambda w: {"kind": "member", "name": "越权", "relation": "子"},
    ),
    _post(
        "recipients:assessment_add",
        "assessments/",
        lambda w: {"assessed_on": "2024-01-01", "score_safety": "3"},
    ),
    _post(
        "recipients:event_add",
        "events/",
        lambda w: {"occurred_at": "2024-01-01T10:00", "description": "越权"},
    ),
    _post("recipients:reveal", "reveal/", lambda w: {"field": "id_number", "reason": "越权查看"}),
    Endpoint("shegong_recipients_api_list_recipients", "list", lambda w: "/api/v1/recipients", api=True),
    Endpoint(
        "shegong_recipients_api_create_recipient",
        "create",
        lambda w: "/api/v1/recipients",
        method="POST",
        api=True,
        body=lambda w: {
            "name": "越权",
            "id_number": "11010519491231002X",
            "region": w.regions["village_a2"].code,
        },
    ),
    Endpoint(
        "shegong_recipients_api_get_recipient", "detail", lambda w: f"/api/v1/recipients/{_r(w)}", api=True
    ),
    Endpoint(
        "shegong_recipients_api_update_recipient",
        "write",
        lambda w: f"/api/v1/recipients/{_r(w)}",
        method="PATCH",
        body=lambda w: {"name": "改名"},
        api=True,
    ),
    Endpoint(
        "shegong_recipients_api_reveal_recipient",
        "write",
        lambda w: f"/api/v1/recipients/{_r(w)}/reveal",
        method="POST",
        body=lambda w: {"field": "phone", "reason": "越权查看"},
        api=True,
    ),
]

"""The visit form's errors and the visit API's schema follow the service and the models."""

import uuid

import pytest
from django.utils import timezone

from shegong.recipients import services as recipient_services
from shegong.visits.models import FINDINGS
from tests.factories import VILLAGE_A1
from tests.recipients.helpers import make_recipient, system

pytestmark = pytest.mark.django_db


def _form(**extra) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "method": "home",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"f_{key}": "ok" for key, _label in FINDINGS})
    data.update(extra)
    return data


def test_a_closed_recipients_refusal_is_shown_once(world, login, client):
    person = make_recipient(VILLAGE_A1, name="结案老人")
    recipient_services.recipient_set_status(
        actor=system(), recipient=person, status="closed", note="迁出本市"
    )
    login(world.user_a)
    response = client.post(f"/visits/new/{person.pk}/", _form())
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len([e for e in errors if "请先更正档案状态" in e]) == 1
    assert response.content.decode().count("请先更正档案状态") == 1

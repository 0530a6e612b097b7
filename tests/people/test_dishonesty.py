"""A worker on the dishonesty list cannot be given a post for 2 years; the bar lapses by itself."""

import datetime
import json
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.people import services
from shegong.people.models import WorkerAssignment

from ..factories import DISTRICT, make_user
from .helpers import make_worker

LISTED = datetime.date(2025, 3, 10)


@pytest.fixture
def barred(world):
    official = Actor.for_user(make_user(("official", DISTRICT)))
    worker = make_worker(world.regions["town_a"], name="失信社工")
    services.dishonesty_add(
        actor=official, worker=worker, reason="未提前一个月申请即离职", listed_on=LISTED, today=LISTED
    )
    return worker


def test_listing_sets_a_two_year_bar_and_audits(barred):
    from shegong.audit.models import AuditEvent

    entry = barred.dishonesty.get()
    assert entry.bar_until == datetime.date(2027, 3, 10)
    assert AuditEvent.objects.filter(action="people.dishonesty.add", object_id=str(barred.pk)).exists()


def test_service_refuses_with_reason_and_end_date(barred, world):
    actor = Actor.for_user(world.user_a)
    with pytest.raises(ValidationError) as caught:
        services.assignment_create(
            actor=actor, worker=barred, node=world.station_a, today=datetime.date(2026, 6, 1)
        )
    message = " ".join(caught.value.messages)
    assert "未提前一个月申请即离职" in message and "2027-03-10" in message
    assert not WorkerAssignment.objects.filter(worker=barred).exists()


def test_a_reregistered_identity_is_barred_too(barred, world):
    """The list binds the person, not the row: the same ID number registered again elsewhere is refused."""
    actor = Actor.for_user(world.user_b)
    twin = make_worker(world.regions["town_b"], name="换个区登记", seq=2)
    twin.id_number = barred.id_number
    twin.save()
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=actor, worker=twin, node=world.station_b, today=datetime.date(2026, 1, 1)
        )


def test_page_refuses_and_says_why_and_until_when(barred, world, login, client):
    login(world.user_a)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 6, 1)):
        response = client.post(
            f"/people/workers/{barred.pk}/assign/",
            {"node": world.station_a.pk, "start_date": "2026-06-01", "full_time": "on", "post": "社工"},
        )
    assert response.status_code == 422
    text = response.content.decode()
    assert "未提前一个月申请即离职" in text and "2027-03-10" in text
    assert 'value="社工"' in text  # what the user typed stays on the form
    assert not WorkerAssignment.objects.filter(worker=barred).exists()


def test_api_refuses_with_reason_and_end_date(barred, world, login, client):
    login(world.user_a)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2026, 6, 1)):
        response = client.post(
            f"/api/v1/workers/{barred.pk}/assignments",
            json.dumps({"node": world.station_a.pk}),
            content_type="application/json",
        )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any("2027-03-10" in d["message"] and "未提前一个月申请即离职" in d["message"] for d in detail)


def test_after_two_years_the_bar_lapses(barred, world, login, client):
    login(world.user_a)
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2027, 3, 10)):
        response = client.post(
            f"/api/v1/workers/{barred.pk}/assignments",
            json.dumps({"node": world.station_a.pk}),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["start_date"] == "2027-03-10"
    # and the day before, it was still refused
    other = make_worker(world.regions["town_a"], name="另一位", seq=3)
    services.dishonesty_add(
        actor=Actor.for_user(world.official_a), worker=other, reason="违约", listed_on=LISTED, today=LISTED
    )
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=Actor.for_user(world.user_a),
            worker=other,
            node=world.station_a,
            today=datetime.date(2027, 3, 9),
        )


def test_only_the_bureau_can_list(world):
    worker = make_worker(world.regions["town_a"])
    operator = Actor.for_user(make_user("operator"))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.dishonesty_add(actor=operator, worker=worker, reason="x")

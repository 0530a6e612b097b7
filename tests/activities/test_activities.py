"""Community activities: volunteers' hours wait for confirmation, photos are checked, each activity and named
participant is counted in the same request, the page keeps what was typed, the API, the five-haves check, and
people served counted once across visits, groups and activities."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.activities import services
from shegong.activities.models import Activity
from shegong.core import tallies
from shegong.core.photos import MAX_PHOTO_BYTES, Photo
from shegong.network.selectors import five_haves
from shegong.people import services as people_services
from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerStatus
from shegong.recipients.selectors import timeline
from shegong.visits.services import visit_record
from tests.factories import TOWN_A, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import key, make_recipient, system, visit_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def worker():
    return Actor.for_user(make_user("worker", region_code=TOWN_A))


def data(**extra):
    return {"title": "反诈骗宣传进社区", "kind": "publicity", "held_on": TODAY, "participants": 30, **extra}


def volunteer(world, name="志愿者甲", **extra):
    return Volunteer.objects.create(
        region=world.regions["village_a1"], name=name, phone="13712345678", **extra
    )


def count(metric, code=TOWN_A):
    return tallies.totals([code], [metric], months=[TODAY])[metric]


def test_volunteers_hours_become_entries_awaiting_confirmation_and_count_once_confirmed(world):
    v1, v2 = volunteer(world), volunteer(world, "志愿者乙")
    activity, _ = services.activity_record(
        actor=worker(),
        node=world.station_a,
        data=data(),
        idempotency_key=uuid.uuid4(),
        volunteers=[(v1, Decimal("2")), (v2, Decimal("1.5"))],
    )
    entries = VolunteerHours.objects.filter(activity=activity).order_by("volunteer_id")
    assert [(e.volunteer_id, e.hours, e.status, e.served_on) for e in entries] == [
        (v1.pk, Decimal("2.0"), HoursStatus.LOGGED, TODAY),
        (v2.pk, Decimal("1.5"), HoursStatus.LOGGED, TODAY),
    ]
    assert count("volunteers.hours", VILLAGE_A1) == 0  # waiting hours are not counted
    people_services.hours_confirm(actor=worker(), entry=entries.get(volunteer=v1))
    assert count("volunteers.hours", VILLAGE_A1) == Decimal("2")
    people_services.hours_reject(actor=worker(), entry=entries.get(volunteer=v2), note="未到场")
    assert count("volunteers.hours", VILLAGE_A1) == Decimal("2")
    assert tallies.reconcile(fix=False) == []


def test_bad_volunteer_rows_and_unapproved_volunteers_are_refused_naming_them(world):
    v1 = volunteer(world)
    with pytest.raises(ValidationError) as caught:
        services.activity_record(
            actor=worker(),
            node=world.station_a,
            data=data(),
            idempotency_key=uuid.uuid4(),
            volunteers=[(v1, Decimal("30"))],
        )
    assert "志愿者甲" in caught.value.message_dict["volunteers"][0]
    pending = volunteer(world, "待审志愿者", status=VolunteerStatus.PENDING)
    with pytest.raises(ValidationError) as unapproved:
        services.activity_record(
            actor=worker(),
            node=world.station_a,
            data=data(),
            idempotency_key=uuid.uuid4(),
            volunteers=[(pending, Decimal("2"))],
        )
    assert "待审志愿者" in unapproved.value.message_dict["volunteers"][0]
    assert not Activity.objects.exists() and not VolunteerHours.objects.exists()
    assert count("activities.held") == 0


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (Photo("note.txt", b"just text"), "不是 JPEG、PNG 或 WebP 图片"),
        (Photo("huge.png", PNG + b"\x00" * MAX_PHOTO_BYTES), "超过 5 MB"),
    ],
)
def test_photos_are_checked_as_visits_check_them(world, photo, message):
    with pytest.raises(ValidationError) as caught:
        services.activity_record(
            actor=worker(), node=world.station_a, data=data(), idempotency_key=uuid.uuid4(), photos=[photo]
        )
    assert message in caught.value.message_dict["photos"][0]
    assert not Activity.objects.exists()


def test_a_good_photo_is_kept_encrypted_and_served_in_scope(world, client):
    activity, _ = services.activity_record(
        actor=worker(),
        node=world.station_a,
        data=data(),
        idempotency_key=uuid.uuid4(),
        photos=[Photo("a.png", PNG)],
    )
    photo = activity.photos.get()
    assert photo.content_type == "image/png" and photo.size == len(PNG)
    login_client(client, make_user("worker", region_code=TOWN_A))
    response = client.get(f"/activities/photos/{photo.pk}/")
    assert response.status_code == 200 and response.content == PNG


def test_other_checks_name_their_fields(world):
    recipient = make_recipient(VILLAGE_A1)
    cases = [
        (data(held_on=TODAY + datetime.timedelta(days=1)), [], "held_on"),
        (data(title=" "), [], "title"),
        (data(participants=1), [recipient, make_recipient(VILLAGE_A1, name="李奶奶")], "participants"),
        (data(starts_at=datetime.time(15), ends_at=datetime.time(14)), [], "ends_at"),
    ]
    for payload, named, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.activity_record(
                actor=worker(),
                node=world.station_a,
                data=payload,
                idempotency_key=uuid.uuid4(),
                recipients=named,
            )
        assert field in caught.value.message_dict, field


def test_recording_on_the_phone_page_counts_in_the_same_request_and_keeps_typed_input(world, client):
    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    v1 = volunteer(world)
    login_client(client, make_user("worker", region_code=TOWN_A))
    url = f"/activities/new/?node={world.station_a.pk}"
    assert client.get(url).status_code == 200
    form = {
        "node": world.station_a.pk,
        "idempotency_key": str(uuid.uuid4()),
        "title": "中秋邻里游园会",
        "kind": "festival",
        "held_on": TODAY.isoformat(),
        "participants": "",
        "recipients": [recipient.pk],
        "volunteer_0": v1.pk,
        "hours_0": "2",
    }
    response = client.post(url, form)
    body = response.content.decode()
    assert response.status_code == 200 and "请填写参与人数" in body
    assert 'value="中秋邻里游园会"' in body and f'<option value="{v1.pk}" selected>' in body
    assert count("activities.held") == 0
    response = client.post(url, {**form, "participants": "45"})
    assert response.status_code == 302
    assert count("activities.held") == 1
    assert count("served.people", VILLAGE_A1) == 1
    assert VolunteerHours.objects.get(volunteer=v1).status == HoursStatus.LOGGED
    assert any("中秋邻里游园会" in e.summary for e in timeline(recipient))
    station = client.get("/dashboards/station/").content.decode()
    assert 'id="kpi-activities"' in station and 'id="work-data"' in station


def test_the_api_records_an_activity_idempotently_and_strictly(world, client):
    v1 = volunteer(world)
    recipient = make_recipient(VILLAGE_A1)
    login_client(client, make_user("worker", region_code=TOWN_A))
    body = {
        "node": world.station_a.pk,
        "idempotency_key": str(uuid.uuid4()),
        "title": "长者健康义诊",
        "kind": "health",
        "held_on": TODAY.isoformat(),
        "starts_at": "09:00",
        "participants": 40,
        "recipients": [recipient.pk],
        "volunteers": [{"volunteer": v1.pk, "hours": "2.5"}],
        "organisations": [world.org_a.pk],
    }
    first = client.post("/api/v1/activities", body, content_type="application/json")
    assert first.status_code == 201, first.content
    out = first.json()
    assert out["recipients"] == [recipient.pk] and out["organisations"] == [world.org_a.pk]
    assert out["volunteers"] == [{"volunteer": v1.pk, "hours": "2.5", "status": "logged"}]
    again = client.post("/api/v1/activities", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == out["id"]
    assert Activity.objects.count() == 1 and VolunteerHours.objects.count() == 1
    bad = client.post(
        "/api/v1/activities",
        {**body, "kind": "party", "idempotency_key": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    other = client.post(
        "/api/v1/activities",
        {**body, "idempotency_key": str(uuid.uuid4()), "node": world.station_b.pk},
        content_type="application/json",
    )
    assert other.status_code == 404
    assert client.get("/api/v1/activities").json()["count"] == 1


def test_the_five_haves_check_keeps_reading_activities(world):
    before = five_haves([world.station_a])[world.station_a.pk]
    assert not before.activities
    services.activity_record(actor=system(), node=world.station_a, data=data(), idempotency_key=uuid.uuid4())
    after = five_haves([world.station_a])[world.station_a.pk]
    assert after.activities and after.recent_activities == 1


def test_a_person_visited_in_a_group_and_at_an_activity_is_served_once_a_month(world):
    from shegong.groups import services as group_services
    from shegong.people.models import SocialWorker

    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    visit_record(actor=worker(), recipient=recipient, data=visit_data(), idempotency_key=key())
    assert count("served.people", VILLAGE_A1) == 1
    services.activity_record(
        actor=worker(),
        node=world.station_a,
        data=data(),
        idempotency_key=uuid.uuid4(),
        recipients=[recipient],
    )
    leader = SocialWorker.objects.create(region=world.regions["town_a"], name="组长")
    group = group_services.group_create(
        actor=system(),
        data={
            "node": world.station_a,
            "name": "小组",
            "kind": "social",
            "purpose": "目标",
            "leader": leader,
            "starts_on": TODAY - datetime.timedelta(days=5),
        },
    )
    member = group_services.member_add(
        actor=system(), group=group, recipient=recipient, joined_on=TODAY - datetime.timedelta(days=5)
    )
    group_services.session_record(
        actor=system(),
        group=group,
        data={"held_on": TODAY, "place": "室", "content": "内容"},
        present=[member.pk],
        idempotency_key=uuid.uuid4(),
    )
    assert count("served.people", VILLAGE_A1) == 1
    assert count("activities.held") == 1 and count("groups.sessions") == 1
    assert tallies.reconcile(fix=False) == []


def test_the_regions_page_shows_this_months_activities_and_sessions_per_child(world, client):
    services.activity_record(actor=system(), node=world.station_a, data=data(), idempotency_key=uuid.uuid4())
    login_client(client, world.official_a)
    page = client.get(f"/regions/{world.regions['district'].code}/").content.decode()
    assert "本月社区活动" in page and "本月小组活动" in page
    assert f"/activities/?under={TOWN_A}" in page

"""A group's meeting schedule (每周/每两周, a weekday, a time, a place): the next session due computed from it at its
boundaries, setting it on the pages and the API (a clear error naming the field), the worker's "today" list and
the station head's, and the phone's download."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from shegong.groups import selectors, services
from shegong.groups.models import Group
from shegong.groups.selectors import NextSession, next_session
from tests.cases.helpers import make_worker
from tests.factories import TOWN_A, login_client, make_user
from tests.recipients.helpers import system

# A Wednesday, so the weeks below read plainly.
WED = datetime.date(2026, 3, 4)
MON, TUE = WED - datetime.timedelta(days=2), WED - datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def due(*, meets="weekly", weekday=2, starts_on=WED, planned=6, held=0, last=None, ended=False, today=WED):
    return next_session(
        meets=meets,
        weekday=weekday,
        starts_on=starts_on,
        planned=planned,
        held=held,
        last_held_on=last,
        ended=ended,
        today=today,
    )


# -- the computation, pure ----------------------------------------------------------------------------------------


def test_the_first_session_is_due_on_the_start_day_when_it_is_the_meeting_day():
    assert due(today=WED) == NextSession(1, WED)
    assert due(today=MON) == NextSession(1, WED)  # before the start: not yet late


def test_a_start_day_before_the_weekday_waits_for_the_first_meeting_day():
    assert due(starts_on=MON, today=MON) == NextSession(1, WED)
    # Starting the day after the meeting weekday: the first meeting is the next week's.
    assert due(starts_on=WED + datetime.timedelta(days=1), today=WED) == NextSession(1, WED + WEEK)


def test_a_session_held_today_moves_the_next_one_to_next_week():
    assert due(held=1, last=WED, today=WED) == NextSession(2, WED + WEEK)


def test_a_skipped_week_is_missed_and_the_numbers_do_not_shift():
    # Session 1 held on the start day; nothing on the second Wednesday; today is the Monday after.
    late = due(held=1, last=WED, today=WED + 2 * WEEK - datetime.timedelta(days=2))
    assert late == NextSession(2, WED + 2 * WEEK, missed=WED + WEEK)
    assert late.due_on == WED + WEEK and late.days_late(WED + 2 * WEEK - datetime.timedelta(days=2)) == 5
    # On the third Wednesday it meets today, the missed week still reported.
    assert due(held=1, last=WED, today=WED + 2 * WEEK) == NextSession(2, WED + 2 * WEEK, missed=WED + WEEK)
    # Held that day: nothing late any more, session 3 the week after.
    assert due(held=2, last=WED + 2 * WEEK, today=WED + 2 * WEEK) == NextSession(3, WED + 3 * WEEK)


def test_a_session_moved_a_day_or_two_stands_for_its_weeks_meeting():
    assert due(held=1, last=WED, today=WED + WEEK) == NextSession(2, WED + WEEK)
    # Held on the Tuesday before the second Wednesday: that Wednesday is not due again; the third one is.
    tuesday = WED + WEEK - datetime.timedelta(days=1)
    assert due(held=2, last=tuesday, today=tuesday) == NextSession(3, WED + 2 * WEEK)
    assert due(held=2, last=tuesday, today=WED + WEEK) == NextSession(3, WED + 2 * WEEK)
    # Held on the Friday after the second Wednesday (late that week): the third Wednesday is next, not missed.
    friday = WED + WEEK + datetime.timedelta(days=2)
    assert due(held=2, last=friday, today=friday) == NextSession(3, WED + 2 * WEEK)


def test_the_last_planned_session_is_due_and_then_none():
    assert due(planned=3, held=2, last=WED + WEEK, today=WED + 2 * WEEK) == NextSession(3, WED + 2 * WEEK)
    assert due(planned=3, held=3, last=WED + 2 * WEEK, today=WED + 3 * WEEK) is None


def test_an_ended_or_unscheduled_group_owes_nothing():
    assert due(ended=True) is None
    assert due(meets="") is None
    assert due(weekday=None) is None


def test_a_biweekly_group_does_not_meet_on_its_off_week():
    biweekly = {"meets": "biweekly", "held": 1, "last": WED}
    assert due(**biweekly, today=WED + WEEK) == NextSession(2, WED + 2 * WEEK)  # off week: nothing due
    assert due(**biweekly, today=WED + 2 * WEEK) == NextSession(2, WED + 2 * WEEK)  # on week: today
    # Missed on its on week, the off week after shows it late with the next meeting a fortnight on.
    assert due(**biweekly, today=WED + 3 * WEEK) == NextSession(2, WED + 4 * WEEK, missed=WED + 2 * WEEK)


# -- setting it ---------------------------------------------------------------------------------------------------


@pytest.fixture
def leader(world):
    user = make_user("worker", region_code=TOWN_A, display_name="社工小张")
    return make_worker(TOWN_A, "张晓", user)


def make_group(world, leader, **extra) -> Group:
    data = {
        "node": world.station_a,
        "name": "独居长者互助小组",
        "kind": "support",
        "purpose": "减少孤独感",
        "leader": leader,
        "planned_sessions": 6,
        "starts_on": datetime.date.today() - 3 * WEEK,
        **extra,
    }
    return services.group_create(actor=system(), data=data)


def meeting_today(**extra) -> dict:
    return {
        "meets": "weekly",
        "meets_weekday": datetime.date.today().weekday(),
        "meets_at": datetime.time(14, 30),
        **extra,
    }


@pytest.mark.django_db
def test_the_service_names_the_missing_part_of_a_schedule(world, leader):
    group = make_group(world, leader)
    with pytest.raises(ValidationError) as no_time:
        services.group_schedule(actor=system(), group=group, data={"meets": "weekly", "meets_weekday": 2})
    assert set(no_time.value.message_dict) == {"meets_at"}
    with pytest.raises(ValidationError) as no_rhythm:
        services.group_schedule(actor=system(), group=group, data={"meets_weekday": 2})
    assert set(no_rhythm.value.message_dict) == {"meets"}
    services.group_schedule(actor=system(), group=group, data=meeting_today(meets_place="活动室"))
    group.refresh_from_db()
    assert (group.meets, group.meets_at, group.meets_place) == ("weekly", datetime.time(14, 30), "活动室")
    services.group_schedule(actor=system(), group=group, data={"meets": ""})
    group.refresh_from_db()
    assert (group.meets, group.meets_weekday, group.meets_at) == ("", None, None)


@pytest.mark.django_db
def test_the_pages_set_the_schedule_at_creation_and_later(world, leader, client):
    login_client(client, make_user("worker", region_code=TOWN_A))
    form = {
        "node": world.station_a.pk,
        "name": "照顾者减压小组",
        "kind": "support",
        "purpose": "缓解压力",
        "leader": leader.pk,
        "planned_sessions": "6",
        "starts_on": datetime.date.today().isoformat(),
        "meets": "biweekly",
        "meets_weekday": "3",
    }
    refused = client.post("/groups/new/", form)
    assert refused.status_code == 200 and not Group.objects.exists()
    assert "请填写活动时间" in refused.context["form"].errors["meets_at"][0]
    created = client.post("/groups/new/", {**form, "meets_at": "14:30"})
    group = Group.objects.get()
    assert created.status_code == 302 and (group.meets, group.meets_weekday) == ("biweekly", 3)
    assert "每两周周四 14:30" in client.get(f"/groups/{group.pk}/").content.decode()

    assert client.get(f"/groups/{group.pk}/schedule/").status_code == 200
    bad = client.post(f"/groups/{group.pk}/schedule/", {"meets": "weekly", "meets_weekday": "1"})
    assert bad.status_code == 200 and "meets_at" in bad.context["form"].errors
    done = client.post(
        f"/groups/{group.pk}/schedule/",
        {"meets": "weekly", "meets_weekday": "1", "meets_at": "09:30", "meets_place": "二楼活动室"},
    )
    group.refresh_from_db()
    assert done.status_code == 302 and (group.meets, group.meets_weekday, group.meets_place) == (
        "weekly",
        1,
        "二楼活动室",
    )
    from shegong.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="groups.group.schedule", object_id=str(group.pk)).exists()


@pytest.mark.django_db
def test_the_api_sets_the_schedule_and_a_missing_part_is_a_422_naming_it(world, leader, client):
    login_client(client, make_user("worker", region_code=TOWN_A))
    body = {
        "node": world.station_a.pk,
        "name": "慢病自我管理小组",
        "kind": "educational",
        "purpose": "掌握用药",
        "leader": leader.pk,
        "starts_on": datetime.date.today().isoformat(),
    }
    plain = client.post("/api/v1/groups", body, content_type="application/json")
    assert plain.status_code == 201 and plain.json()["meets"] == "" and plain.json()["next_session"] is None
    group_id = plain.json()["id"]
    url = f"/api/v1/groups/{group_id}/schedule"
    missing = client.put(url, {"meets": "weekly", "meets_at": "14:30"}, content_type="application/json")
    assert missing.status_code == 422 and "meets_weekday" in missing.content.decode()
    today = datetime.date.today()
    ok = client.put(
        url,
        {"meets": "weekly", "meets_weekday": today.weekday(), "meets_at": "14:30"},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["meets_at"] == "14:30"
    assert ok.json()["next_session"] == {"number": 1, "on": today.isoformat(), "missed": None}
    created = client.post(
        "/api/v1/groups",
        {**body, "meets": "biweekly", "meets_weekday": 0, "meets_at": "09:00", "meets_place": "活动室"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["meets"] == "biweekly"


# -- the today list -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worklist_shows_a_group_meeting_today_to_its_leader_not_to_another_worker(world, leader, client):
    group = make_group(
        world, leader, starts_on=datetime.date.today(), **meeting_today(meets_place="多功能厅")
    )
    other = make_user("worker", region_code=TOWN_A)
    make_worker(TOWN_A, "李明", other)
    login_client(client, leader.user)
    page = client.get("/visits/worklist/").content.decode()
    assert "今天的小组活动" in page and group.name in page and "14:30" in page
    assert f"/groups/{group.pk}/sessions/new/" in page
    login_client(client, other)
    assert group.name not in client.get("/visits/worklist/").content.decode()
    # The station head (no worker record) sees the station's groups meeting today, with the leader's name.
    login_client(client, make_user("township", region_code=TOWN_A))
    page = client.get("/visits/worklist/", {"station": world.station_a.pk}).content.decode()
    assert group.name in page and "张晓" in page


@pytest.mark.django_db
def test_a_missed_meeting_day_is_an_overdue_item_until_a_session_is_recorded(world, leader, client):
    today = datetime.date.today()
    yesterday = today - datetime.timedelta(days=1)
    group = make_group(
        world,
        leader,
        starts_on=today - datetime.timedelta(days=3),
        **meeting_today(meets_weekday=yesterday.weekday()),
    )
    items = selectors.worklist_items(worker_id=leader.pk, today=today)
    assert [(i.kind, i.title, i.days_late) for i in items] == [("group", group.name, 1)]
    assert selectors.worklist_items(station_id=world.station_a.pk, today=today)[0].worker_name == "张晓"
    login_client(client, leader.user)
    assert group.name in client.get("/visits/worklist/").content.decode()
    member = services.member_add(actor=system(), group=group, name="居民甲", joined_on=group.starts_on)
    services.session_record(
        actor=system(),
        group=group,
        data={"held_on": yesterday, "place": "活动室", "content": "破冰"},
        present=[member.pk],
        idempotency_key=uuid.uuid4(),
    )
    assert selectors.worklist_items(worker_id=leader.pk, today=today) == []
    assert group.name not in client.get("/visits/worklist/").content.decode()

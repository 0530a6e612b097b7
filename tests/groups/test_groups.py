"""Group work: stages, members, sessions with attendance (idempotent, counted in the same request), the grid,
the phone page keeping what was typed, the API, and the recipient's timeline."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.core import tallies
from shegong.groups import selectors, services
from shegong.groups.models import Attendance, GroupSession, GroupStage
from shegong.people.models import SocialWorker
from shegong.recipients.selectors import timeline
from tests.factories import TOWN_A, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import make_recipient, system

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
AGO = TODAY - datetime.timedelta(days=40)


def worker():
    return Actor.for_user(make_user("worker", region_code=TOWN_A))


def make_group(world, **extra):
    leader = SocialWorker.objects.create(region=world.regions["town_a"], name="组长")
    data = {
        "node": world.station_a,
        "name": "独居长者互助小组",
        "kind": "support",
        "purpose": "减少孤独感",
        "leader": leader,
        "planned_sessions": 6,
        "starts_on": AGO,
        **extra,
    }
    return services.group_create(actor=system(), data=data)


def count(metric, code=TOWN_A):
    return tallies.totals([code], [metric], months=[TODAY])[metric]


def test_stages_move_one_step_at_a_time_and_end_early_only_with_a_reason(world):
    group = make_group(world)
    actor = worker()
    with pytest.raises(ValidationError) as skipped:
        services.group_advance(actor=actor, group=group, to=GroupStage.TRANSITION)
    assert (
        "筹备期" in skipped.value.message_dict["stage"][0]
        and "形成期" in skipped.value.message_dict["stage"][0]
    )
    for stage in (GroupStage.FORMING, GroupStage.TRANSITION, GroupStage.MATURE, GroupStage.ENDED):
        services.group_advance(actor=actor, group=group, to=stage)
        group.refresh_from_db()
        assert group.stage == stage
    with pytest.raises(ValidationError, match="已经结束"):
        services.group_advance(actor=actor, group=group, to=GroupStage.ENDED, reason="再次")

    early = make_group(world, name="提前结束的小组")
    with pytest.raises(ValidationError) as no_reason:
        services.group_advance(actor=actor, group=early, to=GroupStage.ENDED)
    assert "reason" in no_reason.value.message_dict
    services.group_advance(actor=actor, group=early, to=GroupStage.ENDED, reason="场地改造暂停")
    early.refresh_from_db()
    assert early.stage == GroupStage.ENDED and early.ended_reason == "场地改造暂停"
    with pytest.raises(ValidationError, match="已经结束"):
        services.member_add(actor=actor, group=early, name="张三")


def test_stage_change_is_refused_without_the_permission(world):
    from django.core.exceptions import PermissionDenied

    group = make_group(world)
    official = Actor.for_user(make_user("official", region_code=TOWN_A))
    with pytest.raises(PermissionDenied):
        services.group_advance(actor=official, group=group, to=GroupStage.FORMING)


def test_members_are_recipients_or_residents_with_a_checked_phone(world):
    group = make_group(world)
    actor = worker()
    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    services.member_add(actor=actor, group=group, recipient=recipient, joined_on=AGO)
    with pytest.raises(ValidationError, match="已经是小组成员"):
        services.member_add(actor=actor, group=group, recipient=recipient)
    with pytest.raises(ValidationError) as nobody:
        services.member_add(actor=actor, group=group)
    assert "recipient" in nobody.value.message_dict
    with pytest.raises(ValidationError) as bad_phone:
        services.member_add(actor=actor, group=group, name="王大爷", phone="12345")
    assert "phone" in bad_phone.value.message_dict
    resident = services.member_add(
        actor=actor, group=group, name="王大爷", phone="13912345678", joined_on=AGO
    )
    resident.refresh_from_db()
    assert resident.display_name == "王大爷" and resident.resident_phone == "13912345678"
    from django.db import connection  # the stored column holds ciphertext, not the phone

    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_phone FROM groups_groupmember WHERE id = %s", [resident.pk])
        assert "13912345678" not in str(cursor.fetchone()[0])


def _session(group, present, day, **extra):
    return services.session_record(
        actor=system(),
        group=group,
        data={"held_on": day, "place": "活动室", "content": "破冰", **extra},
        present=present,
        idempotency_key=uuid.uuid4(),
    )[0]


def test_attendance_grid_is_member_by_session(world):
    group = make_group(world)
    early = services.member_add(actor=system(), group=group, name="早到", joined_on=AGO)
    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    late = services.member_add(
        actor=system(), group=group, recipient=recipient, joined_on=TODAY - datetime.timedelta(days=10)
    )
    _session(group, [early.pk], TODAY - datetime.timedelta(days=20))
    _session(group, [late.pk], TODAY - datetime.timedelta(days=5))
    grid = selectors.attendance_grid(group)
    assert [s.number for s in grid.sessions] == [1, 2]
    rows = {m.pk: (cells, n) for m, cells, n in grid.rows}
    assert rows[early.pk] == ([True, False], 1)
    assert rows[late.pk] == ([None, True], 1)  # not yet a member at the first session
    assert grid.totals == [1, 1]


def test_a_session_is_idempotent_checks_membership_and_scores(world):
    group = make_group(world)
    member = services.member_add(actor=system(), group=group, name="甲", joined_on=AGO)
    other = make_group(world, name="别的小组")
    stranger = services.member_add(actor=system(), group=other, name="乙", joined_on=AGO)
    key = uuid.uuid4()
    data = {"held_on": TODAY, "place": "活动室", "content": "内容"}
    with pytest.raises(ValidationError) as caught:
        services.session_record(
            actor=system(), group=group, data=data, present=[stranger.pk], idempotency_key=key
        )
    assert "present" in caught.value.message_dict
    with pytest.raises(ValidationError) as bad_score:
        services.session_record(
            actor=system(),
            group=group,
            data=data,
            present=[member.pk],
            measures={member.pk: (120, None)},
            idempotency_key=key,
        )
    assert "甲" in bad_score.value.message_dict["measures"][0]
    with pytest.raises(ValidationError) as future:
        services.session_record(
            actor=system(),
            group=group,
            data={**data, "held_on": TODAY + datetime.timedelta(days=1)},
            present=[],
            idempotency_key=key,
        )
    assert "held_on" in future.value.message_dict
    first, created = services.session_record(
        actor=system(),
        group=group,
        data=data,
        present=[member.pk],
        measures={member.pk: (40, 80)},
        idempotency_key=key,
    )
    again, created_again = services.session_record(
        actor=system(), group=group, data=data, present=[member.pk], idempotency_key=key
    )
    assert created and not created_again and first.pk == again.pk
    assert GroupSession.objects.filter(group=group).count() == 1
    mark = Attendance.objects.get(session=first, member=member)
    assert (mark.present, mark.pre_score, mark.post_score) == (True, 40, 80)
    assert count("groups.sessions") == 1


def test_recording_a_session_on_the_phone_page_counts_it_in_the_same_request(world, client):
    group = make_group(world)
    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    member = services.member_add(actor=system(), group=group, recipient=recipient, joined_on=AGO)
    absent = services.member_add(actor=system(), group=group, name="缺席者", joined_on=AGO)
    login_client(client, make_user("worker", region_code=TOWN_A))
    url = f"/groups/{group.pk}/sessions/new/"
    page = client.get(url)
    assert page.status_code == 200 and "李奶奶" in page.content.decode()
    key = str(uuid.uuid4())
    # A missing field: the form comes back with what was typed and ticked.
    response = client.post(
        url,
        {
            "idempotency_key": key,
            "held_on": TODAY.isoformat(),
            "place": "三楼活动室",
            "content": "",
            "present": [member.pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "请填写活动内容" in body
    assert 'value="三楼活动室"' in body and f'value="{member.pk}" checked' in body
    assert f'value="{absent.pk}" checked' not in body
    assert count("groups.sessions") == 0
    response = client.post(
        url,
        {
            "idempotency_key": key,
            "held_on": TODAY.isoformat(),
            "place": "三楼活动室",
            "content": "分享近况",
            "present": [member.pk],
            f"pre_{member.pk}": "55",
        },
    )
    assert response.status_code == 302
    assert count("groups.sessions") == 1
    assert count("served.people", VILLAGE_A1) == 1
    assert tallies.reconcile(fix=False) == []
    detail = client.get(f"/groups/{group.pk}/").content.decode()
    assert 'id="attendance-grid"' in detail and "✓" in detail and "✗" in detail
    assert any("独居长者互助小组" in e.summary for e in timeline(recipient))


def test_the_api_records_a_session_and_answers_a_retry_with_the_first(world, client):
    group = make_group(world)
    member = services.member_add(actor=system(), group=group, name="甲", joined_on=AGO)
    login_client(client, make_user("worker", region_code=TOWN_A))
    body = {
        "group": group.pk,
        "idempotency_key": str(uuid.uuid4()),
        "held_on": TODAY.isoformat(),
        "place": "活动室",
        "content": "破冰",
        "present": [member.pk],
        "measures": [{"member": member.pk, "pre": 30}],
    }
    first = client.post("/api/v1/group-sessions", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["attendance"] == [{"member": member.pk, "present": True, "pre": 30, "post": None}]
    again = client.post("/api/v1/group-sessions", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(
        "/api/v1/group-sessions",
        {**body, "idempotency_key": str(uuid.uuid4()), "place": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    extra = client.post(
        "/api/v1/groups", {"node": world.station_a.pk, "surprise": 1}, content_type="application/json"
    )
    assert extra.status_code == 422
    stage = client.post(f"/api/v1/groups/{group.pk}/stage", {"to": "mature"}, content_type="application/json")
    assert stage.status_code == 422 and stage.json()["detail"][0]["field"] == "stage"
    listed = client.get("/api/v1/groups").json()
    assert listed["count"] == 1 and listed["results"][0]["name"] == "独居长者互助小组"
    assert Decimal(tallies.totals([TOWN_A], ["groups.sessions"])["groups.sessions"]) == 1


def test_the_group_export_is_a_workbook(world, client):
    make_group(world)
    login_client(client, make_user("township", region_code=TOWN_A))
    response = client.get("/groups/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")

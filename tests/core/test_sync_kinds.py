"""The field app's kinds beyond the visit: case notes, the case-plan edit, group attendance, activities and requests
found in the field — each answered once per key (idempotency), each download section incremental by the cursor,
and a refusal coming back with the service's message."""

import datetime
import uuid

import pytest
from django.test import Client

from shegong.activities.models import Activity
from shegong.cases import services as case_services
from shegong.cases.models import Case, InterventionNote, Plan
from shegong.core import sync
from shegong.core.actors import actor_of_user
from shegong.core.models import SyncConflict, SyncReceipt
from shegong.demands.models import DemandRequest
from shegong.groups import services as group_services
from shegong.groups.models import Attendance, Group, GroupMember, GroupSession
from shegong.network.models import ServiceNode

from ..cases import helpers as cases
from ..demands.helpers import item
from ..factories import PASSWORD, login_client

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
PAST = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)


@pytest.fixture
def field(world):
    """The casework world (cases.helpers) with the lead worker's phone enrolled: one case in intervention, one just
    opened, a group the worker leads with two members, and a request dispatched to the worker."""
    cw = cases.build(world)
    active = cases.to_intervention(cw, cases.open_case(cw))
    fresh = case_services.case_open(
        actor=cw.lead,
        station=world.station_a,
        worker=cw.worker,
        data=cases.open_data(None, resident_name="赵大爷"),
    )
    group = group_services.group_create(
        actor=cases.system(),
        data={
            "node": world.station_a,
            "name": "独居长者互助小组",
            "kind": "support",
            "purpose": "减少孤独感",
            "leader": cw.worker,
            "planned_sessions": 6,
            "starts_on": TODAY - datetime.timedelta(days=30),
        },
    )
    members = [
        group_services.member_add(
            actor=cases.system(), group=group, recipient=cw.recipient, joined_on=group.starts_on
        ),
        group_services.member_add(
            actor=cases.system(), group=group, name="居民甲", joined_on=group.starts_on
        ),
    ]
    from shegong.demands import services as demand_services

    req = demand_services.request_create(
        actor=cases.system(),
        data={"description": "需要助餐送餐服务", "channel": "phone", "recipient": cw.recipient},
    )
    demand_services.request_dispatch(
        actor=cases.system(), req=req, item=item(), urgency="general", kind="worker", receiver=cw.worker
    )
    client = login_client(Client(), cw.worker_user)
    device = uuid.uuid4()
    answer = client.post(
        "/api/v1/sync/unlock", {"device": str(device), "password": PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    return {
        "cw": cw,
        "case": active,
        "fresh": fresh,
        "group": group,
        "members": members,
        "request": req,
        "client": client,
        "device": device,
    }


def _download(f, cursor=""):
    answer = f["client"].get("/api/v1/sync/download", {"device": str(f["device"]), "cursor": cursor})
    assert answer.status_code == 200, answer.content
    return answer.json()


def _upload(f, records):
    answer = f["client"].post(
        "/api/v1/sync/upload",
        {"device": str(f["device"]), "records": records},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _record(kind, payload, key=None):
    return {"key": str(key or uuid.uuid4()), "kind": kind, "payload": payload}


def _note(case, **extra):
    payload = {
        "case": case.pk,
        "noted_on": TODAY.isoformat(),
        "method": "home",
        "content": "上门陪伴，情绪平稳",
        **extra,
    }
    return _record("case.note", payload)


def _attendance(f, **extra):
    payload = {
        "group": f["group"].pk,
        "held_on": TODAY.isoformat(),
        "place": "社工站活动室",
        "content": "手工编织",
        "present": [f["members"][0].pk],
        **extra,
    }
    return _record("group.attendance", payload)


def _later_cursor(f, first):
    """A cursor standing well after everything the fixture wrote (which is moved back to yesterday)."""
    user = f["cw"].worker_user
    later = sync.read_cursor(first["cursor"], user.pk)
    return sync.make_cursor(user.pk, later)


def _age_everything():
    Case.objects.update(updated_at=PAST)
    Plan.objects.update(updated_at=PAST)
    Group.objects.update(updated_at=PAST)
    GroupMember.objects.update(updated_at=PAST)
    GroupSession.objects.update(created_at=PAST)
    ServiceNode.objects.update(updated_at=PAST)
    from shegong.demands.models import DemandEvent

    DemandRequest.objects.update(created_at=PAST)
    DemandEvent.objects.update(at=PAST)


# -- case notes ------------------------------------------------------------------------------------------------


def test_a_case_note_sent_twice_is_written_once(field):
    record = _note(field["case"])
    (first,) = _upload(field, [record])
    assert first["status"] == "saved"
    (again,) = _upload(field, [record])
    assert again["status"] == "saved" and again["repeat"] and again["id"] == first["id"]
    note = InterventionNote.objects.get()
    assert note.idempotency_key == uuid.UUID(record["key"]) and note.content == "上门陪伴，情绪平稳"
    assert SyncReceipt.objects.filter(kind="case.note").count() == 1


def test_a_note_the_case_cannot_take_comes_back_with_the_stage_message_and_can_be_resent(field):
    record = _note(field["fresh"])
    (answer,) = _upload(field, [record])
    assert answer["status"] == "rejected"
    assert answer["errors"] == [{"field": "stage", "message": "服务计划批准后才能记录介入"}]
    assert not InterventionNote.objects.exists() and not SyncReceipt.objects.exists()
    (bad,) = _upload(field, [_note(field["case"], method="dance", content="")])
    assert {e["field"] for e in bad["errors"]} == {"method", "content"}


def test_the_cases_section_sends_only_the_workers_open_cases_changed_since_the_cursor(field):
    first = _download(field)
    section = first["sections"]["cases"]
    rows = {r["id"]: r for r in section["rows"]}
    assert set(rows) == {field["case"].pk, field["fresh"].pk} == set(section["keep"])
    assert rows[field["case"].pk]["stage_label"] == "介入" and rows[field["case"].pk]["can_note"] is True
    assert rows[field["case"].pk]["recipient"] == field["cw"].recipient.pk
    assert "presenting_problem" not in rows[field["case"].pk]
    assert [s["label"] for s in rows[field["fresh"].pk]["steps"]]
    assert section["methods"][0][0] == "home"
    _age_everything()
    cursor = _later_cursor(field, first)
    assert _download(field, cursor)["sections"]["cases"]["rows"] == []
    Case.objects.filter(pk=field["fresh"].pk).update(updated_at=datetime.datetime.now(datetime.UTC))
    again = _download(field, cursor)["sections"]["cases"]
    assert [r["id"] for r in again["rows"]] == [field["fresh"].pk]
    assert len(again["keep"]) == 2


# -- the case plan, a shared record ----------------------------------------------------------------------------


@pytest.fixture
def drafted(field):
    cw = field["cw"]
    case = cases.open_case(cw)
    cases.assess(cw, case)
    cases.plan(cw, case)
    case.refresh_from_db()
    row = next(r for r in _download(field)["sections"]["cases"]["rows"] if r["id"] == case.pk)
    assert row["plan"]["text"] == "每周一次上门陪伴，链接助餐"
    return case, row


def _plan_edit(case, row, text):
    return {
        "key": str(uuid.uuid4()),
        "kind": "case.plan",
        "captured_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "payload": {"id": case.pk, "base": row["plan"]["versions"], "values": {"text": text}},
    }


def test_a_plan_edit_on_an_unchanged_plan_applies_once(field, drafted):
    case, row = drafted
    record = _plan_edit(case, row, "每周两次上门陪伴")
    (answer,) = _upload(field, [record])
    assert answer["status"] == "saved" and answer["applied"] == ["text"]
    assert Plan.objects.get(case=case).text == "每周两次上门陪伴"
    assert case.goals.count() == 1  # the goals stay as they were
    (again,) = _upload(field, [record])
    assert again["repeat"] and not SyncConflict.objects.exists()


def test_a_stale_plan_edit_is_a_conflict_the_station_head_resolves_field_by_field(field, drafted):
    from shegong.cases import services

    case, row = drafted
    cw = field["cw"]
    services.case_plan_save(
        actor=cw.head,
        case=case,
        text="站长改：每周一次陪伴并链接助餐",
        goals=[
            {"title": "情绪改善", "indicator": "量表下降", "target_on": TODAY + datetime.timedelta(days=30)}
        ],
    )
    (answer,) = _upload(field, [_plan_edit(case, row, "社工改：每周两次上门")])
    assert answer["status"] == "conflict" and answer["fields"] == ["text"]
    assert Plan.objects.get(case=case).text == "站长改：每周一次陪伴并链接助餐"
    conflict = SyncConflict.objects.get()
    assert conflict.kind == "case.plan" and conflict.object_id == str(case.pk)
    assert conflict.fields["text"] == {
        "server": "站长改：每周一次陪伴并链接助餐",
        "device": "社工改：每周两次上门",
    }
    assert conflict.server_user_name == "陈站长"
    head = actor_of_user(cw.head_user.pk)
    assert sync.conflicts_visible(head).filter(pk=conflict.pk).exists()
    sync.conflict_resolve(actor=head, conflict=conflict, choices={"text": "device"})
    assert Plan.objects.get(case=case).text == "社工改：每周两次上门"
    assert SyncConflict.objects.get().status == "resolved"


def test_a_plan_already_submitted_refuses_the_edit_with_the_stage_message(field, drafted):
    from shegong.cases import services

    case, row = drafted
    services.case_plan_submit(actor=field["cw"].lead, case=case)
    (answer,) = _upload(field, [_plan_edit(case, row, "提交后再改")])
    assert answer["status"] == "rejected" and answer["errors"][0]["field"] == "stage"
    assert not SyncConflict.objects.exists()


# -- group attendance ------------------------------------------------------------------------------------------


def test_attendance_sent_twice_is_one_session_with_one_register(field):
    record = _attendance(field)
    (first,) = _upload(field, [record])
    assert first["status"] == "saved"
    (again,) = _upload(field, [record])
    assert again["repeat"] and again["id"] == first["id"]
    session = GroupSession.objects.get()
    assert session.idempotency_key == uuid.UUID(record["key"])
    assert {(a.member_id, a.present) for a in Attendance.objects.all()} == {
        (field["members"][0].pk, True),
        (field["members"][1].pk, False),
    }


def test_attendance_for_an_ended_group_stays_with_the_groups_message(field):
    group_services.group_advance(actor=cases.system(), group=field["group"], to="ended", reason="成员搬迁")
    (answer,) = _upload(field, [_attendance(field)])
    assert answer["status"] == "rejected"
    assert answer["errors"] == [{"field": "group", "message": "小组已经结束，不能再记录活动"}]
    assert not GroupSession.objects.exists()


def test_the_groups_section_is_incremental(field):
    first = _download(field)
    (row,) = first["sections"]["groups"]["rows"]
    assert row["id"] == field["group"].pk and sorted(m["name"] for m in row["members"]) == [
        "刘奶奶",
        "居民甲",
    ]
    _age_everything()
    cursor = _later_cursor(field, first)
    assert _download(field, cursor)["sections"]["groups"]["rows"] == []
    group_services.member_leave(
        actor=cases.system(), member=field["members"][1], left_on=TODAY - datetime.timedelta(days=1)
    )
    again = _download(field, cursor)["sections"]["groups"]
    assert [m["name"] for m in again["rows"][0]["members"]] == ["刘奶奶"]
    assert again["keep"] == [field["group"].pk]


def test_the_groups_section_carries_the_schedule_and_the_session_due(field):
    (row,) = _download(field)["sections"]["groups"]["rows"]
    assert row["meets"] == "" and row["next_due"] is None
    group_services.group_schedule(
        actor=cases.system(),
        group=field["group"],
        data={
            "meets": "biweekly",
            "meets_weekday": TODAY.weekday(),
            "meets_at": datetime.time(14, 30),
            "meets_place": "二楼活动室",
        },
    )
    first = _download(field)
    (row,) = first["sections"]["groups"]["rows"]
    assert (row["meets"], row["meets_label"], row["weekday"], row["at"], row["meets_place"]) == (
        "biweekly",
        "每两周",
        TODAY.weekday(),
        "14:30",
        "二楼活动室",
    )
    # Started 30 days ago on another weekday: the fortnightly grid's first day was 28 days ago, none held since.
    assert row["next_due"] == {
        "number": 1,
        "on": TODAY.isoformat(),
        "missed": (TODAY - datetime.timedelta(days=28)).isoformat(),
    }
    # A scheduled group is sent on every download: its session due moves with the calendar.
    _age_everything()
    assert [r["id"] for r in _download(field, _later_cursor(field, first))["sections"]["groups"]["rows"]] == [
        field["group"].pk
    ]


# -- activities ------------------------------------------------------------------------------------------------


def _activity(node, **extra):
    payload = {
        "node": node.pk,
        "title": "重阳节敬老活动",
        "kind": "festival",
        "held_on": TODAY.isoformat(),
        "participants": 30,
        **extra,
    }
    return _record("activity", payload)


def test_an_activity_sent_twice_is_recorded_once(field, world):
    record = _activity(world.station_a, recipients=[field["cw"].recipient.pk])
    (first,) = _upload(field, [record])
    assert first["status"] == "saved"
    (again,) = _upload(field, [record])
    assert again["repeat"]
    activity = Activity.objects.get()
    assert activity.idempotency_key == uuid.UUID(record["key"])
    assert list(activity.named.values_list("recipient_id", flat=True)) == [field["cw"].recipient.pk]
    (bad,) = _upload(field, [_activity(world.station_a, participants=-1)])
    assert bad["status"] == "rejected" and bad["errors"][0]["field"] == "participants"


def test_the_sites_section_is_incremental(field, world):
    first = _download(field)
    sites = first["sections"]["sites"]
    assert world.station_a.pk in sites["keep"] and any(r["id"] == world.station_a.pk for r in sites["rows"])
    assert ["festival", "节日活动"] in sites["kinds"]
    _age_everything()
    cursor = _later_cursor(field, first)
    assert _download(field, cursor)["sections"]["sites"]["rows"] == []
    ServiceNode.objects.filter(pk=world.station_a.pk).update(
        name="新名字社工站", updated_at=datetime.datetime.now(datetime.UTC)
    )
    assert _download(field, cursor)["sections"]["sites"]["rows"] == [
        {"id": world.station_a.pk, "name": "新名字社工站"}
    ]


# -- requests found in the field -------------------------------------------------------------------------------


def test_a_request_found_in_the_field_sent_twice_is_one_request(field):
    record = _record("request", {"recipient": field["cw"].recipient.pk, "description": "老人需要助浴服务"})
    (first,) = _upload(field, [record])
    assert first["status"] == "saved"
    (again,) = _upload(field, [record])
    assert again["repeat"] and again["id"] == first["id"]
    req = DemandRequest.objects.get(idempotency_key=uuid.UUID(record["key"]))
    assert req.channel == "visit" and req.recipient == field["cw"].recipient
    assert req.reported_by == field["cw"].worker_user
    (short,) = _upload(
        field, [_record("request", {"recipient": field["cw"].recipient.pk, "description": "x"})]
    )
    assert short["status"] == "rejected" and short["errors"][0]["field"] == "description"


def test_the_requests_section_holds_the_workers_own_requests_and_is_incremental(field):
    from shegong.demands import services as demand_services

    first = _download(field)
    (row,) = first["sections"]["requests"]["rows"]
    assert row["id"] == field["request"].pk and row["description"] == "需要助餐送餐服务"
    _age_everything()
    cursor = _later_cursor(field, first)
    assert _download(field, cursor)["sections"]["requests"]["rows"] == []
    demand_services.request_accept(actor=field["cw"].lead, req=DemandRequest.objects.get())
    (moved,) = _download(field, cursor)["sections"]["requests"]["rows"]
    assert moved["status_label"] == "已接单"


# -- another region --------------------------------------------------------------------------------------------


def test_another_regions_worker_cannot_post_a_note_to_a_case_there(field):
    cw = field["cw"]
    client = login_client(Client(), cw.worker_b_user)
    device = uuid.uuid4()
    client.post(
        "/api/v1/sync/unlock", {"device": str(device), "password": PASSWORD}, content_type="application/json"
    )
    answer = client.post(
        "/api/v1/sync/upload",
        {"device": str(device), "records": [_note(field["case"])]},
        content_type="application/json",
    )
    (result,) = answer.json()["results"]
    assert result["status"] == "rejected"
    assert result["errors"] == [{"field": "", "message": "找不到这条记录所属的对象，或您已无权访问"}]
    assert not InterventionNote.objects.exists() and not SyncReceipt.objects.exists()
    assert _download(field)["sections"]["cases"]["keep"]  # A's worker still sees its own


def test_bad_payloads_of_every_kind_name_the_field_and_never_fail(field, drafted):
    case, row = drafted
    huge = 2**63
    bad = [
        _record("case.note", {"case": huge}),
        _record("case.note", {"case": True}),
        _record("group.attendance", {"group": field["group"].pk, "held_on": "x", "present": [huge]}),
        _record("activity", {"node": "1", "recipients": [huge]}),
        _record("request", {"recipient": huge, "description": "需要助餐服务"}),
        _record("request", {"recipient": field["cw"].recipient.pk, "description": ["不是文字"]}),
        {
            "key": str(uuid.uuid4()),
            "kind": "case.plan",
            "payload": {"id": case.pk, "base": row["plan"]["versions"], "values": {"text": {"a": 1}}},
        },
        _record("case.plan", {"id": str(huge), "base": {}, "values": {"text": "x"}}),
    ]
    answers = _upload(field, bad)
    assert [a["status"] for a in answers] == ["rejected"] * len(bad)
    assert [a["errors"][0]["field"] for a in answers] == [
        "case",
        "case",
        "held_on",
        "node",
        "recipient",
        "description",
        "text",
        "id",
    ]
    assert (
        not SyncReceipt.objects.exists() and Plan.objects.get(case=case).text == "每周一次上门陪伴，链接助餐"
    )

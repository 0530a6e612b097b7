"""The field app's sync endpoints: unlock, the download cursor, idempotent upload, conflicts and revocation."""

import datetime
import uuid

import pytest
from django.test import Client

from shegong.core import sync
from shegong.core.models import SyncConflict, SyncDevice, SyncReceipt
from shegong.recipients.models import Recipient
from shegong.visits.models import Visit

from ..factories import PASSWORD, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, build_world, login_client, make_user
from ..people.helpers import make_worker
from ..recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def field():
    world = build_world()
    user = make_user(("worker", TOWN_A), username="fieldwang")
    worker = make_worker(world.regions["town_a"], name="王小社", user=user)
    colleague = make_user(("worker", TOWN_A), username="fieldli")
    other = make_worker(world.regions["town_a"], name="李同事", seq=2, user=colleague)
    mine = [
        make_recipient(VILLAGE_A1, name=f"刘奶奶{i}", worker=worker, phone="13800000001") for i in range(3)
    ]
    theirs = make_recipient(VILLAGE_A1, name="别人的对象", worker=other)
    elsewhere = make_recipient(VILLAGE_B1, name="乙镇对象")
    client = login_client(Client(), user)
    device = uuid.uuid4()
    answer = client.post(
        "/api/v1/sync/unlock", {"device": str(device), "password": PASSWORD}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    return {
        "world": world,
        "user": user,
        "client": client,
        "device": device,
        "mine": mine,
        "theirs": theirs,
        "elsewhere": elsewhere,
        "colleague": colleague,
    }


def _download(f, cursor=""):
    answer = f["client"].get("/api/v1/sync/download", {"device": str(f["device"]), "cursor": cursor})
    assert answer.status_code == 200, answer.content
    return answer.json()


def _upload(f, records, client=None):
    answer = (client or f["client"]).post(
        "/api/v1/sync/upload",
        {"device": str(f["device"]), "records": records},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _visit(recipient, key=None, **extra):
    return {
        "key": str(key or uuid.uuid4()),
        "kind": "visit",
        "payload": {
            "recipient": recipient.pk,
            "visited_at": (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat(),
            "method": "home",
            "notes": "一切正常",
            **extra,
        },
    }


def test_unlock_needs_the_password_and_releases_the_same_key_to_the_same_device(field):
    client = field["client"]
    wrong = client.post(
        "/api/v1/sync/unlock",
        {"device": str(field["device"]), "password": "nope"},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "password"
    again = client.post(
        "/api/v1/sync/unlock",
        {"device": str(field["device"]), "password": PASSWORD},
        content_type="application/json",
    )
    assert again.status_code == 200
    assert SyncDevice.objects.filter(token=field["device"]).count() == 1


def test_the_first_download_holds_only_the_workers_own_recipients_with_masked_phones(field):
    data = _download(field)
    rows = data["sections"]["recipients"]["rows"]
    assert sorted(r["id"] for r in rows) == sorted(r.pk for r in field["mine"])
    assert data["sections"]["recipients"]["keep"] == sorted(r.pk for r in field["mine"])
    assert data["full"] is True
    assert all(r["phone"] != "13800000001" and r["phone"].endswith("0001") for r in rows)
    assert "id_number" not in rows[0] and "notes" not in rows[0]
    assert data["sections"]["recipients"]["wipe_after_days"] == 7


def test_the_regions_own_wipe_days_reach_the_phone(field):
    from shegong.regions.models import RegionStandard

    RegionStandard.objects.create(region_id=TOWN_A, offline_wipe_days=3)
    assert _download(field)["sections"]["recipients"]["wipe_after_days"] == 3


def test_an_incremental_download_sends_only_what_changed_since_the_cursor(field):
    first = _download(field)
    # Time moves on past the overlap, then one recipient changes.
    later = sync.read_cursor(first["cursor"], field["user"].pk) - 2 * sync.CURSOR_OVERLAP
    cursor = sync.make_cursor(field["user"].pk, later + sync.CURSOR_OVERLAP)
    Recipient.objects.filter(pk__in=[r.pk for r in field["mine"]]).update(
        updated_at=later - datetime.timedelta(minutes=1)
    )
    changed = field["mine"][1]
    Recipient.objects.filter(pk=changed.pk).update(
        address="新地址", updated_at=datetime.datetime.now(datetime.UTC)
    )
    data = _download(field, cursor)
    assert data["full"] is False
    assert [r["id"] for r in data["sections"]["recipients"]["rows"]] == [changed.pk]
    assert data["sections"]["recipients"]["rows"][0]["address"] == "新地址"
    assert len(data["sections"]["recipients"]["keep"]) == 3


def test_a_visit_that_arrives_late_for_an_earlier_time_is_in_the_next_incremental_download(field):
    first = _download(field)
    since = sync.read_cursor(first["cursor"], field["user"].pk)
    Recipient.objects.update(updated_at=since - datetime.timedelta(days=1))
    cursor = sync.make_cursor(field["user"].pk, since + sync.CURSOR_OVERLAP)
    recipient = field["mine"][2]
    # Recorded offline two days ago, sent now (by another device of the worker).
    record = _visit(recipient)
    record["payload"]["visited_at"] = (
        datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)
    ).isoformat()
    Visit.objects.all().delete()
    _upload(field, [record])
    Visit.objects.update(created_at=since + 2 * sync.CURSOR_OVERLAP)
    rows = _download(field, cursor)["sections"]["recipients"]["rows"]
    assert [r["id"] for r in rows] == [recipient.pk]
    assert len(rows[0]["last_visits"]) == 1


def test_a_cursor_of_another_user_or_tampered_with_is_refused(field):
    cursor = sync.make_cursor(field["colleague"].pk, datetime.datetime.now(datetime.UTC))
    answer = field["client"].get("/api/v1/sync/download", {"device": str(field["device"]), "cursor": cursor})
    assert answer.status_code == 422
    answer = field["client"].get(
        "/api/v1/sync/download", {"device": str(field["device"]), "cursor": _download(field)["cursor"] + "x"}
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "cursor"


def test_an_upload_sent_twice_writes_each_visit_once_and_answers_the_same(field):
    records = [_visit(r) for r in field["mine"]]
    first = _upload(field, records)
    assert [r["status"] for r in first] == ["saved"] * 3
    again = _upload(field, records)
    assert [r["status"] for r in again] == ["saved"] * 3
    assert all(r["repeat"] for r in again)
    assert [r["id"] for r in again] == [r["id"] for r in first]
    assert Visit.objects.filter(recorded_by=field["user"]).count() == 3
    assert SyncReceipt.objects.count() == 3
    for record in records:
        assert Visit.objects.filter(idempotency_key=record["key"]).count() == 1


def test_a_visit_already_sent_by_the_form_is_not_written_again(field):
    record = _visit(field["mine"][0])
    posted = field["client"].post(
        "/api/v1/visits",
        {
            "recipient": field["mine"][0].pk,
            "idempotency_key": record["key"],
            "visited_at": record["payload"]["visited_at"],
            "method": "home",
        },
        content_type="application/json",
    )
    assert posted.status_code == 201
    (answer,) = _upload(field, [record])
    assert answer["status"] == "saved" and answer["id"] == posted.json()["id"]
    assert Visit.objects.count() == 1


def test_a_refused_record_comes_back_with_the_servers_message_and_can_be_resent(field):
    recipient = field["mine"][0]
    Recipient.objects.filter(pk=recipient.pk).update(status="deceased")
    record = _visit(recipient)
    (answer,) = _upload(field, [record])
    assert answer["status"] == "rejected"
    assert answer["errors"][0]["field"] == "recipient" and "已故" in answer["errors"][0]["message"]
    assert not SyncReceipt.objects.exists()
    Recipient.objects.filter(pk=recipient.pk).update(status="active")
    (answer,) = _upload(field, [record])
    assert answer["status"] == "saved"


def test_bad_payloads_name_the_field_and_never_fail(field):
    results = _upload(
        field,
        [
            {"key": str(uuid.uuid4()), "kind": "visit", "payload": {"recipient": "x"}},
            {"key": str(uuid.uuid4()), "kind": "visit", "payload": {"recipient": field["mine"][0].pk}},
            {"key": str(uuid.uuid4()), "kind": "nonsense", "payload": {}},
            _visit(field["mine"][0], photos=[{"name": "a.jpg", "data": "data:image/jpeg;base64,@@@"}]),
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert results[0]["errors"][0]["field"] == "recipient"
    assert {e["field"] for e in results[1]["errors"]} >= {"visited_at"}
    assert results[2]["errors"][0]["field"] == "kind"
    assert results[3]["errors"][0]["field"] == "photos"


def test_records_of_recipients_outside_the_workers_reach_are_refused(field):
    (answer,) = _upload(field, [_visit(field["elsewhere"])])
    assert answer["status"] == "rejected"
    assert not Visit.objects.exists()


def test_a_key_used_by_another_user_is_refused(field):
    record = _visit(field["mine"][0])
    _upload(field, [record])
    colleague = login_client(Client(), field["colleague"])
    colleague.post(
        "/api/v1/sync/unlock",
        {"device": str(field["device"]), "password": PASSWORD},
        content_type="application/json",
    )
    answer = colleague.post(
        "/api/v1/sync/upload",
        {"device": str(field["device"]), "records": [record]},
        content_type="application/json",
    )
    # The device belongs to the first user: the colleague may not use it.
    assert answer.status_code == 403
    assert Visit.objects.count() == 1


def _edit(recipient, row, **values):
    return {
        "key": str(uuid.uuid4()),
        "kind": "recipient.edit",
        "captured_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "payload": {"id": recipient.pk, "base": row["versions"], "values": values},
    }


def test_an_edit_on_an_unchanged_record_applies_and_a_retry_changes_nothing(field):
    recipient = field["mine"][0]
    row = next(r for r in _download(field)["sections"]["recipients"]["rows"] if r["id"] == recipient.pk)
    record = _edit(recipient, row, phone="13911112222")
    (answer,) = _upload(field, [record])
    assert answer["status"] == "saved" and answer["applied"] == ["phone"]
    recipient.refresh_from_db()
    assert recipient.phone == "13911112222"
    (again,) = _upload(field, [record])
    assert again["status"] == "saved" and again["repeat"]
    assert not SyncConflict.objects.exists()


def test_a_stale_edit_keeps_the_servers_value_and_stores_a_conflict_with_both(field):
    from shegong.recipients.services import recipient_update

    recipient = field["mine"][0]
    row = next(r for r in _download(field)["sections"]["recipients"]["rows"] if r["id"] == recipient.pk)
    head = make_user(("township", TOWN_A), username="zhanzhang")
    from shegong.core.actors import actor_of_user

    recipient_update(actor=actor_of_user(head.pk), recipient=recipient, data={"phone": "13700000007"})
    (answer,) = _upload(field, [_edit(recipient, row, phone="13911112222", address="幸福路1号")])
    assert (
        answer["status"] == "conflict" and answer["fields"] == ["phone"] and answer["applied"] == ["address"]
    )
    recipient.refresh_from_db()
    assert recipient.phone == "13700000007" and recipient.address == "幸福路1号"
    conflict = SyncConflict.objects.get()
    assert conflict.fields == {"phone": {"server": "13700000007", "device": "13911112222"}}
    assert conflict.device_user == field["user"] and conflict.server_user_name == "zhanzhang"
    assert _download(field)["conflicts"][0]["id"] == conflict.pk
    # The station head picks the device's value: it goes through the registry's own write.
    sync.conflict_resolve(actor=actor_of_user(head.pk), conflict=conflict, choices={"phone": "device"})
    recipient.refresh_from_db()
    assert recipient.phone == "13911112222"
    assert SyncConflict.objects.get().status == "resolved"
    assert _download(field)["conflicts"] == []


def test_a_revoked_device_or_deactivated_account_is_told_to_wipe(field):
    anonymous = Client()
    url = f"/api/v1/sync/device/{field['device']}"
    assert anonymous.get(url).json() == {"revoked": False}
    assert anonymous.get(f"/api/v1/sync/device/{uuid.uuid4()}").json() == {"revoked": False}
    field["user"].is_active = False
    field["user"].save()
    assert anonymous.get(url).json() == {"revoked": True}
    field["user"].is_active = True
    field["user"].save()
    SyncDevice.objects.filter(token=field["device"]).update(revoked_at=datetime.datetime.now(datetime.UTC))
    assert field["client"].get("/api/v1/sync/download", {"device": str(field["device"])}).status_code == 403
    assert anonymous.get(url).json() == {"revoked": True}


def test_another_regions_worker_gets_nothing_of_region_a(field):
    outsider = make_user(("worker", TOWN_B), username="outsider")
    make_worker(field["world"].regions["town_b"], name="乙镇社工", seq=9, user=outsider)
    client = login_client(Client(), outsider)
    device = uuid.uuid4()
    client.post(
        "/api/v1/sync/unlock", {"device": str(device), "password": PASSWORD}, content_type="application/json"
    )
    data = client.get("/api/v1/sync/download", {"device": str(device)}).json()
    assert data["sections"]["recipients"]["rows"] == []
    answer = client.post(
        "/api/v1/sync/upload",
        {"device": str(device), "records": [_visit(field["mine"][0])]},
        content_type="application/json",
    ).json()["results"][0]
    assert answer["status"] == "rejected"
    assert not Visit.objects.exists()

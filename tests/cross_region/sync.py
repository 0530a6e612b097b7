"""The field app's pages and the sync API (core.sync, visits/field*)."""

import uuid

from . import Endpoint


def _conflict(w):
    return w.extras["sync_conflict_a"]


NOTE = {"noted_on": "2026-01-05", "method": "home", "content": "上门陪伴"}


def _record(kind, payload):
    return {"key": str(uuid.uuid4()), "kind": kind, "payload": payload}


ENDPOINTS = [
    # The app shell holds no data (the page's script downloads it); its own worker's shell only.
    Endpoint("visits:field_app", "list", lambda w: "/visits/field/"),
    Endpoint("visits:field_sw", "open"),
    Endpoint("visits:field_manifest", "open"),
    Endpoint("visits:conflicts", "list", lambda w: "/visits/conflicts/"),
    Endpoint("visits:conflicts#resolved", "list", lambda w: "/visits/conflicts/?status=resolved"),
    Endpoint("visits:conflict_detail", "detail", lambda w: f"/visits/conflicts/{_conflict(w).pk}/"),
    Endpoint(
        "visits:conflict_detail#resolve",
        "write",
        lambda w: f"/visits/conflicts/{_conflict(w).pk}/",
        method="POST",
        body=lambda w: {"choice_phone": "device"},
        content_type="form",
    ),
    # One's own device and password: nothing regional.
    Endpoint("shegong_core_sync_api_sync_unlock", "open", api=True),
    Endpoint("shegong_core_sync_api_sync_device", "open", api=True),
    # The download of another region's user holds nothing of region A (only the caller's own recipients).
    Endpoint(
        "shegong_core_sync_api_sync_download",
        "list",
        lambda w: f"/api/v1/sync/download?device={w.extras['sync_device_b'].token}",
        api=True,
    ),
    # A batch: each record of region A is refused inside a 200 answer that names none of A's data, and nothing
    # is written.
    Endpoint(
        "shegong_core_sync_api_sync_upload",
        "list",
        lambda w: "/api/v1/sync/upload",
        method="POST",
        api=True,
        body=lambda w: {
            "device": str(w.extras["sync_device_b"].token),
            "records": [
                {
                    "key": str(uuid.uuid4()),
                    "kind": "visit",
                    "payload": {
                        "recipient": w.extras["recipient_a"].pk,
                        "visited_at": "2026-01-01T10:00:00+08:00",
                        "method": "home",
                    },
                },
                {
                    "key": str(uuid.uuid4()),
                    "kind": "recipient.edit",
                    "payload": {
                        "id": w.extras["recipient_a"].pk,
                        "base": {},
                        "values": {"phone": "13900000000"},
                    },
                },
                # Every kind of the field app, on region A's rows: a note to A's case, A's plan, attendance of
                # A's group, an activity at A's station, a request for A's recipient.
                _record("case.note", {"case": w.extras["case_a"].pk, **NOTE}),
                _record(
                    "case.plan", {"id": w.extras["case_a"].pk, "base": {}, "values": {"text": "乙方改写"}}
                ),
                _record(
                    "group.attendance",
                    {
                        "group": w.extras["group_a"].pk,
                        "held_on": "2026-01-05",
                        "place": "活动室",
                        "content": "手工",
                        "present": [w.extras["group_member_a"].pk],
                    },
                ),
                _record(
                    "activity",
                    {
                        "node": w.station_a.pk,
                        "title": "乙方活动",
                        "kind": "culture",
                        "held_on": "2026-01-05",
                        "participants": 5,
                    },
                ),
                _record(
                    "request",
                    {"recipient": w.extras["recipient_a"].pk, "description": "需要助餐服务，行动不便"},
                ),
            ],
        },
    ),
]


def extend(world):
    """A worker of region A with a device and an open phone conflict on A's recipient; devices for A's and B's
    all-roles users (a device is its user's own, whatever its region)."""
    import datetime
    import os

    from shegong.core.models import SyncConflict, SyncDevice

    recipient = world.extras["recipient_a"]
    world.extras["sync_device_b"] = SyncDevice.objects.create(
        token=uuid.uuid4(), user=world.user_b, key=os.urandom(32)
    )
    # Every relationship-bound user the harness logs in may download with this device too.
    world.extras["sync_conflict_a"] = SyncConflict.objects.create(
        key=uuid.uuid4(),
        kind="recipient.edit",
        object_id=str(recipient.pk),
        fields={"phone": {"server": "13700000001", "device": "13911110001"}},
        device_user=world.user_a,
        device_at=datetime.datetime.now(datetime.UTC),
        region_code=recipient.region_code,
    )

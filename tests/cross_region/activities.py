import datetime
import uuid

from . import Endpoint


def _a(w):
    return w.extras["activity_a"].pk


ENDPOINTS = [
    Endpoint("activities:list", "list", lambda w: "/activities/"),
    Endpoint("activities:export", "list", lambda w: "/activities/export/"),
    Endpoint("activities:create", "list", lambda w: "/activities/new/"),
    Endpoint("activities:create#node", "detail", lambda w: f"/activities/new/?node={w.station_a.pk}"),
    Endpoint(
        "activities:create#post",
        "write",
        lambda w: f"/activities/new/?node={w.station_a.pk}",
        method="POST",
        content_type="form",
        body=lambda w: {
            "node": w.station_a.pk,
            "idempotency_key": str(uuid.uuid4()),
            "title": "越权活动",
            "kind": "community",
            "held_on": datetime.date.today().isoformat(),
            "participants": "10",
        },
    ),
    Endpoint("activities:detail", "detail", lambda w: f"/activities/{_a(w)}/"),
    Endpoint(
        "activities:photo", "detail", lambda w: f"/activities/photos/{w.extras['activity_photo_a'].pk}/"
    ),
    Endpoint("shegong_activities_api_list_activities", "list", lambda w: "/api/v1/activities", api=True),
    Endpoint(
        "shegong_activities_api_record_activity",
        "write",
        lambda w: "/api/v1/activities",
        method="POST",
        api=True,
        body=lambda w: {
            "node": w.station_a.pk,
            "idempotency_key": str(uuid.uuid4()),
            "title": "越权活动",
            "kind": "community",
            "held_on": datetime.date.today().isoformat(),
            "participants": 10,
        },
    ),
    Endpoint(
        "shegong_activities_api_get_activity", "detail", lambda w: f"/api/v1/activities/{_a(w)}", api=True
    ),
]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def extend(world):
    """An activity of station A with a photo."""
    from shegong.accounts.actor import SystemActor
    from shegong.activities import services
    from shegong.core.photos import Photo

    activity, _ = services.activity_record(
        actor=SystemActor("harness"),
        node=world.station_a,
        data={
            "title": "活动MARKERA",
            "kind": "community",
            "held_on": datetime.date.today() - datetime.timedelta(days=3),
            "participants": 25,
            "place": "广场MARKERA",
        },
        idempotency_key=uuid.uuid4(),
        photos=[Photo("a.png", PNG)],
    )
    world.extras.update(
        {"activity_a": activity, "activity_photo_a": activity.photos.get(), "marker_activity": activity.title}
    )

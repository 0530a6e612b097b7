"""The inbox is the reader's own: another user's message is a 404 whatever the region (and the same region too,
tests/notifications/test_inbox.py)."""

from . import Endpoint


def extend(world):
    from shegong.notifications.models import Kind, Message

    world.extras["message_a"] = Message.objects.create(
        recipient=world.user_a,
        kind=Kind.VISIT_ESCALATED,
        title="甲街道的消息MARKERA",
        body="正文MARKERA",
        region_code=world.regions["village_a1"].code,
        dedupe_key="cross-region:a",
    )


def _message(w):
    return w.extras["message_a"]


ENDPOINTS = [
    Endpoint("notifications:inbox", "list", lambda w: "/notifications/"),
    Endpoint(
        "notifications:read", "write", lambda w: f"/notifications/{_message(w).pk}/read/", method="POST"
    ),
    # Marks only the requester's own messages read; changes nothing of anyone else's.
    Endpoint("notifications:read_all", "open", lambda w: "/notifications/read-all/", method="POST"),
    Endpoint("notifications:preferences", "open", lambda w: "/notifications/settings/"),
]

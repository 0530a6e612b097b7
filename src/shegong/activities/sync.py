"""What community activities give the field app's sync (``core.sync``): an activity recorded offline at one of
the sites the worker may record at (the sites are downloaded: their names only)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import sync
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.recipients.services import fetch as fetch_recipient

from . import services
from .models import Activity

SITE_LEVELS = [NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.HUB, NodeLevel.CENTRE]
TEXT_LIMITS = {"title": 120, "place": 120, "outcome": 2000}
MAX_SITES = 200


def _ids(value, name: str) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(sync.is_id(i) for i in value):
        raise ValidationError({name: [_("格式无效")]})
    return value


def activity_from_device(actor, payload: dict, key: uuid.UUID):
    """An activity recorded on the phone: the activity page's own write, under the phone's key."""
    node_id = payload.get("node")
    if not sync.is_id(node_id):
        raise ValidationError({"node": [_("请选择活动阵地")]})
    node = get_scoped_or_404(ServiceNode.objects.filter(level__in=SITE_LEVELS), pk=node_id)
    errors: dict[str, list[str]] = {}
    try:
        held_on = datetime.date.fromisoformat(str(payload.get("held_on") or ""))
    except ValueError:
        held_on = None
        errors["held_on"] = [_("请填写活动日期")]
    data: dict = {
        "held_on": held_on,
        "kind": payload.get("kind"),
        "participants": payload.get("participants"),
    }
    for name, limit in TEXT_LIMITS.items():
        value = payload.get(name) or ""
        if not isinstance(value, str):
            errors[name] = [_("格式无效")]
        elif len(value) > limit:
            errors[name] = [_("不能超过 %(n)d 字") % {"n": limit}]
        data[name] = value if isinstance(value, str) else ""
    recipient_ids = _ids(payload.get("recipients"), "recipients")
    if errors:
        raise ValidationError(errors)
    recipients = [fetch_recipient(pk) for pk in dict.fromkeys(recipient_ids)]
    return services.activity_record(
        actor=actor, node=node, data=data, idempotency_key=key, recipients=recipients
    )


ACTIVITY = sync.Kind(name="activity", label=gettext_lazy("社区活动"), create=activity_from_device)


def sites_for_worker(actor, since: datetime.datetime | None) -> sync.Section:
    """The sites in the worker's reach an activity may be recorded at (names only), and the activity types."""
    extra = {"kinds": [[k, str(v)] for k, v in Activity.Kind.choices]}
    if not actor.can("activities.record"):
        return sync.Section(rows=[], keep=[], extra=extra)
    sites = ServiceNode.objects.filter(level__in=SITE_LEVELS)
    keep = list(sites.order_by("pk").values_list("pk", flat=True)[:MAX_SITES])
    changed = sites.filter(pk__in=keep)
    if since is not None:
        changed = changed.filter(updated_at__gt=since)
    rows = [
        {"id": pk, "name": name} for pk, name in changed.order_by("level", "name").values_list("pk", "name")
    ]
    return sync.Section(rows=rows, keep=keep, extra=extra)

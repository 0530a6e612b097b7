"""What demand intake gives the field app's sync (``core.sync``): a request the worker finds in the field
(探访发现), reported offline, and the requests dispatched to the worker as the phone needs them (phones masked)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import sync
from shegong.core.masking import mask_phone
from shegong.recipients.services import fetch as fetch_recipient

from . import services
from .models import WITH_RECEIVER, DemandEvent, DemandRequest, Status


def request_from_device(actor, payload: dict, key: uuid.UUID):
    """A need found in the field, for a recipient or for a resident of a community: the desk's own write."""
    recipient_id = payload.get("recipient")
    recipient = None
    if recipient_id not in (None, ""):
        if not sync.is_id(recipient_id):
            raise ValidationError({"recipient": [_("请选择服务对象")]})
        recipient = fetch_recipient(recipient_id)
    texts = {}
    for name, limit in (
        ("description", 1000),
        ("requester_name", 50),
        ("requester_phone", 20),
        ("address", 200),
    ):
        value = payload.get(name) or ""
        if not isinstance(value, str) or len(value) > limit:
            raise ValidationError({name: [_("格式无效")]})
        texts[name] = value
    data = {
        **texts,
        "recipient": recipient,
        "region": str(payload.get("region") or ""),
        "consent_contact": payload.get("consent_contact") is True,
    }
    return services.request_report(actor=actor, data=data, idempotency_key=key)


REQUEST = sync.Kind(name="request", label=gettext_lazy("发现的需求"), create=request_from_device)


def requests_for_worker(actor, since: datetime.datetime | None) -> sync.Section:
    """The requests dispatched to the worker and not yet done (all, or those moved since the cursor)."""
    from shegong.visits.services import worker_of

    worker = worker_of(actor)
    if worker is None:
        return sync.Section(rows=[], keep=[])
    mine = DemandRequest.objects.filter(worker_id=worker.pk, status__in=WITH_RECEIVER)
    changed = mine
    if since is not None:
        moved = DemandEvent.objects.filter(request_id=OuterRef("pk"), at__gt=since)
        changed = mine.filter(Q(created_at__gt=since) | Q(Exists(moved)))
    rows = [
        {
            "id": r.pk,
            "code": r.tracking_code,
            "description": r.description,
            "item": r.item.name if r.item_id else "",
            "status_label": str(Status(r.status).label),
            "due_at": (r.resolve_due_at or r.accept_due_at).isoformat()
            if (r.resolve_due_at or r.accept_due_at)
            else None,
            "recipient": r.recipient_id,
            "place": r.region.name,
            "requester": r.requester_name,
            "phone": mask_phone(r.requester_phone) if r.requester_phone else "",
        }
        for r in changed.select_related("region", "item").order_by("resolve_due_at", "accept_due_at", "pk")
    ]
    keep = list(mine.order_by("pk").values_list("pk", flat=True))
    return sync.Section(rows=rows, keep=keep)

"""What the recipient registry gives the field app's sync (``core.sync``): the offline edit of a recipient's phone
and address, field by field against the version the device saw."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shegong.core import sync

from . import services
from .models import TimelineEntry

EDIT_FIELDS = {"phone": _("联系电话"), "address": _("居住地址")}


def _current(actor, object_id: str):
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise ValidationError({"id": [_("服务对象编号无效")]}) from None
    recipient = services.fetch(pk)
    return recipient, {name: getattr(recipient, name) or "" for name in EDIT_FIELDS}


def _write(actor, recipient, values: dict) -> None:
    services.recipient_update(actor=actor, recipient=recipient, data={k: v or "" for k, v in values.items()})


def _last_change(recipient):
    entry = TimelineEntry.objects.filter(recipient=recipient, kind="update").order_by("-at", "-pk").first()
    return (entry.actor_name, entry.at) if entry else ("", recipient.updated_at)


RECIPIENT_EDIT = sync.EditKind(
    name="recipient.edit",
    label=_("修改服务对象联系方式"),
    fields=EDIT_FIELDS,
    current=_current,
    write=_write,
    last_change=_last_change,
    describe=lambda recipient: recipient.name,
)


def versions(recipient) -> dict[str, str]:
    """The version of each editable field the device holds (a keyed hash: the phone number itself stays here)."""
    return {name: sync.field_version(getattr(recipient, name) or "") for name in EDIT_FIELDS}

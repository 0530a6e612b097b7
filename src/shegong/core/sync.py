"""The field app's sync: the registry of record kinds, the download cursor, idempotent upload and stored conflicts.

Core knows no app. Each service-work app registers, in its ``AppConfig.ready()``:

* ``register(Kind(...))`` for a new record the worker creates offline (a visit, a case note, attendance …):
  ``create(actor, payload, key)`` writes it with ``key`` as its idempotency key and returns ``(pk, created)``;
  it raises ``ValidationError`` (field → message) for a record the server refuses.
* ``register(EditKind(...))`` for an edit of a shared record (a recipient's phone or address …): ``current``
  reads the row the actor may see, ``write`` applies chosen values through the app's own service. Core compares
  field by field against the version the device saw and stores a ``SyncConflict`` when the server moved on.
* ``contribute(name, func)`` for what the worker's device downloads: ``func(actor, since)`` returns a
  ``Section`` — the rows changed since ``since`` (None: everything) and the ids the device should keep.

Every upload is answered once per key (``SyncReceipt``): a retry after a lost answer gets the first answer and
writes nothing, whatever the kind.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .auditing import record

logger = logging.getLogger(__name__)

# A write committed while a download was being read must not fall between two cursors: the next download starts
# this far before the last one did (the device applies rows idempotently, so an overlap costs only bytes).
CURSOR_OVERLAP = datetime.timedelta(seconds=30)
CURSOR_SALT = "shegong.sync.cursor"
MAX_BATCH = 200


@dataclass(frozen=True)
class Kind:
    """A new record created on the device (append-only: it never conflicts)."""

    name: str
    label: str
    create: Callable[[Any, dict, uuid.UUID], tuple[Any, bool]]


@dataclass(frozen=True)
class EditKind:
    """An edit of a shared record: ``fields`` it may change (name → label), how to read and write the row."""

    name: str
    label: str
    fields: dict[str, str]
    # (actor, object_id) → (row, {field: current value}); raises Http404 for a row the actor may not see.
    current: Callable[[Any, str], tuple[Any, dict[str, Any]]]
    # (actor, row, {field: value}) → None: the app's own service (permission, validation, audit).
    write: Callable[[Any, Any, dict[str, Any]], None]
    # (row) → (who last changed it, when): shown beside the server's values in a conflict.
    last_change: Callable[[Any], tuple[str, datetime.datetime | None]] = lambda row: ("", None)
    describe: Callable[[Any], str] = str


@dataclass
class Section:
    rows: list[dict] = field(default_factory=list)
    keep: list[Any] | None = None  # every id the device should hold now (None: the device keeps what it has)
    extra: dict = field(default_factory=dict)


KINDS: dict[str, Kind | EditKind] = {}
SECTIONS: dict[str, Callable[[Any, datetime.datetime | None], Section]] = {}


def register(kind: Kind | EditKind) -> None:
    KINDS[kind.name] = kind


def contribute(name: str, func: Callable[[Any, datetime.datetime | None], Section]) -> None:
    SECTIONS[name] = func


def is_id(value: Any) -> bool:
    """Whether a payload's value can be a row's id (an integer a database column holds; never a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def field_version(value: Any) -> str:
    """A field's version as the device sees it: a keyed hash of its value (the device never needs the value)."""
    return salted_hmac(
        "shegong.sync.field", "" if value is None else str(value), algorithm="sha256"
    ).hexdigest()[:16]


# -- the cursor -----------------------------------------------------------------------------------------------


def make_cursor(user_id: int, at: datetime.datetime) -> str:
    return signing.dumps({"u": user_id, "t": at.isoformat()}, salt=CURSOR_SALT, compress=True)


def read_cursor(cursor: str | None, user_id: int) -> datetime.datetime | None:
    """The time a cursor stands for; None for no cursor. A cursor of another user or tampered with is refused."""
    if not cursor:
        return None
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": ["invalid cursor"]}) from None
    if data.get("u") != user_id:
        raise ValidationError({"cursor": ["cursor of another user"]})
    return datetime.datetime.fromisoformat(data["t"])


def download(*, actor, cursor: str | None) -> dict[str, Any]:
    user = actor.user
    since = read_cursor(cursor, user.pk)
    started = timezone.now()
    sections = {}
    for name, func in SECTIONS.items():
        section = func(actor, since - CURSOR_OVERLAP if since else None)
        sections[name] = {"rows": section.rows, "keep": section.keep, **section.extra}
    return {
        "cursor": make_cursor(user.pk, started),
        "full": since is None,
        "server_time": started,
        "sections": sections,
        "conflicts": open_conflicts_of(actor),
    }


# -- devices ----------------------------------------------------------------------------------------------------


def device_unlock(*, actor, token: uuid.UUID, password: str):
    """The device's data key, released to its own user after a password check (never to a revoked device)."""
    import os

    from .models import SyncDevice

    user = actor.user
    if not user.check_password(password):
        raise ValidationError({"password": [_("密码不正确")]})
    device = SyncDevice.objects.filter(token=token).first()
    if device is not None and (device.user_id != user.pk or device.revoked_at is not None):
        raise PermissionDenied("device revoked")
    if device is None:
        device = SyncDevice.objects.create(token=token, user=user, key=os.urandom(32))
        record("sync.device.add", actor=actor, object_type="core.syncdevice", object_id=str(device.pk))
    return device


def device_revoked(token: uuid.UUID) -> bool:
    """Whether the device must wipe itself: revoked, or its user deactivated. Unknown devices are not told."""
    from .models import SyncDevice

    device = SyncDevice.objects.select_related("user").filter(token=token).first()
    return device is not None and (device.revoked_at is not None or not device.user.is_active)


def device_of(actor, token: uuid.UUID | None):
    from .models import SyncDevice

    if token is None:
        return None
    device = SyncDevice.objects.filter(token=token, user=actor.user).first()
    if device is not None and device.revoked_at is not None:
        raise PermissionDenied("device revoked")
    return device


# -- upload -----------------------------------------------------------------------------------------------------


def _messages(error: ValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [{"field": f, "message": str(m)} for f, es in error.message_dict.items() for m in es]
    return [{"field": "", "message": str(m)} for m in error.messages]


def _refused(key, field_name: str, message: str) -> dict:
    return {"key": str(key), "status": "rejected", "errors": [{"field": field_name, "message": str(message)}]}


def upload(*, actor, records: list[dict]) -> list[dict]:
    """Apply each record in its own transaction, in order; one answer per record, stored under its key."""
    return [upload_one(actor=actor, item=item) for item in records]


def upload_one(*, actor, item: dict) -> dict:
    from .models import SyncReceipt

    key = item["key"]
    kind = KINDS.get(item["kind"])
    if kind is None:
        return _refused(key, "kind", _("服务器不认识这类记录，请更新外勤应用"))
    done = SyncReceipt.objects.filter(key=key).first()
    if done is not None:
        if done.user_id != actor.user.pk or done.kind != kind.name:
            return _refused(key, "key", _("提交编号已被另一条记录使用"))
        return {**done.result, "repeat": True}
    try:
        with transaction.atomic():
            if isinstance(kind, EditKind):
                result = _apply_edit(actor, kind, key, item)
            else:
                obj, _created = kind.create(actor, item.get("payload") or {}, key)
                result = {"key": str(key), "status": "saved", "id": obj.pk}
            SyncReceipt.objects.create(key=key, kind=kind.name, user=actor.user, result=result)
    except ValidationError as error:
        # Not stored: the worker may correct the record and send it again under the same key.
        return {"key": str(key), "status": "rejected", "errors": _messages(error)}
    except (Http404, ObjectDoesNotExist):
        return _refused(key, "", _("找不到这条记录所属的对象，或您已无权访问"))
    except PermissionDenied:
        return _refused(key, "", _("您没有权限提交这条记录"))
    except IntegrityError:
        # The same key raced in another request: that one's answer stands.
        done = SyncReceipt.objects.filter(key=key).first()
        if done is None:
            raise
        return {**done.result, "repeat": True}
    return result


def _apply_edit(actor, kind: EditKind, key: uuid.UUID, item: dict) -> dict:
    payload = item.get("payload") or {}
    values = {f: v for f, v in (payload.get("values") or {}).items() if f in kind.fields}
    unknown = set(payload.get("values") or {}) - set(kind.fields)
    if unknown:
        raise ValidationError({"values": [f"unknown field: {', '.join(sorted(unknown))}"]})
    base = payload.get("base") or {}
    row, current = kind.current(actor, str(payload.get("id")))
    apply: dict[str, Any] = {}
    clashes: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        now = current.get(name)
        if str(now or "") == str(value or ""):
            continue  # already so
        if base.get(name) == field_version(now):
            apply[name] = value  # the server did not move on for this field
        else:
            clashes[name] = {"server": now, "device": value}
    # Who moved the server's copy on, read before this edit's own fields are written.
    who, when = kind.last_change(row) if clashes else ("", None)
    if apply:
        kind.write(actor, row, apply)
    if not clashes:
        return {"key": str(key), "status": "saved", "id": row.pk, "applied": sorted(apply)}
    from .models import SyncConflict

    captured = item.get("captured_at")
    try:
        device_at = datetime.datetime.fromisoformat(captured) if captured else timezone.now()
    except (TypeError, ValueError):
        device_at = timezone.now()
    conflict = SyncConflict.objects.create(
        key=key,
        kind=kind.name,
        object_id=str(row.pk),
        fields=clashes,
        device_user=actor.user,
        device_at=device_at,
        server_user_name=who[:150],
        server_at=when,
        region_code=row.region_code,
    )
    record(
        "sync.conflict.open",
        actor=actor,
        obj=conflict,
        changes={"kind": kind.name, "object": str(row.pk), "fields": sorted(clashes)},
    )
    return {
        "key": str(key),
        "status": "conflict",
        "id": row.pk,
        "conflict": conflict.pk,
        "applied": sorted(apply),
        "fields": sorted(clashes),
    }


# -- conflicts --------------------------------------------------------------------------------------------------


def conflicts_visible(actor):
    """Open and resolved conflicts the actor may see: its own, and in its regions where it may change the row."""
    from django.db.models import Q

    from .models import SyncConflict
    from .scoping import Scope

    mine = Q(device_user=actor.user)
    regions = actor.regions_with("sync.resolve")
    if regions:
        mine |= Scope(region_codes=frozenset(regions)).q("region_code")
    return SyncConflict.objects.filter(mine)


def open_conflicts_of(actor) -> list[dict]:
    from .models import ConflictStatus, SyncConflict

    rows = SyncConflict.objects.filter(device_user=actor.user, status=ConflictStatus.OPEN)
    return [{"id": c.pk, "key": str(c.key), "kind": c.kind, "object": c.object_id} for c in rows]


def conflict_resolve(*, actor, conflict, choices: dict[str, str]) -> None:
    """Keep the server's or take the device's value, field by field; the chosen device values go through the
    record kind's own write (its permission, validation and audit)."""
    from .models import ConflictStatus

    if conflict.status != ConflictStatus.OPEN:
        raise ValidationError({"status": [_("此冲突已处理")]})
    kind = KINDS.get(conflict.kind)
    if not isinstance(kind, EditKind):
        raise ValidationError({"kind": ["unknown kind"]})
    missing = [f for f in conflict.fields if choices.get(f) not in ("server", "device")]
    if missing:
        raise ValidationError({f: [_("请选择保留哪一个值")] for f in missing})
    with transaction.atomic():
        row, _current = kind.current(actor, conflict.object_id)
        take = {f: v["device"] for f, v in conflict.fields.items() if choices[f] == "device"}
        if take:
            kind.write(actor, row, take)
        conflict.status = ConflictStatus.RESOLVED
        conflict.resolved_by = actor.user
        conflict.resolved_at = timezone.now()
        conflict.resolution = {f: choices[f] for f in conflict.fields}
        conflict.save()
        record("sync.conflict.resolve", actor=actor, obj=conflict, changes={"choices": conflict.resolution})

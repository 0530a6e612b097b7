"""Appending to the audit log, verifying its hash chain, and pruning old entries."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shegong.core.crypto import sm3_hex
from shegong.core.net import client_address

from . import guard
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
PRUNE_MIN_AGE_DAYS = guard.PRUNE_MIN_AGE_DAYS


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "seq": event.seq,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "region_code": event.region_code,
        "changes": event.changes,
        "reason": event.reason,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def compute_hash(event: AuditEvent) -> str:
    return sm3_hex(_canonical(event))


def client_ip(request) -> str:
    """The client's address as a trusted proxy reports it (shegong.core.net)."""
    return client_address(request)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    region_code: str = "",
    changes: dict | None = None,
    reason: str = "",
    request=None,
    actor_name: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one entry. Runs inside the caller's transaction so a rolled-back write leaves no entry."""
    user = getattr(actor, "user", actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        region_code = region_code or getattr(obj, "region_code", "") or ""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=getattr(user, "pk", None),
            actor_name=actor_name or (getattr(user, "username", "") or ""),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=str(obj)[:200] if obj is not None else "",
            region_code=region_code or "",
            changes=_jsonable(changes or {}),
            reason=reason[:300],
            ip=client_ip(request),
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def diff(before: dict, after: dict) -> dict:
    """A before/after summary of the fields that changed."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


@dataclass
class VerifyResult:
    checked: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first entry whose hash or link does not hold."""
    head = AuditChainHead.objects.filter(id=1).first()
    expected_prev = head.pruned_anchor_hash if head and head.pruned_through_seq else GENESIS
    expected_seq = (head.pruned_through_seq + 1) if head else 1
    checked = 0
    last_seq = expected_seq - 1
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(checked, expected_seq, f"entry {expected_seq} is missing")
            if event.prev_hash != expected_prev:
                return VerifyResult(checked, event.seq, "link to the previous entry is broken")
            if compute_hash(event) != event.hash:
                return VerifyResult(checked, event.seq, "content does not match its hash")
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
        last_seq = batch[-1].seq
    if head and head.last_seq != expected_seq - 1:
        return VerifyResult(checked, expected_seq, f"entries after {expected_seq - 1} are missing")
    return VerifyResult(checked)


class PruneRefused(ValueError):
    pass


def prune(before: datetime.datetime) -> int:
    """Delete entries older than ``before`` (at least six months old), keeping the chain verifiable."""
    if before > timezone.now() - datetime.timedelta(days=PRUNE_MIN_AGE_DAYS):
        raise PruneRefused("Audit entries younger than 6 months cannot be pruned")
    try:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
            last = AuditEvent.objects.filter(at__lt=before).order_by("-seq").first()
            if last is None:
                return 0
            # Prune a prefix only: the chain must stay contiguous.
            count = AuditEvent.objects.filter(seq__lte=last.seq).count()
            table = AuditEvent._meta.db_table
            # The database refuses deletes outside this guard, and entries younger than six months even inside it.
            with guard.deleting(guard.PRUNE), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last.seq])  # noqa: S608 - table name is ours
            AuditChainHead.objects.filter(id=1).update(
                pruned_through_seq=last.seq, pruned_anchor_hash=last.hash
            )
    except IntegrityError as exc:
        # An entry in the prefix is younger than six months (a clock set back when it was written).
        raise PruneRefused(f"The database refused the prune: {exc}") from exc
    return count

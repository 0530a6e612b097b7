"""The keyed hash that chains audit entries, and the signatures of checkpoints and prune markers.

Every value is an HMAC-SM3 under one version of the audit key (``SHEGONG_AUDIT_KEYS``), over a domain-separated
canonical JSON form: an entry's hash cannot stand in for a checkpoint's signature or the other way round. Without
the key nobody can recompute a valid hash, so rewriting an entry and re-chaining the ones after it shows
(docs/adr/0004-keyed-audit-chain.md).
"""

from __future__ import annotations

import datetime
import hmac
import json
from typing import Any

from shegong.core import crypto

GENESIS = "0" * 64
ENTRY_DOMAIN = b"shegong.audit.entry\x00"
CHECKPOINT_DOMAIN = b"shegong.audit.checkpoint\x00"
PRUNE_DOMAIN = b"shegong.audit.prune\x00"


class UnknownKeyVersion(LookupError):
    """The value was made under an audit key version that is not configured (or under none)."""


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def utc_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(event) -> bytes:
    """The bytes of an entry that its hash covers: every column but the hash itself.

    ``user_agent`` came later (migration 0003): it is covered when the entry has one, so that entries written
    before it keep the hash they were written with.
    """
    payload = {
        "seq": event.seq,
        "at": utc_text(event.at),
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
        "key_id": event.key_id,
    }
    if getattr(event, "user_agent", ""):
        payload["user_agent"] = event.user_agent
    return _json(payload)


def current_key_id() -> str:
    return crypto.audit_keys().current_id


def _mac(domain: bytes, key_id: str, data: bytes) -> str:
    key = crypto.audit_keys().keys.get(key_id) if key_id else None
    if key is None:
        raise UnknownKeyVersion(key_id)
    return crypto.hmac_sm3_hex(key, domain + data)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def entry_hash(event) -> str:
    """The entry's keyed hash under its own key version (``UnknownKeyVersion`` if that is not configured)."""
    return _mac(ENTRY_DOMAIN, event.key_id, canonical(event))


def checkpoint_mac(
    *, key_id: str, last_seq: int, last_hash: str, count: int, taken_at: datetime.datetime
) -> str:
    payload = {
        "last_seq": last_seq,
        "last_hash": last_hash,
        "count": count,
        "taken_at": utc_text(taken_at),
        "key_id": key_id,
    }
    return _mac(CHECKPOINT_DOMAIN, key_id, _json(payload))


def prune_mac(*, key_id: str, through_seq: int, anchor_hash: str) -> str:
    payload = {"through_seq": through_seq, "anchor_hash": anchor_hash, "key_id": key_id}
    return _mac(PRUNE_DOMAIN, key_id, _json(payload))

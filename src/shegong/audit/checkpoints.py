"""Signed checkpoints of the audit chain's head, in their own table and in the log output.

A checkpoint says "entry N had hash H, the log held C entries, at time T", signed under the audit key. The daily
schedule `audit.checkpoint` and `shegong audit checkpoint` take one; each is written as a row of
``AuditCheckpoint`` and as one line on the ``shegong.audit.checkpoint`` logger, so a copy lives outside the
database (journald, a log server). `shegong audit verify [--checkpoint-file FILE]` checks the chain against both.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import chain
from .models import AuditChainHead, AuditCheckpoint

LOGGER_NAME = "shegong.audit.checkpoint"
MARKER = "AUDIT-CHECKPOINT"
LINE = re.compile(MARKER + r" (\{.*\})")

logger = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as verification sees it, read from the table or from a copied log line."""

    last_seq: int
    last_hash: str
    count: int
    taken_at: datetime.datetime
    key_id: str
    mac: str
    source: str  # where it came from, for messages: "#12" (table row) or "checkpoints.log:40"

    @classmethod
    def of(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(row.last_seq, row.last_hash, row.count, row.taken_at, row.key_id, row.mac, f"#{row.pk}")

    def authentic(self) -> bool:
        """Whether the signature holds; ``chain.UnknownKeyVersion`` if its key version is not configured."""
        expected = chain.checkpoint_mac(
            key_id=self.key_id,
            last_seq=self.last_seq,
            last_hash=self.last_hash,
            count=self.count,
            taken_at=self.taken_at,
        )
        return chain.same(expected, self.mac)

    def local_time(self) -> str:
        return timezone.localtime(self.taken_at).strftime("%Y-%m-%d %H:%M")


def log_line(row: AuditCheckpoint) -> str:
    payload = {
        "id": row.pk,
        "taken_at": chain.utc_text(row.taken_at),
        "last_seq": row.last_seq,
        "last_hash": row.last_hash,
        "count": row.count,
        "key_id": row.key_id,
        "mac": row.mac,
    }
    return f"{MARKER} {json.dumps(payload, separators=(',', ':'))}"


def take() -> AuditCheckpoint:
    """Checkpoint the head as it is now; the log line follows once the row is committed."""
    with transaction.atomic():
        # Holding the head row keeps appends out while the checkpoint is taken: last_seq and its hash agree.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        key_id = chain.current_key_id()
        taken_at = timezone.now()
        count = head.last_seq - head.pruned_through_seq
        row = AuditCheckpoint(
            taken_at=taken_at,
            last_seq=head.last_seq,
            last_hash=head.last_hash,
            count=count,
            key_id=key_id,
            mac=chain.checkpoint_mac(
                key_id=key_id,
                last_seq=head.last_seq,
                last_hash=head.last_hash,
                count=count,
                taken_at=taken_at,
            ),
        )
        row.save(force_insert=True)
        transaction.on_commit(lambda: logger.info("%s", log_line(row)))
    return row


def due() -> bool:
    """A checkpoint is due once a day (Asia/Shanghai): while none has been taken today."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return not AuditCheckpoint.objects.filter(taken_at__gte=start).exists()


class UnreadableLine(ValueError):
    pass


def parse(text: str, name: str = "") -> list[Checkpoint]:
    """The checkpoint lines in a copy of the log output; other lines are skipped, a garbled checkpoint line is not."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        match = LINE.search(line)
        try:
            data = json.loads(match.group(1)) if match else None
            taken_at = parse_datetime(data["taken_at"]) if data else None
            if taken_at is None:
                raise ValueError("no time")
            found.append(
                Checkpoint(
                    last_seq=int(data["last_seq"]),
                    last_hash=str(data["last_hash"]),
                    count=int(data["count"]),
                    taken_at=taken_at,
                    key_id=str(data["key_id"]),
                    mac=str(data["mac"]),
                    source=f"{name}:{number}",
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise UnreadableLine(f"{name}:{number}") from exc
    return found

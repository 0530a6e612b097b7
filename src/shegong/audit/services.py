"""Appending to the audit log, checkpointing and verifying its keyed hash chain, and pruning old entries."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import current_request
from shegong.core.net import client_address
from shegong.core.records import diff  # noqa: F401 - the audit diff every service imports from here

from . import chain, checkpoints, guard
from .models import USER_AGENT_MAX, AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS = chain.GENESIS
PRUNE_MIN_AGE_DAYS = guard.PRUNE_MIN_AGE_DAYS


def client_ip(request) -> str:
    """The client's address as a trusted proxy reports it (shegong.core.net)."""
    return client_address(request)


def user_agent(request) -> str:
    """The client's User-Agent header, cut to what the column keeps."""
    if request is None:
        return ""
    return (request.META.get("HTTP_USER_AGENT", "") or "")[:USER_AGENT_MAX]


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
    """Append one entry. Runs inside the caller's transaction so a rolled-back write leaves no entry.

    The client's address and user agent come from ``request``, or else from the request being served (bound by
    accounts' ActorMiddleware), so a service called from a view need not pass it; commands and tasks have none.
    """
    if request is None:
        request = current_request.current()
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
            user_agent=user_agent(request),
            prev_hash=head.last_hash,
            key_id=chain.current_key_id(),
        )
        event.hash = chain.entry_hash(event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def checkpoint() -> AuditCheckpoint:
    """Take a signed checkpoint of the chain's head (a row and a log line); see ``checkpoints``."""
    return checkpoints.take()


@dataclass
class VerifyResult:
    checked: int
    checkpoints: int = 0
    broken_seq: int | None = None
    message: str = ""  # what does not hold, in the active language; empty when the log is intact

    @property
    def ok(self) -> bool:
        return not self.message


def _entry_problem(checked: int, event: AuditEvent, problem: str) -> VerifyResult:
    when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
    message = _("第 #%(seq)s 条记录（%(at)s，%(action)s）%(problem)s") % {
        "seq": event.seq,
        "at": when,
        "action": event.action,
        "problem": problem,
    }
    return VerifyResult(checked, broken_seq=event.seq, message=message)


def _prune_marker_holds(head: AuditChainHead) -> bool:
    try:
        expected = chain.prune_mac(
            key_id=head.pruned_key_id,
            through_seq=head.pruned_through_seq,
            anchor_hash=head.pruned_anchor_hash,
        )
    except chain.UnknownKeyVersion:
        return False
    return chain.same(expected, head.pruned_mac)


def verify(extra_checkpoints: list[checkpoints.Checkpoint] = (), batch_size: int = 5000) -> VerifyResult:
    """Check every entry's keyed hash and link, then every checkpoint (the table's and ``extra_checkpoints``).

    Reports the first entry that does not hold; failing that, a checkpoint the chain no longer reaches (the tail
    was cut) or no longer matches (it was re-chained).
    """
    head = AuditChainHead.objects.filter(id=1).first()
    through = head.pruned_through_seq if head else 0
    if through and not _prune_marker_holds(head):
        return VerifyResult(
            0,
            broken_seq=through,
            message=_(
                "删减标记（第 %(seq)s 条及之前已删减）的签名无效：这些记录不是由 `shegong audit prune` 删减的"
            )
            % {"seq": through},
        )
    anchor = head.pruned_anchor_hash if through else GENESIS
    points = [checkpoints.Checkpoint.of(row) for row in AuditCheckpoint.objects.order_by("id")]
    points += list(extra_checkpoints)
    wanted = {point.last_seq for point in points}
    seen: dict[int, str] = {}

    expected_prev, expected_seq, checked = anchor, through + 1, 0
    last_seq = through
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(
                    checked,
                    broken_seq=expected_seq,
                    message=_("第 #%(seq)s 条记录缺失") % {"seq": expected_seq},
                )
            if not chain.same(event.prev_hash, expected_prev):
                return _entry_problem(checked, event, _("与上一条记录的链接断开"))
            try:
                keyed = chain.entry_hash(event)
            except chain.UnknownKeyVersion:
                return _entry_problem(
                    checked, event, _("的审计密钥版本“%(key)s”未配置") % {"key": event.key_id}
                )
            if not chain.same(keyed, event.hash):
                return _entry_problem(checked, event, _("与其带密钥的哈希不符：内容被改写"))
            if event.seq in wanted:
                seen[event.seq] = event.hash
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
        last_seq = batch[-1].seq
    end = expected_seq - 1
    if head and head.last_seq != end:
        return VerifyResult(
            checked, broken_seq=expected_seq, message=_("第 #%(seq)s 条之后的记录缺失") % {"seq": end}
        )

    for point in points:
        try:
            authentic = point.authentic()
        except chain.UnknownKeyVersion:
            return VerifyResult(
                checked,
                message=_("检查点 %(source)s（%(date)s）的审计密钥版本“%(key)s”未配置")
                % {"source": point.source, "date": point.local_time(), "key": point.key_id},
            )
        if not authentic:
            return VerifyResult(
                checked,
                message=_("检查点 %(source)s（%(date)s）的签名无效：它被伪造或篡改")
                % {"source": point.source, "date": point.local_time()},
            )
    beyond = [point for point in points if point.last_seq > end]
    if beyond:
        point = max(beyond, key=lambda p: p.last_seq)
        return VerifyResult(
            checked,
            broken_seq=end + 1,
            message=_(
                "日志止于第 %(end)s 条，但 %(date)s 的检查点 %(source)s 覆盖到第 %(seq)s 条：末尾的记录被删除"
            )
            % {"end": end, "date": point.local_time(), "source": point.source, "seq": point.last_seq},
        )
    for point in sorted(points, key=lambda p: p.last_seq):
        if point.last_seq < through:
            continue  # its entry was pruned; the prune marker's signature vouches for the new start
        actual = anchor if point.last_seq == through else seen[point.last_seq]
        if not chain.same(actual, point.last_hash):
            return VerifyResult(
                checked,
                broken_seq=point.last_seq,
                message=_("第 #%(seq)s 条的哈希与 %(date)s 的检查点 %(source)s 不符：日志在此之前被重新串链")
                % {"seq": point.last_seq, "date": point.local_time(), "source": point.source},
            )
    return VerifyResult(checked, checkpoints=len(points))


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
            # Signed, so that a prefix deleted some other way cannot pass for a prune.
            key_id = chain.current_key_id()
            AuditChainHead.objects.filter(id=1).update(
                pruned_through_seq=last.seq,
                pruned_anchor_hash=last.hash,
                pruned_key_id=key_id,
                pruned_mac=chain.prune_mac(key_id=key_id, through_seq=last.seq, anchor_hash=last.hash),
            )
    except IntegrityError as exc:
        # An entry in the prefix is younger than six months (a clock set back when it was written).
        raise PruneRefused(f"The database refused the prune: {exc}") from exc
    return count

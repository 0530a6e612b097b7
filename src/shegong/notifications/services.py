"""Writes on the inbox. ``notify`` is the one door the other apps use: it files one message per user and event
(``dedupe_key``) and, after the transaction commits, sends the copies the user asked for by e-mail or SMS."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shegong.core.scoping import across_regions

from .backends import backend_for
from .models import Channel, Delivery, DeliveryStatus, Kind, Message, Preference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """What happened, in untranslated text (``gettext_noop``) with its values; translated when shown."""

    kind: str
    title: str
    body: str = ""
    params: dict | None = None
    link: str = ""


def notify(*, users: Iterable, notice: Notice, region_code: str, dedupe_key: str) -> list[Message]:
    """Put ``notice`` in each user's inbox once: a user who already has ``dedupe_key`` gets nothing new.

    Returns the messages created now. Runs inside the caller's transaction; the outgoing copies leave after commit.
    Call it inside a scope that contains ``region_code`` (tasks run unscoped or in their actor's scope).
    """
    if notice.kind not in Kind.values:
        raise ValueError(f"unknown message kind {notice.kind!r}")
    if not dedupe_key:
        raise ValueError("notify() needs a dedupe_key")
    user_ids = sorted({getattr(u, "pk", u) for u in users})
    if not user_ids:
        return []
    created: list[Message] = []
    with transaction.atomic():
        with across_regions("dedupe: the user's copy of this event counts wherever it was filed"):
            have = set(
                Message.objects.filter(recipient_id__in=user_ids, dedupe_key=dedupe_key).values_list(
                    "recipient_id", flat=True
                )
            )
        for user_id in user_ids:
            if user_id in have:
                continue
            message = Message(
                recipient_id=user_id,
                kind=notice.kind,
                title=notice.title,
                body=notice.body,
                params=notice.params or {},
                link=notice.link,
                region_code=region_code,
                dedupe_key=dedupe_key,
            )
            message.full_clean(validate_unique=False, validate_constraints=False)
            try:
                # A second evaluation racing this one hits the unique constraint: that user already has it.
                with transaction.atomic():
                    message.save()
            except IntegrityError:
                continue
            created.append(message)
        deliveries = _plan_deliveries(created)
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliver(ids))
    return created


def _plan_deliveries(messages: list[Message]) -> list[Delivery]:
    if not messages:
        return []
    preferences = {
        p.user_id: p for p in Preference.objects.filter(user_id__in={m.recipient_id for m in messages})
    }
    planned = []
    for message in messages:
        preference = preferences.get(message.recipient_id)
        for channel in preference.channels_for(message.kind) if preference else []:
            delivery = Delivery(message=message, channel=channel)
            delivery.save()
            planned.append(delivery)
    return planned


def _address(delivery: Delivery) -> str:
    user = delivery.message.recipient
    if delivery.channel == Channel.EMAIL:
        return (user.email or "").strip()
    preference = Preference.objects.filter(user=user).first()
    return (preference.phone if preference else "").strip()


def deliver(delivery_ids: Iterable[int]) -> dict[str, int]:
    """Send the given deliveries; each ends ``sent``, ``failed`` (with its error, logged) or ``skipped``.

    Called after commit, for the system: the request's or task's scope may be gone by then, so it reads its own
    rows by id across regions. Never raises: a failure is a row to look at, not a lost message.
    """
    with across_regions("outgoing delivery after commit reads the rows it was handed by id"):
        return _deliver(list(delivery_ids))


def _deliver(delivery_ids: list[int]) -> dict[str, int]:
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    rows = Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING)
    for delivery in rows.select_related("message", "message__recipient"):
        delivery.attempts += 1
        address = _address(delivery)
        if not address:
            delivery.status = DeliveryStatus.SKIPPED
            delivery.error = "no address" if delivery.channel == Channel.EMAIL else "no mobile number"
            logger.warning(
                "message %s not sent by %s: %s", delivery.message_id, delivery.channel, delivery.error
            )
        else:
            message = delivery.message
            try:
                backend_for(delivery.channel).send(
                    address=address, subject=message.shown_title, text=_outgoing_text(message)
                )
            except Exception as exc:  # noqa: BLE001 - whatever the gateway raises is recorded, never lost
                delivery.status = DeliveryStatus.FAILED
                delivery.error = f"{type(exc).__name__}: {exc}"[:500]
                logger.exception("message %s not sent by %s", delivery.message_id, delivery.channel)
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = timezone.now()
                delivery.error = ""
        delivery.save(update_fields=["status", "attempts", "error", "sent_at"])
        outcome["sent" if delivery.status == DeliveryStatus.SENT else str(delivery.status)] += 1
    return outcome


def _outgoing_text(message: Message) -> str:
    """The copy that leaves the platform names no person: the title and where to read the rest."""
    text = gettext("请登录社工服务平台查看详情。")
    return f"{message.shown_title}\n{text}" + (f"\n{message.link}" if message.link else "")


def message_mark_read(*, actor, message: Message) -> Message:
    """The reader's own message only: views fetch it by recipient, this checks again."""
    if message.recipient_id != getattr(actor.user, "pk", None):
        raise PermissionError("not the recipient")
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def messages_mark_all_read(*, actor) -> int:
    return Message.objects.filter(recipient=actor.user, read_at__isnull=True).update(read_at=timezone.now())


def preference_save(*, actor, email_kinds: list[str], sms_kinds: list[str], phone: str) -> Preference:
    preference = Preference.objects.filter(user=actor.user).first() or Preference(user=actor.user)
    preference.email_kinds = sorted(set(email_kinds) & set(Kind.values))
    preference.sms_kinds = sorted(set(sms_kinds) & set(Kind.values))
    preference.phone = (phone or "").strip()
    preference.full_clean()
    preference.save()
    return preference

"""Telling the station head: an overdue high-risk visit (the worklist's "已上报站长") becomes a message in the
inbox of every township (站长) account whose region contains the recipient, once per recipient and due period.

The schedule is due while some escalation has a station head who has not been told yet, so `run-due` ticks cost one
small query when nothing is new; the task is idempotent (``notifications`` keys each message by the event).
"""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.core import schedules
from shegong.core.tasks import scoped_task
from shegong.notifications.models import Kind, Message
from shegong.notifications.services import Notice, notify

from .selectors import escalations

logger = logging.getLogger(__name__)

ESCALATE = "visits.escalate"


def due_period_key(recipient, today) -> str:
    """One key per recipient and due period: the routine due date, or the event deadline when that is what's late."""
    if recipient.next_due_on and recipient.next_due_on < today:
        return f"visit-escalated:{recipient.pk}:{recipient.next_due_on:%Y-%m-%d}"
    return f"visit-escalated:{recipient.pk}:event:{recipient.event_due_at:%Y-%m-%dT%H:%M}"


def pending(today=None) -> list[tuple[object, str, list[int]]]:
    """(recipient, key, station heads not yet told) for every escalation someone still has to hear about."""
    from django.utils import timezone

    today = today or timezone.localdate()
    found = []
    for recipient in escalations(today=today):
        key = due_period_key(recipient, today)
        heads = role_holders([Role.TOWNSHIP], recipient.region_code)
        if heads:
            found.append((recipient, key, heads))
    if not found:
        return []
    told = set(
        Message.objects.filter(dedupe_key__in=[key for _, key, _ in found]).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    result = []
    for recipient, key, heads in found:
        untold = [user_id for user_id in heads if (user_id, key) not in told]
        if untold:
            result.append((recipient, key, untold))
    return result


def notice_for(recipient, today) -> Notice:
    late = (
        (today - recipient.next_due_on).days if recipient.next_due_on and recipient.next_due_on < today else 0
    )
    if late:
        body = gettext_noop("%(name)s（%(village)s）应于 %(due)s 探访，已逾期 %(days)d 天，请督促落实。")
    else:
        body = gettext_noop("%(name)s（%(village)s）发生重大变故后应于 %(due)s 前探访，已超时，请督促落实。")
    due = recipient.next_due_on if late else recipient.event_due_at
    return Notice(
        kind=Kind.VISIT_ESCALATED,
        title=gettext_noop("高风险服务对象逾期未访"),
        body=body,
        params={
            "name": recipient.name,
            "village": recipient.region.name,
            "due": f"{due:%Y-%m-%d}" if late else f"{due:%Y-%m-%d %H:%M}",
            "days": late,
        },
        link=reverse("recipients:detail", args=[recipient.pk]),
    )


@scoped_task
def notify_escalations(*, actor_id: int | None) -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    sent = 0
    for recipient, key, heads in pending(today):
        sent += len(
            notify(
                users=heads,
                notice=notice_for(recipient, today),
                region_code=recipient.region_code,
                dedupe_key=key,
            )
        )
    logger.info("visit escalations: %d message(s) to station heads", sent)
    return {"messages": sent}


ESCALATIONS = schedules.Schedule(
    ESCALATE,
    notify_escalations,
    lambda: bool(pending()),
    "tells the station heads about overdue high-risk visits, once per recipient and due period",
)

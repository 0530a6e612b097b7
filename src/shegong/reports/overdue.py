"""Telling the station head: a station's weekly report not submitted by its deadline (Monday 12:00 by the seed's
policy) becomes one message to each township account over the station, once per station and week."""

from __future__ import annotations

import logging

from django.urls import reverse
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.core import schedules
from shegong.core.scoping import region_wide
from shegong.core.tasks import scoped_task
from shegong.notifications.models import Kind, Message
from shegong.notifications.services import Notice, notify

from . import selectors

logger = logging.getLogger(__name__)


def key_of(status) -> str:
    return f"report-overdue:{status.node.pk}:{status.week_start:%Y-%m-%d}"


def pending(now=None) -> list[tuple[object, list[int]]]:
    """(overdue week, station heads not yet told)."""
    with region_wide("a station's overdue report is told to its heads, whoever runs the schedule"):
        late = selectors.overdue(selectors.stations(None), now)
    found = [(s, role_holders([Role.TOWNSHIP], s.node.region_code)) for s in late]
    found = [(s, heads) for s, heads in found if heads]
    if not found:
        return []
    told = set(
        Message.objects.filter(dedupe_key__in=[key_of(s) for s, _ in found]).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    out = []
    for status, heads in found:
        untold = [user_id for user_id in heads if (user_id, key_of(status)) not in told]
        if untold:
            out.append((status, untold))
    return out


@scoped_task
def notify_overdue(*, actor_id: int | None, now=None) -> dict:
    sent = 0
    for status, heads in pending(now):
        notice = Notice(
            kind=Kind.REPORT_OVERDUE,
            title=gettext_noop("周报逾期未报送"),
            body=gettext_noop(
                "%(station)s %(week)s 一周的工作报送已过截止时间（%(deadline)s），请尽快报送。"
            ),
            params={
                "station": status.node.name,
                "week": f"{status.week_start:%Y-%m-%d}",
                "deadline": f"{status.deadline:%Y-%m-%d %H:%M}",
            },
            link=reverse("reports:list") + "?kind=weekly",
        )
        sent += len(
            notify(users=heads, notice=notice, region_code=status.node.region_code, dedupe_key=key_of(status))
        )
    logger.info("weekly reports overdue: %d message(s) to station heads", sent)
    return {"messages": sent}


OVERDUE_SCHEDULE = schedules.Schedule(
    "reports.overdue",
    notify_overdue,
    lambda: bool(pending()),
    "tells the station heads whose weekly report is past its deadline, once per station and week",
)

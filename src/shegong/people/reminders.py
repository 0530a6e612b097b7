"""Daily notices from the people registry: filings about to be overdue (to the employing organisation's operator)
and volunteer hours waiting for confirmation (a digest to whoever may confirm them).

Both are daily schedules (``ran_today``) and idempotent: the messages are keyed by the event, so a second run the
same day, or a rerun after a crash, adds nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role, roles_with
from shegong.accounts.selectors import role_holders
from shegong.core import schedules
from shegong.core.regioncodes import in_subtree
from shegong.core.tasks import scoped_task
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.regions.selectors import policy_q

from .models import AssignmentFilingStatus, HoursStatus, VolunteerHours, WorkerAssignment

logger = logging.getLogger(__name__)

FILING_REMINDERS = "people.filing-reminders"
HOURS_DIGEST = "people.hours-digest"
# How many days before its filing deadline an unfiled posting is reminded about.
FILING_WARN_DAYS = 3


def filings_due_soon(today: datetime.date):
    """Unfiled postings still in post whose deadline falls within the next FILING_WARN_DAYS days (today included)."""

    def window(days: int) -> Q:
        first_start = today - datetime.timedelta(days=days)
        return Q(
            start_date__gte=first_start,
            start_date__lte=first_start + datetime.timedelta(days=FILING_WARN_DAYS),
        )

    return (
        WorkerAssignment.objects.filter(
            policy_q("filing_due_days", window),
            filing_status=AssignmentFilingStatus.UNFILED,
            end_date__isnull=True,
            worker__employer__isnull=False,
        )
        .select_related("worker", "node")
        .order_by("pk")
    )


def remind_filings(today: datetime.date) -> int:
    sent = 0
    for assignment in filings_due_soon(today):
        operators = role_holders(
            [Role.OPERATOR], assignment.region_code, organisation_id=assignment.worker.employer_id
        )
        notice = Notice(
            kind=Kind.FILING_DUE,
            title=gettext_noop("社工岗位备案即将逾期"),
            body=gettext_noop("%(worker)s 在 %(node)s 的岗位应于 %(due)s 前报备，请及时办理。"),
            params={
                "worker": assignment.worker.name,
                "node": assignment.node.name,
                "due": f"{assignment.filing_due:%Y-%m-%d}",
            },
            link=reverse("people:worker_detail", args=[assignment.worker_id]),
        )
        sent += len(
            notify(
                users=operators,
                notice=notice,
                region_code=assignment.region_code,
                dedupe_key=f"filing-due:{assignment.pk}:{assignment.filing_due:%Y-%m-%d}",
            )
        )
    return sent


def digest_hours(today: datetime.date) -> int:
    """One message a day per confirming grant whose region has hours waiting."""
    waiting = (
        VolunteerHours.objects.filter(status=HoursStatus.LOGGED)
        .values("region_code")
        .annotate(entries=Count("pk"), hours=Sum("hours"))
        .order_by()
    )
    by_region = [(row["region_code"], row["entries"], row["hours"] or Decimal(0)) for row in waiting]
    if not by_region:
        return 0
    from shegong.accounts.models import RoleAssignment

    grants = RoleAssignment.objects.filter(
        role__in=sorted(roles_with("hours.confirm")), user__is_active=True
    ).values_list("user_id", "region_id")
    users_by_region: dict[str, set[int]] = defaultdict(set)
    for user_id, region_code in grants:
        users_by_region[region_code].add(user_id)
    sent = 0
    for region_code, users in sorted(users_by_region.items()):
        entries = sum(n for code, n, _ in by_region if in_subtree(code, region_code))
        hours = sum((h for code, _, h in by_region if in_subtree(code, region_code)), Decimal(0))
        if not entries:
            continue
        notice = Notice(
            kind=Kind.HOURS_PENDING,
            title=gettext_noop("志愿服务时长待确认"),
            body=gettext_noop("辖区内有 %(entries)d 条志愿服务时长（共 %(hours)s 小时）等待确认。"),
            params={"entries": entries, "hours": str(hours)},
            link=reverse("people:hours") + "?status=" + HoursStatus.LOGGED,
        )
        sent += len(
            notify(
                users=users,
                notice=notice,
                region_code=region_code,
                dedupe_key=f"hours-pending:{today:%Y-%m-%d}:{region_code}",
            )
        )
    return sent


@scoped_task
def filing_reminders(*, actor_id: int | None) -> dict:
    sent = remind_filings(timezone.localdate())
    schedules.mark_done(FILING_REMINDERS)
    logger.info("filing reminders: %d message(s)", sent)
    return {"messages": sent}


@scoped_task
def hours_digest(*, actor_id: int | None) -> dict:
    sent = digest_hours(timezone.localdate())
    schedules.mark_done(HOURS_DIGEST)
    logger.info("volunteer hours digest: %d message(s)", sent)
    return {"messages": sent}


FILING_SCHEDULE = schedules.Schedule(
    FILING_REMINDERS,
    filing_reminders,
    lambda: not schedules.ran_today(FILING_REMINDERS),
    "reminds each organisation's operator of postings whose filing deadline is near, once a day",
)
HOURS_SCHEDULE = schedules.Schedule(
    HOURS_DIGEST,
    hours_digest,
    lambda: not schedules.ran_today(HOURS_DIGEST),
    "a daily digest of volunteer hours waiting for confirmation to those who may confirm them",
)

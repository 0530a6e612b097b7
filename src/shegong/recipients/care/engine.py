"""The policy engine against the database: rule tables, each recipient's requirement and due dates, the monthly
visit obligations and the (village × month) rollups that the visit-rate dashboards read.

Obligations and rollups change only here, inside the caller's transaction, so they are always as current as the
visits. Callers use the package's public names (``shegong.recipients.care``), never this module's private ones.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from shegong.core.bulk import insert_rows
from shegong.core.regioncodes import ancestors_of
from shegong.core.scoping import across_regions, region_wide

from . import policy
from .models import EventRule, Frequency, VisitObligation, VisitRollup, VisitRule


@dataclass
class RuleTable:
    region_code: str | None  # None: the defaults
    rules: list[policy.Rule] = field(default_factory=list)
    event_hours: int = policy.DEFAULT_EVENT_HOURS


DEFAULT_TABLE = RuleTable(None, list(policy.DEFAULT_RULES), policy.DEFAULT_EVENT_HOURS)


def _whole_villages(function):
    """The ledger counts every recipient of a village, whoever acts: lift the relationship restriction."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with region_wide("the care ledger keeps whole villages' obligations and rollups"):
            return function(*args, **kwargs)

    return wrapper


def rule_tables(village_codes: Iterable[str]) -> dict[str, RuleTable]:
    """The rule table of each region: the nearest one (the code itself, then its ancestors) that has rules.

    Two queries for any number of regions, so a roster import plans thousands of rows as cheaply as one.
    """
    chains = {v: [v, *reversed(ancestors_of(v))] for v in set(village_codes)}
    codes = {c for chain in chains.values() for c in chain}
    rules: dict[str, list[VisitRule]] = {}
    for rule in VisitRule.objects.filter(region_id__in=codes).select_related("category"):
        rules.setdefault(rule.region_id, []).append(rule)
    events: dict[str, EventRule] = {}
    for event in EventRule.objects.filter(region_id__in=rules):
        events.setdefault(event.region_id, event)
    built: dict[str, RuleTable] = {}
    tables: dict[str, RuleTable] = {}
    for village, chain in chains.items():
        owner = next((c for c in chain if c in rules), None)
        if owner is None:
            tables[village] = DEFAULT_TABLE
            continue
        if owner not in built:
            event = events.get(owner)
            built[owner] = RuleTable(
                owner,
                [
                    policy.Rule(r.category.code if r.category else None, r.risk_tier, r.frequency, r.note)
                    for r in rules[owner]
                ],
                event.within_hours if event else policy.DEFAULT_EVENT_HOURS,
            )
        tables[village] = built[owner]
    return tables


def rule_table(region_code: str) -> RuleTable:
    """The rule table that applies in one region."""
    return rule_tables([region_code])[region_code]


def current_categories(recipient, on: datetime.date) -> set[str]:
    return {
        m.category.code
        for m in recipient.memberships.select_related("category")
        if m.start_on <= on and (m.end_on is None or m.end_on >= on)
    }


@_whole_villages
def refresh_recipient(recipient, *, today: datetime.date | None = None, save: bool = True) -> None:
    """Recompute the requirement, next due date and event deadline; open this month's obligation."""
    from shegong.recipients.models import RecipientStatus

    today = today or timezone.localdate()
    table = rule_table(recipient.region_code)
    rule = policy.strictest(table.rules, current_categories(recipient, today), recipient.risk_tier)
    last = recipient.last_visit_at
    if recipient.status != RecipientStatus.ACTIVE or rule is None:
        recipient.frequency = rule.frequency if rule else ""
        recipient.next_due_on = None
        recipient.event_due_at = None
    else:
        recipient.frequency = rule.frequency
        recipient.next_due_on = policy.next_due(
            rule.frequency,
            last_visit=timezone.localtime(last).date() if last else None,
            registered_on=recipient.registered_on,
        )
        recipient.event_due_at = policy.event_deadline(
            recipient.events.values_list("occurred_at", flat=True),
            last_visit_at=last,
            within_hours=table.event_hours,
        )
        if recipient.event_due_at is not None:
            # One indexed column drives the worklist: the event deadline pulls the due date forward.
            recipient.next_due_on = min(
                recipient.next_due_on, timezone.localtime(recipient.event_due_at).date()
            )
    if save:
        with across_regions("the row in hand, which may just have moved out of the actor's area"):
            type(recipient).objects.filter(pk=recipient.pk).update(
                frequency=recipient.frequency,
                last_visit_at=recipient.last_visit_at,
                next_due_on=recipient.next_due_on,
                event_due_at=recipient.event_due_at,
            )
        if recipient.status == RecipientStatus.ACTIVE:
            ensure_obligation(recipient, policy.month_start(today))


# Obligations and rollups ---------------------------------------------------------------------------------------


def _bump(region_code: str, month: datetime.date, *, due: int = 0, visited: int = 0) -> None:
    if not due and not visited:
        return
    _open_rollup(region_code, month)
    VisitRollup.objects.filter(region_code=region_code, month=month).update(
        due=F("due") + due, visited=F("visited") + visited
    )


def due_candidates(month: datetime.date, recipients=None):
    """The recipients (of ``recipients``, default all) that a month's ledger makes due when it opens.

    Active recipients with a requirement registered by the month's end; quarterly ones only in the quarter's last
    month and only when no visit earlier in the quarter already met the requirement.
    """
    from shegong.recipients.models import Recipient, RecipientStatus

    queryset = Recipient.objects.all() if recipients is None else recipients
    candidates = queryset.filter(
        status=RecipientStatus.ACTIVE, registered_on__lte=policy.month_end(month)
    ).exclude(frequency="")
    if month.month % 3 != 0:
        return candidates.exclude(frequency=Frequency.QUARTERLY)
    earlier = policy.quarter_months(month)[:2]
    return candidates.exclude(
        Q(frequency=Frequency.QUARTERLY)
        & Q(pk__in=VisitObligation.objects.filter(month__in=earlier, visited=True).values("recipient_id"))
    )


def _open_rollup(
    region_code: str, month: datetime.date, *, today: datetime.date | None = None
) -> VisitRollup | None:
    """The first time a village's month is touched, every active recipient due in it gets its obligation.

    Returns the rollup it opened, or None when the month was already open. Safe against concurrent openers: the
    rollup row is inserted first and claims the (village, month) — on PostgreSQL a second opener's insert waits
    for the first transaction and then fails on the unique constraint, so it never counts the obligations twice;
    SQLite runs one write transaction at a time.
    """
    from shegong.recipients.models import Recipient

    if VisitRollup.objects.filter(region_code=region_code, month=month).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                rollup = VisitRollup.objects.create(region_code=region_code, month=month)
        except IntegrityError:
            return None  # opened by a concurrent transaction that has committed since
        if month >= policy.month_start(today or timezone.localdate()):
            # A recipient who moved in this month may already owe it elsewhere: keep that obligation.
            VisitObligation.objects.bulk_create(
                [
                    VisitObligation(recipient_id=pk, month=month, region_code=region_code)
                    for pk in due_candidates(
                        month, Recipient.objects.filter(region_code=region_code)
                    ).values_list("pk", flat=True)
                ],
                ignore_conflicts=True,
            )
        counts = VisitObligation.objects.filter(region_code=region_code, month=month).aggregate(
            due=Count("id"), visited=Count("id", filter=Q(visited=True))
        )
        VisitRollup.objects.filter(pk=rollup.pk).update(due=counts["due"], visited=counts["visited"])
        rollup.due, rollup.visited = counts["due"], counts["visited"]
    return rollup


def _quarter_already_met(recipient, month: datetime.date) -> bool:
    """A quarterly recipient visited earlier in the quarter owes nothing more in it."""
    return (
        recipient.frequency == Frequency.QUARTERLY
        and VisitObligation.objects.filter(
            recipient=recipient, month__in=policy.quarter_months(month), visited=True
        ).exists()
    )


def ensure_obligation(recipient, month: datetime.date) -> None:
    if not recipient.frequency or not policy.due_in_month(recipient.frequency, month):
        return
    if _quarter_already_met(recipient, month):
        return
    _open_rollup(recipient.region_code, month)
    _, created = VisitObligation.objects.get_or_create(
        recipient=recipient, month=month, defaults={"region_code": recipient.region_code}
    )
    if created:
        _bump(recipient.region_code, month, due=1)


def count_visit(recipient, visited_on: datetime.date) -> None:
    """A visit was written: mark the month's obligation met (creating it if the recipient was not yet due)."""
    if not recipient.frequency:
        return
    month = policy.month_start(visited_on)
    if _quarter_already_met(recipient, month):
        return
    _open_rollup(recipient.region_code, month)
    obligation, created = VisitObligation.objects.get_or_create(
        recipient=recipient, month=month, defaults={"region_code": recipient.region_code, "visited": True}
    )
    if created:
        _bump(obligation.region_code, month, due=1, visited=1)
    elif VisitObligation.objects.filter(pk=obligation.pk, visited=False).update(visited=True):
        # Only the writer whose update flipped the flag counts it: under READ COMMITTED a concurrent writer's
        # update waits for this row lock, re-reads ``visited=False`` as false and changes nothing.
        _bump(obligation.region_code, month, visited=1)


@_whole_villages
def record_visit(recipient, visited_at: datetime.datetime) -> None:
    """A visit was written: remember the latest visit, count it toward its month, recompute what is due next."""
    if recipient.last_visit_at is None or visited_at > recipient.last_visit_at:
        recipient.last_visit_at = visited_at
    count_visit(recipient, timezone.localtime(visited_at).date())
    refresh_recipient(recipient)


@_whole_villages
def drop_open_obligations(recipient, *, from_month: datetime.date) -> None:
    """The recipient left the registry (moved, deceased, closed): unmet obligations from now on no longer count."""
    for obligation in VisitObligation.objects.filter(
        recipient=recipient, month__gte=from_month, visited=False
    ):
        obligation.delete()
        _bump(obligation.region_code, obligation.month, due=-1)


@_whole_villages
def add_new_recipients(recipients: list[tuple[int, str, str]], month: datetime.date) -> None:
    """Newly registered (pk, village, frequency) rows owe ``month``: their obligations and rollups, in bulk."""
    by_village: dict[str, list[int]] = {}
    for pk, village, frequency in recipients:
        if frequency and policy.due_in_month(frequency, month):
            by_village.setdefault(village, []).append(pk)
    opened = set(
        VisitRollup.objects.filter(region_code__in=list(by_village), month=month).values_list(
            "region_code", flat=True
        )
    )
    obligations = []
    bumps: dict[int, list[str]] = {}
    for village, people in by_village.items():
        if village not in opened and _open_rollup(village, month) is not None:
            continue  # opened here: the obligations of everyone there, new rows included
        # Open already, or opened meanwhile by another transaction (the month-start run), which cannot have seen
        # these uncommitted rows: they are added here.
        obligations.extend((village, pk, month, False) for pk in people)
        bumps.setdefault(len(people), []).append(village)
    # The rollups already open: one update per distinct count rather than one per village.
    for count, villages in bumps.items():
        for start in range(0, len(villages), 2000):
            VisitRollup.objects.filter(region_code__in=villages[start : start + 2000], month=month).update(
                due=F("due") + count
            )
    insert_rows(VisitObligation, ["region_code", "recipient_id", "month", "visited"], obligations)


def backfill(
    recipients,
    visit_days: dict[int, list[datetime.date]],
    months: list[datetime.date],
    *,
    today: datetime.date,
) -> None:
    """Past months' obligations and rollups for recipients whose visits on ``visit_days`` were loaded in bulk (the
    demo's history), as ``reconcile`` would build them. The months must not be open yet."""
    obligations = []
    current_month = policy.month_start(today)
    start = months[0]
    for recipient in recipients:
        if not recipient.frequency:
            continue
        visited_months = {policy.month_start(d) for d in visit_days.get(recipient.pk, [])}
        if recipient.frequency == Frequency.QUARTERLY:
            for quarter_start in sorted({policy.quarter_months(m)[0] for m in months}):
                quarter = [m for m in policy.quarter_months(quarter_start) if start <= m <= current_month]
                hit = [m for m in quarter if m in visited_months]
                if hit:
                    obligations.append(
                        VisitObligation(
                            recipient=recipient, month=hit[0], visited=True, region_code=recipient.region_code
                        )
                    )
                elif quarter and quarter[-1] == policy.quarter_months(quarter_start)[2]:
                    obligations.append(
                        VisitObligation(
                            recipient=recipient,
                            month=quarter[-1],
                            visited=False,
                            region_code=recipient.region_code,
                        )
                    )
        else:
            for month in months:
                obligations.append(
                    VisitObligation(
                        recipient=recipient,
                        month=month,
                        visited=month in visited_months,
                        region_code=recipient.region_code,
                    )
                )
    VisitObligation.objects.bulk_create(obligations, batch_size=5000, ignore_conflicts=True)
    totals: dict[tuple[str, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    for obligation in obligations:
        entry = totals[(obligation.region_code, obligation.month)]
        entry[0] += 1
        entry[1] += int(obligation.visited)
    VisitRollup.objects.bulk_create(
        [
            VisitRollup(region_code=code, month=month, due=due, visited=seen)
            for (code, month), (due, seen) in totals.items()
        ],
        batch_size=2000,
    )


# The month-start ledger ------------------------------------------------------------------------------------------


@dataclass
class OpenedMonth:
    month: datetime.date
    villages: int  # ledgers opened by this run
    due: int  # obligations in the ledgers it opened


def villages_to_open(month: datetime.date):
    """The villages with a recipient under a visit requirement whose ``month`` ledger is not open yet."""
    from shegong.recipients.models import Recipient, RecipientStatus

    return (
        Recipient.objects.filter(status=RecipientStatus.ACTIVE, registered_on__lte=policy.month_end(month))
        .exclude(frequency="")
        .exclude(region_code__in=VisitRollup.objects.filter(month=month).values("region_code"))
        .values_list("region_code", flat=True)
        .distinct()
        .order_by("region_code")
    )


def open_month(*, today: datetime.date | None = None) -> OpenedMonth:
    """Open the current month's ledger in every village that has recipients under a visit requirement.

    Each village opens in its own short transaction, so visit writes are held up by one village at most and an
    interrupted run resumes where it stopped. Running it again (or alongside itself) opens nothing twice.
    """
    today = today or timezone.localdate()
    month = policy.month_start(today)
    result = OpenedMonth(month, 0, 0)
    for region_code in list(villages_to_open(month)):
        rollup = _open_rollup(region_code, month, today=today)
        if rollup is not None:
            result.villages += 1
            result.due += rollup.due
    return result


# Reconciliation --------------------------------------------------------------------------------------------------


@dataclass
class Difference:
    region_code: str
    month: datetime.date
    stored: tuple[int, int]
    actual: tuple[int, int]


def reconcile(
    visits: Iterable[tuple[int, datetime.datetime, str]],
    *,
    months: Iterable[datetime.date] | None = None,
    fix: bool = True,
) -> list[Difference]:
    """Recompute every obligation's ``visited`` from raw visits and every rollup from the obligations.

    ``visits`` yields (recipient id, visited at, the recipient's frequency) for every visit on record; the visits
    app, which owns them, supplies it.
    """
    differences: list[Difference] = []
    with transaction.atomic():
        obligations = VisitObligation.objects.all()
        if months is not None:
            obligations = obligations.filter(month__in=list(months))
        met: set[tuple[int, datetime.date]] = set()
        for recipient_id, visited_at, frequency in visits:
            day = timezone.localtime(visited_at).date()
            if frequency == Frequency.QUARTERLY:
                for month in policy.quarter_months(day):
                    met.add((recipient_id, month))
            else:
                met.add((recipient_id, policy.month_start(day)))
        to_true, to_false = [], []
        for pk, recipient_id, month, visited in obligations.values_list(
            "pk", "recipient_id", "month", "visited"
        ):
            should = (recipient_id, month) in met
            if should != visited:
                (to_true if should else to_false).append(pk)
        if fix:
            for chunk in range(0, len(to_true), 500):
                VisitObligation.objects.filter(pk__in=to_true[chunk : chunk + 500]).update(visited=True)
            for chunk in range(0, len(to_false), 500):
                VisitObligation.objects.filter(pk__in=to_false[chunk : chunk + 500]).update(visited=False)
        actual = {
            (r["region_code"], r["month"]): (r["due"], r["visited"])
            for r in obligations.values("region_code", "month").annotate(
                due=Count("id"), visited=Count("id", filter=Q(visited=True))
            )
        }
        rollups = VisitRollup.objects.all()
        if months is not None:
            rollups = rollups.filter(month__in=list(months))
        stored = {(r.region_code, r.month): r for r in rollups}
        for key in sorted(set(actual) | set(stored)):
            have = (stored[key].due, stored[key].visited) if key in stored else (0, 0)
            want = actual.get(key, (0, 0))
            if have != want:
                differences.append(Difference(key[0], key[1], have, want))
                if fix:
                    if key in stored:
                        VisitRollup.objects.filter(pk=stored[key].pk).update(due=want[0], visited=want[1])
                    else:
                        VisitRollup.objects.create(
                            region_code=key[0], month=key[1], due=want[0], visited=want[1]
                        )
    return differences

"""The visit policy engine (探访关爱, SPEC §5): rules → each recipient's requirement → due dates.

A rule says: recipients of this category (or any) at this risk tier (or any) must be visited at least once in every
calendar period of a frequency — a week (Monday–Sunday), a half month (1st–15th, 16th–end), a month or a quarter.
A recipient's requirement is the strictest rule that applies. Event rules add a deadline: after a major event the
recipient must be visited within N hours, whatever the frequency.

Everything here is pure: callers pass the rules, categories, last visit and events in.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FREQUENCY_DAYS, Frequency

HIGH, KEY, GENERAL = 1, 2, 3


@dataclass(frozen=True)
class Rule:
    category: str | None  # a Category code, or None for any
    risk_tier: int | None  # 1 high, 2 key, 3 general, or None for any
    frequency: str
    note: str | Promise = ""  # the defaults are lazy translations, rendered in the reader's language

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.frequency).label)

    def applies(self, categories: set[str], risk_tier: int) -> bool:
        return (self.category is None or self.category in categories) and (
            self.risk_tier is None or self.risk_tier == risk_tier
        )


# The defaults of SPEC §5, used where a region has set no rules of its own. Notes are shown to every deployment,
# so they say what the rule asks and nothing else; where each figure comes from is in docs/visit-rules.md.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(None, HIGH, Frequency.WEEKLY, _("高风险对象每周至少探访 1 次")),
    Rule(None, KEY, Frequency.MONTHLY, _("重点对象每月至少探访 1 次")),
    Rule(None, GENERAL, Frequency.QUARTERLY, _("一般对象每季度至少探访 1 次")),
    Rule("elderly_empty_nest", None, Frequency.SEMIMONTHLY, _("空巢老人每月至少探访 2 次")),
    Rule("elderly_solitary", None, Frequency.SEMIMONTHLY, _("独居老人每月至少探访 2 次")),
)
DEFAULT_EVENT_HOURS = 24


def strictest(rules: Iterable[Rule], categories: set[str], risk_tier: int) -> Rule | None:
    """The applicable rule with the shortest period; ties go to the first in the table."""
    best: Rule | None = None
    for rule in rules:
        if rule.applies(categories, risk_tier) and (
            best is None
            or FREQUENCY_DAYS[Frequency(rule.frequency)] < FREQUENCY_DAYS[Frequency(best.frequency)]
        ):
            best = rule
    return best


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_months(day: datetime.date) -> list[datetime.date]:
    first = (day.month - 1) // 3 * 3 + 1
    return [datetime.date(day.year, first + i, 1) for i in range(3)]


def period_of(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar period of ``frequency`` containing ``day`` (both ends inclusive)."""
    if frequency == Frequency.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if frequency == Frequency.SEMIMONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), month_end(day)
    if frequency == Frequency.MONTHLY:
        return month_start(day), month_end(day)
    if frequency == Frequency.QUARTERLY:
        months = quarter_months(day)
        return months[0], month_end(months[2])
    raise ValueError(f"unknown frequency {frequency!r}")


def next_due(
    frequency: str, *, last_visit: datetime.date | None, registered_on: datetime.date
) -> datetime.date:
    """The last day of the first period still owing a visit.

    Never visited: the period the recipient was registered in. Otherwise the period after the last visit's — a
    visit late for an earlier period counts for the period it falls in.
    """
    if last_visit is None:
        return period_of(frequency, registered_on)[1]
    _, end = period_of(frequency, last_visit)
    return period_of(frequency, end + datetime.timedelta(days=1))[1]


def event_deadline(
    events: Iterable[datetime.datetime], *, last_visit_at: datetime.datetime | None, within_hours: int
) -> datetime.datetime | None:
    """The deadline of the earliest major event not yet followed by a visit."""
    pending = [e for e in events if last_visit_at is None or e > last_visit_at]
    if not pending:
        return None
    return min(pending) + datetime.timedelta(hours=within_hours)


def due_in_month(frequency: str, month: datetime.date) -> bool:
    """Whether the month counts the recipient as due (the denominator of the monthly visit rate)."""
    if frequency == Frequency.QUARTERLY:
        return month.month % 3 == 0
    return bool(frequency)


def months_back(end: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the ``count`` months ending with ``end``'s month, oldest first."""
    months = []
    year, month = end.year, end.month
    for _step in range(count):
        months.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))

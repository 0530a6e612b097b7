"""A region's dispatch rules and working calendar, and the deadlines they give (12345 practice by default).

Everything a region may change is read here: ``policy_for(code)`` takes each value from the nearest region that
sets it in ``DispatchPolicy`` (else ``SEED``); ``calendar_for(code)`` merges the shipped holiday calendar with the
rows of the region and its ancestors (the deepest wins for a day). No number below is used anywhere else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from shegong.core.regioncodes import ancestors_of

from .models import Clock, DispatchPolicy, Holiday, Urgency

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Policy:
    accept_urgent_hours: int = 2  # working hours
    accept_general_hours: int = 8  # one working day
    resolve_urgent_hours: int = 24  # calendar hours: safety, water, power, gas, heating
    resolve_general_days: int = 7  # working days
    resolve_complex_days: int = 15  # working days
    remind_before_hours: int = 2  # before either deadline, on the deadline's own clock
    district_after_hours: int = 24  # after the station head was told, the district is told
    work_start_hour: int = 9
    work_end_hour: int = 17


SEED = Policy()
FIELDS = [f.name for f in fields(Policy)]


def policies_for(codes: list[str]) -> dict[str, Policy]:
    chains = {code: [*ancestors_of(code), code] for code in codes}
    wanted = {c for chain in chains.values() for c in chain}
    found = {p.region_id: p for p in DispatchPolicy.objects.filter(region_id__in=wanted)}
    result = {}
    for code, chain in chains.items():
        values = {}
        for name in FIELDS:
            for candidate in reversed(chain):
                value = getattr(found[candidate], name) if candidate in found else None
                if value is not None:
                    values[name] = value
                    break
        result[code] = Policy(**values)
    return result


def policy_for(code: str) -> Policy:
    return policies_for([code])[code]


@dataclass(frozen=True)
class WorkCalendar:
    start_hour: int
    end_hour: int
    days_off: frozenset[datetime.date]
    working_weekend: frozenset[datetime.date]

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.working_weekend:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def _window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        start = datetime.datetime.combine(day, datetime.time(self.start_hour), tzinfo=TZ)
        end = datetime.datetime.combine(day, datetime.time(self.end_hour), tzinfo=TZ)
        return start, end

    @property
    def day_minutes(self) -> int:
        return (self.end_hour - self.start_hour) * 60

    def add_working_minutes(self, at: datetime.datetime, minutes: int) -> datetime.datetime:
        """The moment ``minutes`` of working time after ``at`` (time outside working hours does not count)."""
        moment = at.astimezone(TZ)
        left = datetime.timedelta(minutes=minutes)
        day = moment.date()
        for _ in range(3700):  # ten years of days: a calendar with no working day is a configuration error
            if self.is_workday(day):
                start, end = self._window(day)
                begin = max(start, moment)
                if begin < end:
                    if begin + left <= end:
                        return begin + left
                    left -= end - begin
            day += datetime.timedelta(days=1)
            moment = datetime.datetime.combine(day, datetime.time(0), tzinfo=TZ)
        raise ValueError("the working calendar has no working days")

    def working_minutes_between(self, a: datetime.datetime, b: datetime.datetime) -> int:
        """Working minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        a, b = a.astimezone(TZ), b.astimezone(TZ)
        if b <= a:
            return 0
        total = datetime.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                start, end = self._window(day)
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += datetime.timedelta(days=1)
        return int(total.total_seconds() // 60)

    def add(self, clock: str, at: datetime.datetime, minutes: int) -> datetime.datetime:
        if clock == Clock.CALENDAR:
            return at + datetime.timedelta(minutes=minutes)
        return self.add_working_minutes(at, minutes)

    def between(self, clock: str, a: datetime.datetime, b: datetime.datetime) -> int:
        if clock == Clock.CALENDAR:
            return max(0, int((b - a).total_seconds() // 60))
        return self.working_minutes_between(a, b)


def calendar_for(code: str, policy: Policy | None = None) -> WorkCalendar:
    policy = policy or policy_for(code)
    chain = [None, *ancestors_of(code), code]  # shallowest first; later rows override earlier ones
    depth = {region: i for i, region in enumerate(chain)}
    rows = Holiday.objects.filter(region_id__in=[c for c in chain if c]) | Holiday.objects.filter(
        region__isnull=True
    )
    by_day: dict[datetime.date, tuple[int, bool]] = {}
    for row in rows.only("region_id", "day", "working"):
        rank = depth.get(row.region_id, 0)
        if row.day not in by_day or by_day[row.day][0] <= rank:
            by_day[row.day] = (rank, row.working)
    return WorkCalendar(
        start_hour=policy.work_start_hour,
        end_hour=policy.work_end_hour,
        days_off=frozenset(d for d, (_, working) in by_day.items() if not working),
        working_weekend=frozenset(d for d, (_, working) in by_day.items() if working),
    )


@dataclass(frozen=True)
class Deadlines:
    accept_minutes: int  # working minutes
    resolve_clock: str
    resolve_minutes: int


def deadlines(policy: Policy, calendar: WorkCalendar, urgency: str, item=None) -> Deadlines:
    accept_hours = policy.accept_urgent_hours if urgency == Urgency.URGENT else policy.accept_general_hours
    if urgency == Urgency.URGENT:
        return Deadlines(accept_hours * 60, Clock.CALENDAR, policy.resolve_urgent_hours * 60)
    days = policy.resolve_complex_days if urgency == Urgency.COMPLEX else policy.resolve_general_days
    if item is not None and item.resolve_days:
        days = item.resolve_days
    return Deadlines(accept_hours * 60, Clock.WORKING, days * calendar.day_minutes)


def sub_working_minutes(calendar: WorkCalendar, at: datetime.datetime, minutes: int) -> datetime.datetime:
    """The moment with ``minutes`` of working time left before ``at``."""
    moment = at.astimezone(TZ)
    left = datetime.timedelta(minutes=minutes)
    day = moment.date()
    for _ in range(3700):
        if calendar.is_workday(day):
            start, end = calendar._window(day)
            finish = min(end, moment)
            if finish > start:
                if finish - left >= start:
                    return finish - left
                left -= finish - start
        day -= datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=TZ)
    raise ValueError("the working calendar has no working days")


def remind_at(
    calendar: WorkCalendar, policy: Policy, clock: str, due: datetime.datetime
) -> datetime.datetime:
    minutes = policy.remind_before_hours * 60
    if clock == Clock.CALENDAR:
        return due - datetime.timedelta(minutes=minutes)
    return sub_working_minutes(calendar, due, minutes)

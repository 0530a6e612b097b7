"""The periods reports cover and the weekly deadline (local policy ``weekly_report_due_hours``)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings

from shegong.regions.selectors import policy_for


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday to Sunday of ``day``'s week."""
    start = day - datetime.timedelta(days=day.weekday())
    return start, start + datetime.timedelta(days=6)


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = datetime.date(day.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - datetime.timedelta(
        days=1
    )
    return start, end


def bounds(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    return {"weekly": week_of, "monthly": month_of, "quarterly": quarter_of}[kind](day)


def weekly_deadline(
    week_start: datetime.date, region_code: str, *, due_hours: int | None = None
) -> datetime.datetime:
    """When the week's report is due: the following Monday 00:00 (local) plus the region's hours (seed: 12:00)."""
    hours = due_hours if due_hours is not None else policy_for(region_code).weekly_report_due_hours
    monday = week_start + datetime.timedelta(days=7)
    local = datetime.datetime.combine(monday, datetime.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local + datetime.timedelta(hours=hours)

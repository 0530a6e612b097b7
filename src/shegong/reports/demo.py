"""The demo district's year of reports: every station's weekly submissions (one station — 解放碑, the demo station
head's — has not sent last week's), the monthly bulletins and the quarterly reviews, with one corrected version."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import figures, periods, selectors
from .models import Report, ReportKind, ReportState

# The station whose last week is not submitted (the demo station head's, who finds it overdue on Monday afternoon).
LATE_STATION_REGION = "500103002000"


def already_loaded() -> bool:
    return Report.objects.filter(region_code__startswith="500103").exists()


def _signed_at(end: datetime.date, hours: int) -> datetime.datetime:
    day = end + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(hours), tzinfo=zone)


def finish(ctx) -> None:
    district = ctx.district
    if district is None:
        return
    today = ctx.today
    stations = list(figures.stations_under(district.code))
    reports: list[Report] = []
    now = timezone.now()
    last_week = selectors.last_week(now)
    first_week = periods.week_of(today - datetime.timedelta(days=364))[0]
    contents = figures.weekly_many(district, stations, first_week, last_week)
    week = first_week
    while week <= last_week:
        end = week + datetime.timedelta(days=6)
        for node in stations:
            late = week == last_week and node.region_code == LATE_STATION_REGION
            if late:
                continue  # not even drafted: overdue once Monday noon passes
            reports.append(
                Report(
                    kind=ReportKind.WEEKLY,
                    region_id=node.region_id,
                    region_code=node.region_code,
                    node=node,
                    period_start=week,
                    period_end=end,
                    content=contents[(node.pk, week)],
                    remarks="本周工作按计划推进。" if ctx.rng.random() < 0.3 else "",
                    state=ReportState.SIGNED,
                    generated_at=_signed_at(end, 8),
                    signed_at=_signed_at(end, 9 + ctx.rng.randint(0, 2)),
                )
            )
        week += datetime.timedelta(days=7)

    current_month = today.replace(day=1)
    back = current_month.year * 12 + current_month.month - 1 - 11  # the twelve months up to this one
    month = datetime.date(back // 12, back % 12 + 1, 1)
    while month <= current_month:
        start, end = periods.month_of(month)
        done = month < current_month
        reports.append(
            Report(
                kind=ReportKind.MONTHLY,
                region=district,
                region_code=district.code,
                period_start=start,
                period_end=end,
                content=figures.monthly(district, start, end),
                state=ReportState.SIGNED if done else ReportState.DRAFT,
                generated_at=_signed_at(end, 9) if done else now,
                signed_at=_signed_at(end + datetime.timedelta(days=4), 10) if done else None,
            )
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)

    signed_weeks = {}
    for report in reports:
        if report.kind == ReportKind.WEEKLY:
            signed_weeks.setdefault((report.node_id, report.period_start), 1)
    quarter_start = periods.quarter_of(today - datetime.timedelta(days=365))[0]
    while quarter_start <= today:
        start, end = periods.quarter_of(quarter_start)
        done = end < today
        counts: dict[int, int] = {}
        for node_id, week_start in signed_weeks:
            if start <= week_start <= end:
                counts[node_id] = counts.get(node_id, 0) + 1
        reports.append(
            Report(
                kind=ReportKind.QUARTERLY,
                region=district,
                region_code=district.code,
                period_start=start,
                period_end=end,
                content=figures.quarterly(district, start, end, weekly_signed=counts),
                state=ReportState.SIGNED if done else ReportState.DRAFT,
                generated_at=_signed_at(end, 9) if done else now,
                signed_at=_signed_at(end + datetime.timedelta(days=6), 10) if done else None,
            )
        )
        quarter_start = end + datetime.timedelta(days=1)
    created = Report.objects.bulk_create(reports, batch_size=500)
    # One signed bulletin corrected by a second version (a month's records were entered late).
    signed_monthly = [r for r in created if r.kind == ReportKind.MONTHLY and r.state == ReportState.SIGNED]
    if signed_monthly:
        first = signed_monthly[-1]
        Report.objects.create(
            kind=ReportKind.MONTHLY,
            region=district,
            region_code=district.code,
            period_start=first.period_start,
            period_end=first.period_end,
            version=2,
            corrects=first,
            correction_note="补录解放碑街道月末两场社区活动",
            content=figures.monthly(district, first.period_start, first.period_end),
            state=ReportState.SIGNED,
            generated_at=_signed_at(first.period_end + datetime.timedelta(days=8), 9),
            signed_at=_signed_at(first.period_end + datetime.timedelta(days=8), 11),
        )

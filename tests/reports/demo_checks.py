"""What the demo city holds for this app; checked by tests/core/test_demo.py, which loads the city once."""

import datetime

from django.utils import timezone

from shegong.reports import selectors
from shegong.reports.models import Report, ReportKind


def check_reports():
    yuzhong = Report.objects.filter(region_code__startswith="500103")
    weekly = yuzhong.filter(kind=ReportKind.WEEKLY)
    stations = list(selectors.stations(["500103000000"]))
    assert len(stations) == 11
    weeks = set(weekly.values_list("period_start", flat=True))
    assert 52 <= len(weeks) <= 53 and all(w.weekday() == 0 for w in weeks)
    assert all(r.content["figures"] for r in weekly[:20])
    # One station has not sent last week's report: awaiting before Monday noon, overdue after.
    last = selectors.last_week(timezone.now())
    statuses = selectors.week_statuses(stations, last)
    missing = [s for s in statuses if not s.submitted]
    assert [s.node.region_code for s in missing] == ["500103002000"]
    after = missing[0].deadline + datetime.timedelta(minutes=1)
    assert [s.node for s in selectors.overdue(stations, after)] == [missing[0].node]
    monthly = yuzhong.filter(kind=ReportKind.MONTHLY)
    assert monthly.filter(version=1).count() == 12 and monthly.filter(state="signed").count() >= 11
    bulletin = monthly.filter(state="signed", version=1).first()
    assert len(bulletin.content["rows"]) == 11 and [r["rank"] for r in bulletin.content["rows"]] == list(
        range(1, 12)
    )
    assert monthly.filter(version=2, corrects__isnull=False).exclude(correction_note="").exists()
    quarterly = yuzhong.filter(kind=ReportKind.QUARTERLY)
    assert 4 <= quarterly.count() <= 5 and quarterly.filter(state="signed").count() >= 3
    assert any(r.content["projects"] for r in quarterly)
    assert any(s["submitted"] for r in quarterly for s in r.content["stations"])

"""The monthly trends' axis: the month still running is marked as such."""

import datetime

from shegong.core.charts import month_labels


def test_the_running_month_is_marked_and_the_others_read_as_they_are():
    today = datetime.date(2026, 12, 2)
    months = [datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)]
    assert month_labels(months, today=today) == ["2026-10", "2026-11", "2026-12（至今）"]
    assert month_labels(["2026-11", "2026-12"], today=today) == ["2026-11", "2026-12（至今）"]
    assert month_labels(months[:2], today=today) == ["2026-10", "2026-11"]

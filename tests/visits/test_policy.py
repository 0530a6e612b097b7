"""The visit policy engine: rule precedence, calendar periods at month and quarter ends, the 24-hour event rule."""

import datetime

import pytest

from shegong.recipients.care import policy
from shegong.recipients.models import Frequency

D = datetime.date


def test_defaults_follow_spec_for_each_tier():
    rules = policy.DEFAULT_RULES
    assert policy.strictest(rules, set(), policy.HIGH).frequency == Frequency.WEEKLY
    assert policy.strictest(rules, set(), policy.KEY).frequency == Frequency.MONTHLY
    assert policy.strictest(rules, set(), policy.GENERAL).frequency == Frequency.QUARTERLY


def test_strictest_rule_wins_between_category_and_tier():
    rules = policy.DEFAULT_RULES
    # An empty-nest elderly person at general or key tier: twice a month beats quarterly and monthly.
    assert policy.strictest(rules, {"elderly_empty_nest"}, policy.GENERAL).frequency == Frequency.SEMIMONTHLY
    assert (
        policy.strictest(rules, {"elderly_solitary", "dibao"}, policy.KEY).frequency == Frequency.SEMIMONTHLY
    )
    # …but a high-risk one is weekly: stricter still.
    assert policy.strictest(rules, {"elderly_empty_nest"}, policy.HIGH).frequency == Frequency.WEEKLY


def test_a_category_rule_that_is_looser_does_not_relax_the_tier():
    rules = [
        policy.Rule(None, policy.KEY, Frequency.MONTHLY),
        policy.Rule("dibao", None, Frequency.QUARTERLY),
    ]
    assert policy.strictest(rules, {"dibao"}, policy.KEY).frequency == Frequency.MONTHLY
    assert policy.strictest(rules, {"dibao"}, policy.GENERAL).frequency == Frequency.QUARTERLY
    assert policy.strictest(rules, set(), policy.GENERAL) is None


@pytest.mark.parametrize(
    ("frequency", "day", "start", "end"),
    [
        (Frequency.WEEKLY, D(2026, 1, 1), D(2025, 12, 29), D(2026, 1, 4)),  # a week straddling the new year
        (Frequency.SEMIMONTHLY, D(2026, 2, 15), D(2026, 2, 1), D(2026, 2, 15)),
        (Frequency.SEMIMONTHLY, D(2026, 2, 16), D(2026, 2, 16), D(2026, 2, 28)),
        (Frequency.SEMIMONTHLY, D(2024, 2, 20), D(2024, 2, 16), D(2024, 2, 29)),  # leap year
        (Frequency.MONTHLY, D(2026, 4, 30), D(2026, 4, 1), D(2026, 4, 30)),
        (Frequency.QUARTERLY, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
        (Frequency.QUARTERLY, D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30)),
        (Frequency.QUARTERLY, D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_calendar_periods(frequency, day, start, end):
    assert policy.period_of(frequency, day) == (start, end)


def test_month_boundary_a_visit_on_the_last_day_covers_that_month_only():
    registered = D(2025, 1, 1)
    assert policy.next_due(Frequency.MONTHLY, last_visit=D(2026, 3, 31), registered_on=registered) == D(
        2026, 4, 30
    )
    assert policy.next_due(Frequency.MONTHLY, last_visit=D(2026, 4, 1), registered_on=registered) == D(
        2026, 5, 31
    )
    assert policy.next_due(Frequency.MONTHLY, last_visit=D(2026, 1, 31), registered_on=registered) == D(
        2026, 2, 28
    )
    assert policy.next_due(Frequency.MONTHLY, last_visit=D(2026, 12, 31), registered_on=registered) == D(
        2027, 1, 31
    )


def test_quarter_boundary():
    registered = D(2025, 1, 1)
    assert policy.next_due(Frequency.QUARTERLY, last_visit=D(2026, 3, 31), registered_on=registered) == D(
        2026, 6, 30
    )
    assert policy.next_due(Frequency.QUARTERLY, last_visit=D(2026, 1, 1), registered_on=registered) == D(
        2026, 6, 30
    )
    assert policy.next_due(Frequency.QUARTERLY, last_visit=D(2026, 4, 1), registered_on=registered) == D(
        2026, 9, 30
    )
    assert policy.next_due(Frequency.QUARTERLY, last_visit=D(2026, 11, 5), registered_on=registered) == D(
        2027, 3, 31
    )


def test_never_visited_is_due_at_the_end_of_the_registration_period():
    assert policy.next_due(Frequency.WEEKLY, last_visit=None, registered_on=D(2026, 5, 6)) == D(2026, 5, 10)
    assert policy.next_due(Frequency.SEMIMONTHLY, last_visit=None, registered_on=D(2026, 5, 6)) == D(
        2026, 5, 15
    )
    assert policy.next_due(Frequency.SEMIMONTHLY, last_visit=D(2026, 5, 6), registered_on=D(2026, 1, 1)) == D(
        2026, 5, 31
    )


def test_quarterly_recipients_are_due_in_the_quarters_last_month_only():
    assert [m for m in range(1, 13) if policy.due_in_month(Frequency.QUARTERLY, D(2026, m, 1))] == [
        3,
        6,
        9,
        12,
    ]
    assert all(policy.due_in_month(Frequency.MONTHLY, D(2026, m, 1)) for m in range(1, 13))


def test_event_rule_24_hours():
    event = datetime.datetime(2026, 5, 6, 22, 30, tzinfo=datetime.UTC)
    before = event - datetime.timedelta(days=2)
    after = event + datetime.timedelta(hours=3)
    assert policy.event_deadline([event], last_visit_at=None, within_hours=24) == event + datetime.timedelta(
        hours=24
    )
    assert policy.event_deadline([event], last_visit_at=before, within_hours=24) == datetime.datetime(
        2026, 5, 7, 22, 30, tzinfo=datetime.UTC
    )
    assert policy.event_deadline([event], last_visit_at=after, within_hours=24) is None
    # Two pending events: the earlier deadline counts.
    later = event + datetime.timedelta(hours=5)
    assert policy.event_deadline(
        [later, event], last_visit_at=before, within_hours=24
    ) == event + datetime.timedelta(hours=24)


def test_default_rule_notes_name_no_city_and_their_sources_are_documented():
    from pathlib import Path

    from django.utils import translation

    doc = (Path(__file__).resolve().parents[2] / "docs" / "visit-rules.md").read_text()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            notes = [str(rule.note) for rule in policy.DEFAULT_RULES]
        for note in notes:
            assert not any(city in note for city in ("成都", "重庆", "Chengdu", "(", "（")), note
    for rule in policy.DEFAULT_RULES:
        assert str(rule.note) in doc
    assert "Chengdu" in doc  # the source moved here, not away

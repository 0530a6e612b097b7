"""Recording visits: idempotency, refusal for closed files, due dates, worklists, rollups and reconciliation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.accounts.actor import Actor
from shegong.dashboards import selectors as dashboard_selectors
from shegong.recipients import care
from shegong.recipients import services as recipient_services
from shegong.recipients.care import engine, policy
from shegong.recipients.care.rules import rules_replace
from shegong.recipients.models import Category, Frequency, RiskTier, VisitObligation, VisitRollup, VisitRule
from shegong.visits import selectors
from shegong.visits.ledger import reconcile
from shegong.visits.models import Visit
from shegong.visits.services import Photo, visit_record
from tests.factories import TOWN_A, VILLAGE_A1, VILLAGE_A2, make_user
from tests.recipients.helpers import key, make_recipient, system, visit_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def worker_actor():
    return Actor.for_user(make_user("worker", region_code=TOWN_A))


def test_a_retry_with_the_same_key_never_duplicates(world):
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    actor = worker_actor()
    submission = key()
    first, created = visit_record(
        actor=actor, recipient=recipient, data=visit_data(), idempotency_key=submission
    )
    again, created_again = visit_record(
        actor=actor, recipient=recipient, data=visit_data(), idempotency_key=submission
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert Visit.objects.filter(recipient=recipient).count() == 1
    assert (
        VisitRollup.objects.get(region_code=VILLAGE_A1, month=timezone.localdate().replace(day=1)).visited
        == 1
    )


@pytest.mark.parametrize("status", ["deceased", "closed"])
def test_a_visit_to_a_deceased_or_closed_recipient_is_refused(world, status):
    recipient = make_recipient(VILLAGE_A1, name="李奶奶")
    recipient_services.recipient_set_status(
        actor=system(), recipient=recipient, status=status, note="家属告知"
    )
    with pytest.raises(ValidationError) as caught:
        visit_record(actor=worker_actor(), recipient=recipient, data=visit_data(), idempotency_key=key())
    message = caught.value.message_dict["recipient"][0]
    assert "李奶奶" in message and "不能再登记探访" in message
    assert not Visit.objects.filter(recipient=recipient).exists()


def test_photos_are_checked_by_content_and_size(world):
    recipient = make_recipient(VILLAGE_A1)
    actor = worker_actor()
    with pytest.raises(ValidationError) as caught:
        visit_record(
            actor=actor,
            recipient=recipient,
            data=visit_data(),
            idempotency_key=key(),
            photos=[Photo("a.jpg", b"<html>not an image"), Photo("b.png", PNG + b"0" * (5 * 1048576))],
        )
    messages = caught.value.message_dict["photos"]
    assert any("a.jpg" in m and "不是" in m for m in messages)
    assert any("b.png" in m and "5 MB" in m for m in messages)
    visit, _ = visit_record(
        actor=actor,
        recipient=recipient,
        data=visit_data(),
        idempotency_key=key(),
        photos=[Photo("ok.png", PNG)],
    )
    assert visit.photos.get().content_type == "image/png"


def test_location_needs_consent(world):
    recipient = make_recipient(VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        visit_record(
            actor=worker_actor(),
            recipient=recipient,
            data=visit_data(location="29.55,106.57"),
            idempotency_key=key(),
        )
    assert "location" in caught.value.message_dict
    visit, _ = visit_record(
        actor=worker_actor(),
        recipient=recipient,
        data=visit_data(location="29.55,106.57", location_consent=True),
        idempotency_key=key(),
    )
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.location == "29.55,106.57"


def test_visit_moves_the_due_date_on(world):
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.KEY, registered_on=datetime.date(2024, 1, 1))
    assert recipient.frequency == Frequency.MONTHLY
    # Never visited since 2024: overdue since the end of January 2024.
    recipient.refresh_from_db()
    assert recipient.next_due_on == datetime.date(2024, 1, 31)
    visit_record(actor=worker_actor(), recipient=recipient, data=visit_data(), idempotency_key=key())
    recipient.refresh_from_db()
    today = timezone.localdate()
    assert (
        recipient.next_due_on
        == policy.period_of(Frequency.MONTHLY, policy.month_end(today) + datetime.timedelta(days=1))[1]
    )


def test_region_rule_table_overrides_the_defaults_and_the_strictest_applies(world):
    dibao = Category.objects.get(code="dibao")
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.GENERAL, categories=["dibao"])
    other = make_recipient(VILLAGE_A2, tier=RiskTier.GENERAL)
    assert recipient.frequency == Frequency.QUARTERLY
    official = Actor.for_user(world.official_a)
    rules_replace(
        actor=official,
        region=world.regions["village_a1"],
        event_hours=12,
        rules=[
            {"category": None, "risk_tier": 3, "frequency": Frequency.QUARTERLY},
            {"category": dibao, "risk_tier": None, "frequency": Frequency.MONTHLY},
        ],
    )
    recipient.refresh_from_db()
    other.refresh_from_db()
    assert recipient.frequency == Frequency.MONTHLY
    assert other.frequency == Frequency.QUARTERLY  # the neighbouring village keeps the defaults
    assert care.rule_table(VILLAGE_A1).event_hours == 12
    assert VisitRule.objects.count() == 2


def test_major_event_makes_a_visit_due_within_24_hours_and_a_visit_clears_it(world):
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.GENERAL)
    visit_record(
        actor=worker_actor(),
        recipient=recipient,
        data=visit_data(when=timezone.now() - datetime.timedelta(days=2)),
        idempotency_key=key(),
    )
    occurred = timezone.now() - datetime.timedelta(hours=30)
    recipient_services.event_record(
        actor=system(), recipient=recipient, occurred_at=occurred, description="老伴去世"
    )
    recipient.refresh_from_db()
    assert recipient.event_due_at == occurred + datetime.timedelta(hours=24)
    assert recipient.next_due_on == timezone.localtime(occurred + datetime.timedelta(hours=24)).date()
    overdue = selectors.worklist(station_id=recipient.station_id, overdue_only=True)
    assert [i.recipient.pk for i in overdue.overdue] == [recipient.pk]
    visit_record(actor=worker_actor(), recipient=recipient, data=visit_data(), idempotency_key=key())
    recipient.refresh_from_db()
    assert recipient.event_due_at is None
    assert not selectors.worklist(station_id=recipient.station_id, overdue_only=True).overdue


def test_worklist_orders_by_risk_then_lateness_and_escalates_high_risk(world):
    long_ago = datetime.date(2024, 1, 1)
    general = make_recipient(VILLAGE_A1, name="一般", tier=RiskTier.GENERAL, registered_on=long_ago)
    key_late = make_recipient(VILLAGE_A1, name="重点", tier=RiskTier.KEY, registered_on=long_ago)
    high = make_recipient(VILLAGE_A1, name="高风险", tier=RiskTier.HIGH, registered_on=long_ago)
    fresh = make_recipient(VILLAGE_A1, name="刚访", tier=RiskTier.KEY)
    visit_record(actor=worker_actor(), recipient=fresh, data=visit_data(), idempotency_key=key())
    result = selectors.worklist(station_id=world.station_a.pk)
    assert [i.recipient.name for i in result.overdue] == ["高风险", "重点", "一般"]
    assert [i.escalated for i in result.overdue] == [True, False, False]
    assert fresh.pk not in {i.recipient.pk for i in result.overdue + result.today + result.week}
    assert general and key_late and high


def test_rollups_follow_visits_and_reconcile_finds_drift(world):
    month = timezone.localdate().replace(day=1)
    people = [make_recipient(VILLAGE_A1, tier=RiskTier.KEY) for _ in range(3)]
    rollup = VisitRollup.objects.get(region_code=VILLAGE_A1, month=month)
    assert (rollup.due, rollup.visited) == (3, 0)
    visit_record(actor=worker_actor(), recipient=people[0], data=visit_data(), idempotency_key=key())
    visit_record(actor=worker_actor(), recipient=people[0], data=visit_data(), idempotency_key=key())
    rollup.refresh_from_db()
    assert (rollup.due, rollup.visited) == (3, 1)  # one person visited twice is one visited person
    rate = dashboard_selectors.visit_rate(world.regions["town_a"], months=2)
    assert rate.total.at(month).rate == pytest.approx(33.3)
    assert reconcile(fix=False) == []
    VisitRollup.objects.filter(pk=rollup.pk).update(visited=7)
    differences = reconcile()
    assert [(d.region_code, d.stored, d.actual) for d in differences] == [(VILLAGE_A1, (3, 7), (3, 1))]
    rollup.refresh_from_db()
    assert rollup.visited == 1
    # A death ends the unmet obligation: the denominator shrinks.
    recipient_services.recipient_set_status(
        actor=system(), recipient=people[1], status="deceased", note="病故"
    )
    rollup.refresh_from_db()
    assert (rollup.due, rollup.visited) == (2, 1)
    assert VisitObligation.objects.filter(month=month).count() == 2


def test_quarterly_recipient_counts_once_per_quarter(world):
    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.GENERAL)
    march = datetime.date(2026, 3, 1)
    engine.count_visit(recipient, datetime.date(2026, 2, 10))
    engine.count_visit(recipient, datetime.date(2026, 3, 10))
    feb = VisitObligation.objects.get(recipient=recipient, month=datetime.date(2026, 2, 1))
    assert feb.visited
    assert not VisitObligation.objects.filter(recipient=recipient, month=march).exists()

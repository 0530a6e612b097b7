"""Deadlines at their boundaries: working hours, a weekend, a holiday and a 调休 working Saturday, a region's own
calendar, the pause while waiting for the resident, the reminder before and the escalations after."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shegong.demands import catalogue_services, escalations, services
from shegong.demands import policy as rules
from shegong.demands.models import Clock, DemandEvent, DemandRequest, EventKind, Status
from shegong.notifications.models import Kind, Message
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, make_user

from .helpers import actor, item, public_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standing_matches_records")]
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def calendar(world):
    return rules.calendar_for(VILLAGE_A1)


def test_working_hours_carry_over_to_the_next_morning(calendar):
    # Monday 2026-11-30: two working hours from 16:30 end at 10:30 the next day.
    assert calendar.add_working_minutes(at("2026-11-30T16:30"), 120) == at("2026-12-01T10:30")
    assert calendar.add_working_minutes(at("2026-11-30T15:00"), 120) == at(
        "2026-11-30T17:00"
    )  # exactly at close
    assert calendar.add_working_minutes(at("2026-11-30T07:00"), 120) == at(
        "2026-11-30T11:00"
    )  # before opening
    assert calendar.add_working_minutes(at("2026-11-30T19:00"), 60) == at("2026-12-01T10:00")  # after closing


def test_a_weekend_does_not_count(calendar):
    # Friday 2026-11-27 15:00 + one working day (8 h) → Monday 15:00.
    assert calendar.add_working_minutes(at("2026-11-27T15:00"), 480) == at("2026-11-30T15:00")
    assert calendar.working_minutes_between(at("2026-11-27T16:00"), at("2026-11-30T10:00")) == 120


def test_a_holiday_does_not_count_and_a_working_saturday_does(calendar):
    # Wednesday 2026-09-30 10:00 + 8 h: 7 h that day, then the National Day holiday (1–7 Oct), then Thursday 8 Oct.
    assert calendar.add_working_minutes(at("2026-09-30T10:00"), 480) == at("2026-10-08T10:00")
    # Friday 9 Oct 16:00 + 2 h: Saturday 10 Oct is a 调休 working day.
    assert calendar.add_working_minutes(at("2026-10-09T16:00"), 120) == at("2026-10-10T10:00")


def test_a_region_edits_its_own_calendar(world):
    official = actor("official", region_code=DISTRICT)
    catalogue_services.holiday_set(
        actor=official, region_code=DISTRICT, day=datetime.date(2026, 11, 30), working=False
    )
    mine = rules.calendar_for(VILLAGE_A1)
    assert mine.add_working_minutes(at("2026-11-27T15:00"), 480) == at("2026-12-01T15:00")
    # Another district keeps the shipped calendar.
    assert rules.calendar_for("500104001001").add_working_minutes(at("2026-11-27T15:00"), 480) == at(
        "2026-11-30T15:00"
    )


def test_reminder_before_and_escalations_after_the_deadline(world, monkeypatch):
    head = make_user("township", region_code=TOWN_A)
    official = make_user("official", region_code=DISTRICT)
    desk = actor("worker")
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T10:00"))
    req = public_request()
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="urgent", kind="station", receiver=world.station_a
    )
    req.refresh_from_db()
    assert req.accept_due_at == at("2026-11-30T12:00")  # 2 working hours for urgent
    assert req.resolve_clock == Clock.CALENDAR and req.resolve_due_at == at("2026-12-01T10:00")  # 24 h
    assert req.next_check_at == at("2026-11-30T10:00")  # remind 2 h before: at once

    policy_official = actor("official", region_code=DISTRICT)
    catalogue_services.policy_update(
        actor=policy_official, region_code=DISTRICT, values={"remind_before_hours": 1}
    )
    req = DemandRequest.objects.get(pk=req.pk)
    assert services.check_deadlines(req, now=at("2026-11-30T10:59")) == []
    assert services.check_deadlines(req, now=at("2026-11-30T11:00")) == ["reminded"]
    assert services.check_deadlines(req, now=at("2026-11-30T11:30")) == []  # once
    assert Message.objects.filter(kind=Kind.DEMAND_DUE, recipient=head).count() == 1  # the station's head
    assert services.check_deadlines(req, now=at("2026-11-30T11:59")) == []
    assert services.check_deadlines(req, now=at("2026-11-30T12:00")) == ["escalated"]
    assert Message.objects.filter(kind=Kind.DEMAND_ESCALATED, recipient=head).count() == 1
    req.refresh_from_db()
    assert req.escalation == 1 and req.next_check_at == at("2026-12-01T12:00")
    assert services.check_deadlines(req, now=at("2026-12-01T11:59")) == []
    assert services.check_deadlines(req, now=at("2026-12-01T12:00")) == ["district"]
    assert Message.objects.filter(kind=Kind.DEMAND_ESCALATED, recipient=official).count() == 1
    assert services.check_deadlines(req, now=at("2026-12-02T12:00")) == []
    levels = [
        e.params.get("level") for e in DemandEvent.objects.filter(request=req, kind=EventKind.ESCALATED)
    ]
    assert levels == [1, 2]


def test_the_schedule_is_due_only_while_a_check_has_come(world, monkeypatch):
    desk = actor("worker")
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T09:00"))
    req = public_request()
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
    )
    assert not escalations.pending()  # accept by 17:00, remind from 15:00
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T15:00"))
    assert escalations.pending()
    assert escalations.check_demand_deadlines.call(actor_id=None) == {"requests": 1}
    assert not escalations.pending()


def test_the_clock_pauses_while_waiting_for_the_resident(world, monkeypatch):
    desk = actor("worker")
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T10:00"))
    req = public_request()
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
    )
    services.request_accept(actor=desk, req=req)
    req.refresh_from_db()
    assert req.resolve_due_at == at("2026-12-09T10:00")  # 7 working days
    monkeypatch.setattr(timezone, "now", lambda: at("2026-12-01T10:00"))  # one working day used
    services.request_pause(actor=desk, req=req, reason="老人住院，出院后再上门")
    req.refresh_from_db()
    assert req.status == Status.WAITING and req.paused_minutes_left == 6 * 480 and req.next_check_at is None
    monkeypatch.setattr(timezone, "now", lambda: at("2026-12-14T10:00"))  # two weeks later (Monday)
    assert services.check_deadlines(req, now=at("2026-12-14T10:00")) == []  # paused: nothing overdue
    services.request_resume(actor=desk, req=req)
    req.refresh_from_db()
    assert req.resolve_due_at == at("2026-12-22T10:00")  # six working days left
    services.request_resolve(actor=desk, req=req, resolution="已上门办理")
    req.refresh_from_db()
    assert req.resolved_on_time is True


def test_an_item_and_a_region_set_their_own_deadlines(world):
    policy = rules.Policy(resolve_general_days=5)
    cal = rules.calendar_for(VILLAGE_A1)
    assert rules.deadlines(policy, cal, "general").resolve_minutes == 5 * 480
    assert rules.deadlines(policy, cal, "complex").resolve_minutes == 15 * 480
    long_item = item("legal.aid")
    long_item.resolve_days = 20
    assert rules.deadlines(policy, cal, "complex", long_item).resolve_minutes == 20 * 480
    official = actor("official", region_code=DISTRICT)
    catalogue_services.policy_update(actor=official, region_code=DISTRICT, values={"accept_general_hours": 4})
    assert rules.policy_for(VILLAGE_A1).accept_general_hours == 4
    assert rules.policy_for("500104001001").accept_general_hours == 8

"""Standing counts: requests open and overdue, cases per stage, read from rows kept current by the services that
move the records; overdue is the sum of the rows due before a moment, so a request turns overdue when its deadline
passes with nothing written; the command finds and repairs a count that drifted."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shegong.core import standing
from shegong.core.models import Standing
from shegong.core.scoping import Relation, Scope, activate
from shegong.demands import services
from shegong.demands.selectors import OPEN_METRIC, open_counts, requests
from tests.demands.helpers import actor, item, public_request
from tests.factories import DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("standing_matches_records")]
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _both(now) -> tuple[dict, tuple[int, int]]:
    """The figure and the drill-down's count of the same requests."""
    return open_counts([DISTRICT], now=now), (
        requests(under=DISTRICT, state="open").count(),
        requests(under=DISTRICT, state="overdue", now=now).count(),
    )


def test_a_request_turns_overdue_when_its_deadline_passes_and_leaves_when_accepted(world, monkeypatch):
    desk = actor("worker")
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T10:00"))
    req = public_request()
    assert _both(at("2026-11-30T10:00")) == ({"open": 1, "overdue": 0}, (1, 0))  # at the desk: no deadline
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="urgent", kind="station", receiver=world.station_a
    )
    # Accept by 12:00: not overdue a moment before, overdue a moment after, with nothing written in between.
    assert _both(at("2026-11-30T11:59:59")) == ({"open": 1, "overdue": 0}, (1, 0))
    assert _both(at("2026-11-30T12:00:01")) == ({"open": 1, "overdue": 1}, (1, 1))
    monkeypatch.setattr(timezone, "now", lambda: at("2026-11-30T13:00"))
    services.request_accept(actor=desk, req=req)  # late; now due by the resolution deadline (next day 10:00)
    assert _both(at("2026-11-30T13:00")) == ({"open": 1, "overdue": 0}, (1, 0))
    assert _both(at("2026-12-01T10:00:01")) == ({"open": 1, "overdue": 1}, (1, 1))
    services.request_resolve(actor=desk, req=req, resolution="已上门送餐")
    assert _both(at("2026-12-01T10:00:01")) == ({"open": 0, "overdue": 0}, (0, 0))
    assert not Standing.objects.filter(metric=OPEN_METRIC).exists()  # a row counts something or is not there


def test_counts_are_per_subtree(world):
    public_request(region=VILLAGE_A1)
    public_request(region="500103002001")
    now = timezone.now()
    assert open_counts([TOWN_A], now=now)["open"] == 1
    assert open_counts([TOWN_B], now=now)["open"] == 1
    assert open_counts([DISTRICT], now=now)["open"] == 2


def test_a_relationship_bound_writer_still_moves_the_whole_regions_count(world):
    """An operator's write moves the count though the operator cannot read the other rows counted beside it."""
    public_request(region=VILLAGE_A1)
    req = public_request(region=VILLAGE_A1)
    operator = Scope.of([TOWN_A], wide=[], relations=[Relation("operator", TOWN_A, frozenset({1}))])
    with activate(operator):
        assert not Standing.objects.exists()
        req.status = "cancelled"
        standing.save(req, services.OPEN_COUNTED)
    assert open_counts([TOWN_A], now=timezone.now())["open"] == 1


def test_the_command_reports_and_repairs(world, capsys):
    from django.core.management import call_command

    public_request(region=VILLAGE_A1)
    Standing.objects.filter(metric=OPEN_METRIC).update(value=7)
    call_command("tallies", "reconcile", "--dry-run", "--metric", OPEN_METRIC)
    assert f"{OPEN_METRIC} {VILLAGE_A1} -: stored 7, actual 1" in capsys.readouterr().out
    call_command("tallies", "reconcile", "--metric", OPEN_METRIC)
    assert "1 difference(s) fixed" in capsys.readouterr().out
    assert Standing.objects.get(metric=OPEN_METRIC).value == 1


def test_an_unknown_metric_is_refused():
    with pytest.raises(KeyError):
        standing.move("no.such.count", None, (VILLAGE_A1, None))

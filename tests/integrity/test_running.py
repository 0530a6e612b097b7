"""How runs start: the command, the nightly and incremental schedules, and a run of one region."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from shegong.core import schedules
from shegong.integrity.models import Finding, IntegrityRun
from shegong.integrity.tasks import INCREMENTAL_SCHEDULE, NIGHTLY_SCHEDULE

from ..factories import TOWN_A, TOWN_B
from . import planted


def test_the_command_runs_every_check_and_reports(world):
    planted.build(world, plant=True)
    out = io.StringIO()
    call_command("integrity", "run", stdout=out)
    assert "17 finding(s) found, 17 opened" in out.getvalue()
    run = IntegrityRun.objects.get()
    assert run.status == "done" and run.done == run.total == 14


def test_the_command_narrows_to_a_region_and_a_check(world):
    planted.build(world, plant=True)
    out = io.StringIO()
    call_command("integrity", "run", "--region", TOWN_B, "--check", "visits.outside_region", stdout=out)
    assert set(Finding.objects.values_list("check_code", flat=True)) == {"visits.outside_region"}
    call_command("integrity", "run", "--region", TOWN_A, "--check", "visits.outside_region", stdout=out)
    assert Finding.objects.count() == 1  # the visit is in town B, whatever the region the run was asked for


def test_the_nightly_schedule_runs_once_a_day(world):
    planted.build(world, plant=True)
    assert NIGHTLY_SCHEDULE.is_due()
    outcome = schedules.run_due(inline=True, schedules=[NIGHTLY_SCHEDULE])
    assert outcome[0].action == "ran" and Finding.objects.count() == 17
    assert not NIGHTLY_SCHEDULE.is_due()


def test_the_incremental_schedule_picks_up_new_records(world):
    planted.build(world, plant=False)
    schedules.run_due(inline=True, schedules=[NIGHTLY_SCHEDULE])
    IntegrityRun.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    w = planted.worker(world, "晚")
    r1 = planted.make_recipient(planted.VILLAGE_A1, name="钱多多")
    r2 = planted.make_recipient(planted.VILLAGE_A1, name="冯小小")
    planted.visit(w, r1, planted.at(-1, 9))
    planted.visit(w, r2, planted.at(-1, 9, 5))
    assert INCREMENTAL_SCHEDULE.is_due()
    schedules.run_due(inline=True, schedules=[INCREMENTAL_SCHEDULE])
    assert list(Finding.objects.values_list("check_code", flat=True)) == ["visits.overlap"]
    assert IntegrityRun.objects.filter(kind="incremental", status="done").exists()
    assert not INCREMENTAL_SCHEDULE.is_due()

"""The month-start visit ledger: the scheduled task that opens every village's month, its idempotency and its
safety next to visit writes, and the visit-rate figures on the 1st before (and after) it has run."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from shegong.audit.models import AuditEvent
from shegong.core import schedules
from shegong.core.scoping import unscoped
from shegong.dashboards import selectors as dashboard_selectors
from shegong.recipients import care
from shegong.recipients import schedules as recipient_schedules
from shegong.recipients.care import engine, policy
from shegong.recipients.imports import import_roster
from shegong.recipients.models import Frequency, Recipient, RiskTier, VisitObligation, VisitRollup
from shegong.recipients.schedules import MONTH_START
from shegong.recipients.tasks import open_visit_month
from shegong.visits.ledger import reconcile
from shegong.visits.services import visit_record
from tests.factories import TOWN_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from tests.recipients.helpers import id_number, key, make_recipient, system, visit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Set the local date that the services, views and selectors see (`timezone.localdate()`)."""
    real = timezone.localdate

    def set_day(day: datetime.date) -> datetime.date:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return set_day


def next_month_start() -> datetime.date:
    return policy.month_end(timezone.localdate()) + datetime.timedelta(days=1)


def ledger() -> tuple[list, list]:
    obligations = sorted(
        VisitObligation.objects.values_list("recipient_id", "month", "region_code", "visited")
    )
    rollups = sorted(VisitRollup.objects.values_list("region_code", "month", "due", "visited"))
    return obligations, rollups


def worker():
    from shegong.accounts.actor import Actor

    return Actor.for_user(make_user("worker", region_code=TOWN_A))


def test_a_monthly_recipient_owes_a_visit_from_the_first(world, clock):
    monthly = make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    weekly = make_recipient(VILLAGE_A1, tier=RiskTier.HIGH)
    quarterly = make_recipient(VILLAGE_A1, tier=RiskTier.GENERAL)
    elsewhere = make_recipient(VILLAGE_B1, tier=RiskTier.KEY)
    assert monthly.frequency == Frequency.MONTHLY and quarterly.frequency == Frequency.QUARTERLY
    first = next_month_start()

    clock(first - datetime.timedelta(days=1))  # the last day of the month: this month is already open
    assert open_visit_month.call(actor_id=None)["villages"] == 0
    assert not VisitObligation.objects.filter(month=first).exists()

    clock(first)
    result = open_visit_month.call(actor_id=None)
    quarter_end = policy.due_in_month(Frequency.QUARTERLY, first)
    assert result == {"month": f"{first:%Y-%m}", "villages": 2, "due": 3 + quarter_end}
    owing = set(VisitObligation.objects.filter(month=first).values_list("recipient_id", flat=True))
    assert {monthly.pk, weekly.pk, elsewhere.pk} <= owing
    assert (quarterly.pk in owing) == quarter_end
    assert not VisitObligation.objects.filter(month=first, visited=True).exists()
    rollup = VisitRollup.objects.get(region_code=VILLAGE_A1, month=first)
    assert (rollup.due, rollup.visited) == (2 + quarter_end, 0)
    entry = AuditEvent.objects.get(action="visits.month.open")
    assert entry.object_id == f"{first:%Y-%m}" and entry.changes == {"villages": 2, "due": 3 + quarter_end}
    assert reconcile(months=[first], fix=False) == []


def test_opening_again_changes_nothing(world, clock):
    for village in (VILLAGE_A1, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        make_recipient(village, tier=RiskTier.KEY)
    clock(next_month_start())
    assert care.open_month().villages == 3
    before, audit_entries = ledger(), AuditEvent.objects.count()

    again = care.open_month()
    assert (again.villages, again.due) == (0, 0)
    assert open_visit_month.call(actor_id=None)["villages"] == 0
    call_command("visits", "open-month")
    assert ledger() == before
    assert AuditEvent.objects.count() == audit_entries  # a run that opens nothing writes nothing
    assert not recipient_schedules.visit_month_due()
    assert reconcile(fix=False) == []


def test_a_village_with_only_quarterly_recipients_gets_an_empty_ledger_once(world, clock):
    make_recipient(VILLAGE_A2, tier=RiskTier.GENERAL)
    first = next_month_start()
    while first.month % 3 == 0:  # a month in which quarterly recipients are not due
        first = policy.month_end(first) + datetime.timedelta(days=1)
    clock(first)
    assert recipient_schedules.visit_month_due()
    assert care.open_month().villages == 1
    rollup = VisitRollup.objects.get(region_code=VILLAGE_A2, month=first)
    assert (rollup.due, rollup.visited) == (0, 0)
    assert not recipient_schedules.visit_month_due()


def test_the_rate_page_right_after_the_month_changes(world, clock, login, client):
    people = [make_recipient(VILLAGE_A1, tier=RiskTier.KEY) for _ in range(3)]
    make_recipient(VILLAGE_A2, tier=RiskTier.KEY)
    make_recipient(VILLAGE_B1, tier=RiskTier.KEY)  # another township: not in TOWN_A's figures
    visit_record(actor=worker(), recipient=people[0], data=visit_data(), idempotency_key=key())
    last_month = timezone.localdate().replace(day=1)
    first = clock(next_month_start())
    assert not VisitRollup.objects.filter(month=first).exists()  # nothing has run or been visited yet

    login(world.user_a)
    # By default the page shows the last complete month, and the new one beside it as in progress.
    page = client.get(f"/dashboards/visit-rate/?region={TOWN_A}")
    assert page.status_code == 200
    current = page.context["current"]
    assert (current.due, current.visited, current.rate) == (4, 1, 25.0)
    progress = page.context["progress"]
    assert (progress.month, progress.point.due, progress.point.visited) == (first, 4, 0)
    assert page.context["chart"]["labels"][-1] == f"{last_month:%Y-%m}"  # no plunge to zero on the 1st
    # Before anyone was due here there is nothing to draw: the trend starts with the first month with a figure.
    assert page.context["chart"]["labels"] == [f"{last_month:%Y-%m}"]
    page = client.get(f"/dashboards/visit-rate/?region={TOWN_A}&month={first:%Y-%m}")
    current = page.context["current"]
    assert (current.due, current.visited, current.rate) == (4, 0, 0.0)
    assert page.context["in_progress"] and "0.0%" in page.content.decode()
    children = {c.code: (c.current.due, c.current.visited) for c in page.context["rate"].children}
    assert children == {VILLAGE_A1: (3, 0), VILLAGE_A2: (1, 0)}
    before = client.get(f"/api/v1/visit-rate?region={TOWN_A}&months=2").json()["region"]["months"]
    assert before == [
        {"month": f"{last_month:%Y-%m}", "due": 4, "visited": 1, "rate": 25.0},
        {"month": f"{first:%Y-%m}", "due": 4, "visited": 0, "rate": 0.0},
    ]

    # One village opened (a visit or a partial run), the other not yet: the same figures.
    engine._open_rollup(VILLAGE_A1, first)
    with unscoped():
        partly = dashboard_selectors.visit_rate(world.regions["town_a"], months=2)
    assert (partly.total.at(first).due, partly.total.at(first).visited) == (4, 0)

    open_visit_month.call(actor_id=None)
    after = client.get(f"/api/v1/visit-rate?region={TOWN_A}&months=2").json()["region"]["months"]
    assert after == before
    assert VisitRollup.objects.get(region_code=VILLAGE_A2, month=first).due == 1


def test_the_rate_page_query_count_holds_on_the_first(
    world, clock, login, client, django_assert_max_num_queries
):
    for _ in range(5):
        make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    clock(next_month_start())
    login(world.user_a)
    # 16: the top bar's unread-message count and, for a worker, the waiting-hours, dispatch-desk and offline-conflicts badges are one
    # query each.
    with django_assert_max_num_queries(16):
        assert client.get(f"/dashboards/visit-rate/?region={TOWN_A}").status_code == 200


def test_the_scheduler_enqueues_once_and_runs_inline(world, clock):
    from django_tasks_db.models import DBTaskResult

    make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    first = clock(next_month_start())
    queued = DBTaskResult.objects.filter(task_path=open_visit_month.module_path)

    outcomes = schedules.run_due(schedules=[MONTH_START])
    assert [(o.schedule.name, o.action) for o in outcomes] == [("visits.open-month", "enqueued")]
    assert [(o.action) for o in schedules.run_due(schedules=[MONTH_START])] == [
        "waiting"
    ]  # the worker has not taken it yet
    assert queued.count() == 1
    assert queued.get().args_kwargs == {"args": [], "kwargs": {"actor_id": None}}

    call_command("scheduler", "run-due", "--inline")  # a deployment without a worker
    assert VisitRollup.objects.filter(region_code=VILLAGE_A1, month=first).exists()
    assert [o.action for o in schedules.run_due(schedules=[MONTH_START])] == ["not due"]
    queued.update(status="SUCCESSFUL")
    assert [o.action for o in schedules.run_due(schedules=[MONTH_START])] == ["not due"]


def test_a_task_lost_with_its_worker_is_enqueued_again(world, clock):
    from django_tasks_db.models import DBTaskResult

    make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    clock(next_month_start())
    schedules.run_due(schedules=[MONTH_START])
    queued = DBTaskResult.objects.filter(task_path=open_visit_month.module_path)
    queued.update(status="RUNNING", started_at=timezone.now() - datetime.timedelta(hours=1))
    assert [o.action for o in schedules.run_due(schedules=[MONTH_START])] == ["waiting"]
    queued.update(started_at=timezone.now() - schedules.STALE_AFTER - datetime.timedelta(minutes=1))
    assert [o.action for o in schedules.run_due(schedules=[MONTH_START])] == ["enqueued"]
    queued.filter(status="RUNNING").update(status="FAILED")
    assert queued.filter(status="READY").count() == 1


@pytest.mark.django_db(transaction=True)
def test_scheduler_and_worker_open_the_month_end_to_end(world, clock, capsys):
    from django_tasks_db.models import DBTaskResult

    make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    make_recipient(VILLAGE_B1, tier=RiskTier.HIGH)
    first = clock(next_month_start())
    call_command("scheduler", "list")
    assert "visits.open-month" in capsys.readouterr().out
    call_command("scheduler", "run-due")
    call_command("scheduler", "run-due")
    assert "waiting" in capsys.readouterr().out
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    result = DBTaskResult.objects.get(task_path=open_visit_month.module_path)
    assert result.status == "SUCCESSFUL", result.traceback
    assert result.return_value == {"month": f"{first:%Y-%m}", "villages": 2, "due": 2}
    assert sorted(VisitRollup.objects.filter(month=first).values_list("region_code", "due")) == [
        (VILLAGE_A1, 1),
        (VILLAGE_B1, 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_opening_waits_for_a_visit_write_in_the_same_village_and_counts_it_once(world):
    """PostgreSQL: the month-start run and a visit write race for a village whose month is not open yet."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the race needs concurrent writers")
    people = [make_recipient(VILLAGE_A1, tier=RiskTier.KEY) for _ in range(3)]
    month = timezone.localdate().replace(day=1)
    # The state of the 1st before anything has run: this month not open in the village.
    VisitObligation.objects.filter(month=month).delete()
    VisitRollup.objects.filter(month=month).delete()
    actor = worker()
    written, release, errors = threading.Event(), threading.Event(), []

    def record_visit():
        try:
            with unscoped(), transaction.atomic():
                visit_record(actor=actor, recipient=people[0], data=visit_data(), idempotency_key=key())
                written.set()
                release.wait(10)  # hold the transaction (and the village's new rollup row) open
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    def open_ledger():
        try:
            with unscoped():
                care.open_month()
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=record_visit)
    writer.start()
    assert written.wait(10)
    opener = threading.Thread(target=open_ledger)
    opener.start()
    time.sleep(0.5)
    assert opener.is_alive()  # waiting on the village's rollup row
    release.set()
    writer.join(10)
    opener.join(10)
    assert errors == []
    rollup = VisitRollup.objects.get(region_code=VILLAGE_A1, month=month)
    assert (rollup.due, rollup.visited) == (3, 1)
    assert VisitObligation.objects.filter(month=month).count() == 3
    assert reconcile(fix=False) == []


def _roster(village: str, names: list[str]) -> bytes:
    from tests.recipients.test_import import workbook

    return workbook([[name, id_number(), "", village, "", "", "", "", "重点", "独居"] for name in names])


def _month_closed(month: datetime.date) -> None:
    """The state of the 1st before anything has run: ``month`` not open anywhere."""
    VisitObligation.objects.filter(month=month).delete()
    VisitRollup.objects.filter(month=month).delete()


def _owed_in(village: str, month: datetime.date) -> tuple[set[int], int]:
    owed = set(
        VisitObligation.objects.filter(month=month, region_code=village).values_list(
            "recipient_id", flat=True
        )
    )
    return owed, VisitRollup.objects.get(region_code=village, month=month).due


def test_an_import_into_a_village_opened_meanwhile_still_owes_its_new_rows(world, monkeypatch):
    """The month-start run opens a village in its own transaction between the import's look at the open months
    and its own opening: that run could not see the import's uncommitted rows, so the import must add them."""
    already = make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    month = timezone.localdate().replace(day=1)
    _month_closed(month)
    real = engine._open_rollup

    def opened_just_before(region_code, month, **kwargs):
        VisitObligation.objects.create(recipient=already, month=month, region_code=region_code)
        VisitRollup.objects.create(region_code=region_code, month=month, due=1)
        return real(region_code, month, **kwargs)

    monkeypatch.setattr(engine, "_open_rollup", opened_just_before)
    result = import_roster(actor=system(), content=_roster(VILLAGE_A1, ["甲", "乙"]), region_code=TOWN_A)
    assert result.created == 2
    owed, due = _owed_in(VILLAGE_A1, month)
    assert owed == set(Recipient.objects.filter(region_code=VILLAGE_A1).values_list("pk", flat=True))
    assert due == len(owed) == 3


@pytest.mark.django_db(transaction=True)
def test_an_import_racing_the_month_start_run_keeps_its_obligations(world):
    """PostgreSQL: the month-start run holds a village's new rollup row while an import writes into the village;
    the import's insert of the same row waits, then finds it taken."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the race needs concurrent writers")
    make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    month = timezone.localdate().replace(day=1)
    _month_closed(month)
    opened, release, errors = threading.Event(), threading.Event(), []

    def open_ledger():
        try:
            with unscoped(), transaction.atomic():
                engine._open_rollup(VILLAGE_A1, month)
                opened.set()
                release.wait(10)  # hold the village's new rollup row
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    opener = threading.Thread(target=open_ledger)
    opener.start()
    assert opened.wait(10)
    threading.Timer(1.0, release.set).start()
    result = import_roster(actor=system(), content=_roster(VILLAGE_A1, ["甲", "乙"]), region_code=TOWN_A)
    opener.join(10)
    assert errors == [] and result.created == 2
    owed, due = _owed_in(VILLAGE_A1, month)
    assert owed == set(Recipient.objects.filter(region_code=VILLAGE_A1).values_list("pk", flat=True))
    assert due == len(owed) == 3


def test_the_rate_page_reads_no_recipient_once_every_village_is_open(world, clock, login, client):
    """Unopened villages are counted from the recipients; once the month-start run has opened every village
    with recipients, the dashboard reads the rollups only (a scan of a province's recipients on every load,
    every day of the month, is what the rollups exist to avoid)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for village in (VILLAGE_A1, VILLAGE_A2):
        make_recipient(village, tier=RiskTier.KEY)
    clock(next_month_start())
    care.open_month()
    login(world.user_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/dashboards/visit-rate/?region={TOWN_A}")
    assert (page.context["current"].due, page.context["current"].visited) == (2, 0)
    assert not [q["sql"] for q in queries if "recipients_recipient" in q["sql"]]


def test_the_nightly_reconcile_is_due_once_a_day_and_repairs_drift(world, clock, caplog):
    from shegong.visits.ledger import NIGHTLY

    recipient = make_recipient(VILLAGE_A1, tier=RiskTier.KEY)
    clock(next_month_start())
    care.open_month()
    VisitRollup.objects.filter(region_code=recipient.region_code).update(due=99)  # drift
    assert [o.action for o in schedules.run_due(schedules=[NIGHTLY], inline=True)] == ["ran"]
    assert reconcile(fix=False) == []
    assert "visit ledger drift repaired" in caplog.text
    assert [o.action for o in schedules.run_due(schedules=[NIGHTLY], inline=True)] == ["not due"]

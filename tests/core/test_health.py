"""/healthz and /readyz: no login, no business data, 200 or 503 from the state of each check."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from shegong.audit.models import AuditEvent
from shegong.core import schedules
from shegong.core.health import MONTH_START_SCHEDULE
from shegong.core.management.commands.db_worker import Heartbeat
from shegong.core.models import ScheduleFinish, WorkerHeartbeat


def _body(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_liveness_answers_without_touching_the_database(client):
    # No django_db mark: any database access in the request would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert _body(response) == {"status": "ok"}


@pytest.mark.django_db
def test_ready_when_migrated_and_a_worker_beats(client, settings):
    settings.IMPORT_RUNNER = "worker"
    Heartbeat("worker-1").beat()
    audit_before = AuditEvent.objects.count()
    response = client.get("/readyz")
    body = _body(response)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0}
    assert body["checks"]["worker"]["alive"] is True
    assert body["checks"]["worker"]["age_seconds"] < 5
    # A probe is not a user's read: no audit entry, no session cookie, no redirect to the login page.
    assert AuditEvent.objects.count() == audit_before
    assert "sessionid" not in response.cookies
    assert set(body) == {"status", "checks"}


@pytest.mark.django_db
def test_a_pending_migration_makes_it_unready(client):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'core' AND name = '0008_health'")
    response = client.get("/readyz")
    body = _body(response)
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == {"ok": False, "pending": 1}


@pytest.mark.django_db
def test_a_stale_worker_heartbeat_makes_it_unready_where_a_worker_is_needed(client, settings):
    settings.IMPORT_RUNNER = "worker"
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 120
    Heartbeat("worker-1").beat()
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=5))
    response = client.get("/readyz")
    body = _body(response)
    assert response.status_code == 503
    assert body["checks"]["worker"]["alive"] is False
    assert body["checks"]["worker"]["age_seconds"] >= 300
    # Without a worker-run deployment (imports in a thread) the same state is reported but not required.
    settings.IMPORT_RUNNER = "thread"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert _body(response)["checks"]["worker"] == {
        "ok": True,
        "required": False,
        "alive": False,
        "age_seconds": pytest.approx(300, abs=5),
    }


@pytest.mark.django_db
def test_no_worker_ever_is_unready_where_a_worker_is_needed(client, settings):
    settings.IMPORT_RUNNER = "worker"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert _body(response)["checks"]["worker"]["age_seconds"] is None


@pytest.mark.django_db
def test_month_start_age_is_reported_from_the_last_finished_run(client, settings):
    settings.IMPORT_RUNNER = "thread"
    body = _body(client.get("/readyz"))
    assert body["checks"]["month_start"]["age_seconds"] is None
    month_start = next(s for s in schedules.SCHEDULES if s.name == MONTH_START_SCHEDULE)
    outcomes = schedules.run_due(inline=True, schedules=[month_start])
    assert outcomes[0].action in ("ran", "not due")
    if outcomes[0].action == "not due":
        schedules.record_finish(MONTH_START_SCHEDULE)
    response = client.get("/readyz")
    check = _body(response)["checks"]["month_start"]
    assert check["this_month"] is True and check["age_seconds"] < 5
    # Last month's run is reported as not this month, yet it does not take the web node out of rotation.
    ScheduleFinish.objects.filter(name=MONTH_START_SCHEDULE).update(
        finished_at=timezone.now() - datetime.timedelta(days=40)
    )
    response = client.get("/readyz")
    check = _body(response)["checks"]["month_start"]
    assert response.status_code == 200
    assert check["this_month"] is False and check["age_seconds"] >= 40 * 86400


@pytest.mark.django_db
def test_the_worker_stamps_schedule_finishes(settings):
    """A scheduled task finished by the worker (the task_finished signal) stamps its schedule."""
    from django.tasks import TaskResultStatus

    month_start = next(s for s in schedules.SCHEDULES if s.name == MONTH_START_SCHEDULE)

    class Result:
        status = TaskResultStatus.SUCCESSFUL
        task = month_start.task

    schedules.task_finished(sender=object, task_result=Result())
    assert ScheduleFinish.objects.filter(name=MONTH_START_SCHEDULE).exists()
    Result.status = TaskResultStatus.FAILED
    ScheduleFinish.objects.all().delete()
    schedules.task_finished(sender=object, task_result=Result())
    assert not ScheduleFinish.objects.exists()


@pytest.mark.django_db
def test_database_down_is_unready(client, monkeypatch):
    """The database check fails (here: the connection refuses) — 503, not a 500 page."""
    from django.db import OperationalError

    from shegong.core import health

    def refuse(cursor):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_check_database", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = _body(response)
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.django_db
def test_worker_heartbeat_row_is_removed_on_stop():
    heartbeat = Heartbeat("worker-2")
    heartbeat.beat()
    assert WorkerHeartbeat.objects.filter(worker_id="worker-2").exists()
    heartbeat.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-2").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_a_scheduled_task_stamps_it_and_beats(monkeypatch):
    """Transactional: the worker opens and closes its own connections, as it does in production."""
    from django.core.management import call_command

    from shegong.core.management.commands import db_worker

    beats = []
    real_beat = db_worker.Heartbeat.beat

    def counted_beat(self):
        real_beat(self)
        beats.append(WorkerHeartbeat.objects.filter(worker_id=self.worker_id).exists())

    monkeypatch.setattr(db_worker.Heartbeat, "beat", counted_beat)
    month_start = next(s for s in schedules.SCHEDULES if s.name == MONTH_START_SCHEDULE)
    month_start.task.enqueue(actor_id=None)
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--worker-id", "w-test")
    assert beats and beats[0] is True  # stamped while running
    assert not WorkerHeartbeat.objects.filter(worker_id="w-test").exists()  # removed on a clean exit
    assert ScheduleFinish.objects.filter(name=MONTH_START_SCHEDULE).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_polling_after_a_database_error(monkeypatch):
    from django.core.management import call_command
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker as upstream

    from shegong.core.management.commands import db_worker

    calls = []

    def flaky(self, *args, **options):
        calls.append(options["worker_id"])
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(upstream.Command, "handle", flaky)
    monkeypatch.setattr(db_worker, "RETRY_SECONDS", 0)
    call_command("db_worker", "--batch", "--worker-id", "w-retry")
    assert calls == ["w-retry", "w-retry"]


@pytest.mark.django_db(transaction=True)
def test_a_batch_run_reports_a_database_that_stays_down(monkeypatch):
    from django.core.management import call_command
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker as upstream

    from shegong.core.management.commands import db_worker

    calls = []

    def down(self, *args, **options):
        calls.append(1)
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(upstream.Command, "handle", down)
    monkeypatch.setattr(db_worker, "RETRY_SECONDS", 0)
    with pytest.raises(OperationalError):
        call_command("db_worker", "--batch", "--worker-id", "w-down")
    assert len(calls) == db_worker.BATCH_ATTEMPTS


def test_probes_answer_any_host_over_plain_http(client, settings):
    """A load balancer probes by address over HTTP: no host check, no HTTPS redirect for the probes only."""
    settings.ALLOWED_HOSTS = ["shegong.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="shegong.example.gov.cn").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400

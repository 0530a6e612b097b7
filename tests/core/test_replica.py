"""The read replica router against a real streaming replica (PostgreSQL only).

A session fixture takes a base backup of the running test primary (``pg_basebackup -R``), starts it as a hot
standby on a free port and adds it as the ``replica`` database, mirroring the primary's test database. Which server
answered is proven by ``pg_is_in_recovery()`` read through the routed connection: true only on the standby.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.http import JsonResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from shegong.core import dbrouting
from shegong.core.dbrouting import replica_reads

from .. import pgcluster
from ..factories import login_client

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a streaming replica needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _primary_dsn() -> str:
    conf = connections["default"].settings_dict
    return f"host={conf['HOST']} port={conf['PORT']} user={conf['USER']} dbname={conf['NAME']}"


@pytest.fixture(scope="session")
def replica_server(django_db_setup, django_db_blocker):
    """The test primary's streaming replica, added as the ``replica`` database for the session."""
    primary = connections["default"].settings_dict
    server = pgcluster.start_replica(primary["HOST"] or "127.0.0.1", int(primary["PORT"]), primary["USER"])
    conf = {
        **{k: v for k, v in primary.items() if k not in ("TEST", "OPTIONS")},
        "PORT": str(server.port),
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {"MIRROR": "default"},
    }
    configured = connections.configure_settings({"default": dict(primary), "replica": conf})
    connections.settings["replica"] = configured["replica"]
    django_settings.DATABASES["replica"] = configured["replica"]
    try:
        yield server
    finally:
        with django_db_blocker.unblock():
            connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]
        django_settings.DATABASES.pop("replica", None)
        dbrouting.forget_probe()
        server.remove()


@pytest.fixture(autouse=True)
def _fresh_probe(replica_server, settings):
    settings.REPLICA_PROBE_SECONDS = 0  # every routed read looks at the replica again
    settings.REPLICA_MAX_LAG_SECONDS = 5
    dbrouting.forget_probe()
    # A replica started beside a primary that has just built the test databases replays that WAL first: each test
    # starts from a replica that has caught up (what "usable" means is the router's own probe).
    caught_up = pgcluster.wait_until(lambda: dbrouting.probe_replica().usable, timeout=60)
    assert caught_up, f"the test replica did not catch up: {dbrouting.probe_replica().reason}"
    dbrouting.forget_probe()
    yield
    dbrouting.forget_probe()


def served_by_replica() -> bool:
    """Read through the router (a raw query of a model is routed like any other read)."""
    row = next(iter(ContentType.objects.raw("SELECT 1 AS id, pg_is_in_recovery() AS in_recovery")))
    return row.in_recovery


def _primary_write() -> None:
    """A committed write on the primary, made outside Django (the router never sees it)."""
    with psycopg.connect(_primary_dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS replica_test_scratch (n int)")
        conn.execute("INSERT INTO replica_test_scratch VALUES (1)")


def test_marked_reads_are_served_by_the_replica():
    assert served_by_replica() is False  # unmarked reads stay on the primary
    with replica_reads():
        assert served_by_replica() is True
        probe = dbrouting.current_probe()
        assert probe.usable and probe.lag_seconds <= 5
    assert served_by_replica() is False


def test_reads_inside_a_transaction_stay_on_the_primary():
    with replica_reads(), transaction.atomic():
        assert served_by_replica() is False


def test_falls_back_to_the_primary_when_the_replica_is_stopped(replica_server):
    with replica_reads():
        assert served_by_replica() is True
    replica_server.stop("fast")
    try:
        with replica_reads():
            assert served_by_replica() is False
            assert "unreachable" in dbrouting.current_probe().reason
    finally:
        replica_server.start()
    assert pgcluster.wait_until(lambda: dbrouting.probe_replica().usable, timeout=30)
    dbrouting.forget_probe()
    with replica_reads():
        assert served_by_replica() is True


def test_falls_back_when_the_replica_lags(settings, replica_server):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    replica_dsn = f"host=127.0.0.1 port={replica_server.port} user=shegong dbname=postgres"
    with psycopg.connect(replica_dsn, autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            _primary_write()
            time.sleep(1.0)
            _primary_write()
            with replica_reads():
                assert served_by_replica() is False
                probe = dbrouting.current_probe()
                assert not probe.usable and probe.lag_seconds > 0.5, probe
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    assert pgcluster.wait_until(lambda: dbrouting.probe_replica().usable, timeout=30)
    dbrouting.forget_probe()
    with replica_reads():
        assert served_by_replica() is True
    with psycopg.connect(_primary_dsn(), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS replica_test_scratch")


# A read after a write in the same request ---------------------------------------------------------------------


@replica_reads()
def read_write_read(request):
    before = served_by_replica()
    if request.GET.get("how") == "orm":
        from shegong.core.schedules import record_finish

        record_finish("replica-test")
    elif request.GET.get("how") == "sql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_schedulefinish WHERE name = 'no-such-schedule'")
    after = served_by_replica()
    return JsonResponse({"before": before, "after": after})


urlpatterns = [path("read-write-read/", read_write_read)]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("how", ["orm", "sql"])
def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(client, how):
    assert client.get(f"/read-write-read/?how={how}").json() == {"before": True, "after": False}


@override_settings(ROOT_URLCONF=__name__)
def test_the_next_request_reads_the_replica_again(client):
    client.get("/read-write-read/?how=orm")
    assert client.get("/read-write-read/?how=none").json() == {"before": True, "after": True}


def _caught_up():
    return pgcluster.wait_until(lambda: dbrouting.probe_replica().lag_seconds == 0, timeout=30)


def test_the_dashboards_read_from_the_replica(world, client):
    login_client(client, world.official_a)
    assert _caught_up()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get("/")
    assert response.status_code == 200
    assert len(on_replica) > 0
    # A page outside the dashboards reads only the primary.
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/recipients/").status_code == 200
    assert len(on_replica) == 0


def test_an_export_reads_its_rows_from_the_replica_and_audits_on_the_primary(world, client):
    from shegong.audit.models import AuditEvent

    login_client(client, world.official_a)
    before = AuditEvent.objects.filter(action="export").count()
    assert _caught_up()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get("/recipients/export/")
    assert response.status_code == 200
    assert any("recipients_recipient" in q["sql"] for q in on_replica.captured_queries)
    assert AuditEvent.objects.filter(action="export").count() == before + 1


def test_a_background_export_reads_its_rows_from_the_replica_despite_its_progress_writes(world, settings):
    from shegong.core import exports
    from shegong.core.actors import actor_of_user
    from shegong.core.models import ExportJob, ExportJobStatus
    from shegong.core.scoping import activate

    settings.IMPORT_RUNNER = "worker"  # queued for a worker (none runs here): the test runs the job itself
    actor = actor_of_user(world.official_a.pk)
    with activate(actor.scope):
        job = exports.queue_export(
            actor=actor,
            spec=exports.spec_for("recipients.recipient"),
            filters={},
            reveal=False,
            reason="",
            rows=1,
        )
        assert _caught_up()
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            exports.run_export_job(job.pk, actor)
    assert ExportJob.objects.get(pk=job.pk).status == ExportJobStatus.DONE
    reads = [q["sql"] for q in on_replica.captured_queries if "recipients_recipient" in q["sql"]]
    assert len(reads) >= 2  # the count and the rows of the file

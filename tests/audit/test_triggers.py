"""The database keeps the audit log append-only below the ORM: triggers refuse UPDATE always, DELETE outside
`audit prune` (and of entries younger than six months inside it), TRUNCATE outside `flush` on PostgreSQL."""

import datetime
import sqlite3

import pytest
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from shegong.audit import guard, services
from shegong.audit.models import AuditCheckpoint, AuditEvent

from .helpers import installed_triggers, triggers_bypassed

pytestmark = pytest.mark.django_db

YOUNG = "younger than 6 months"


@pytest.fixture
def entries(db):
    return [services.record("test.write", actor_name=f"u{i}", changes={"n": i}) for i in range(5)]


def backdate(seqs: list[int], days: int = 400) -> None:
    old = timezone.now() - datetime.timedelta(days=days)
    with triggers_bypassed() as cursor:
        for seq in seqs:
            cursor.execute("UPDATE audit_auditevent SET at = %s WHERE seq = %s", [old, seq])


def refused(sql: str, params=()) -> str:
    """Run ``sql`` expecting the database to refuse it; the refusal's message."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


def prune_open() -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('shegong.audit_prune', true)")
            return cursor.fetchone()[0] == "on"
    return getattr(connection, "shegong_audit_delete_mode", None) is not None


def test_the_triggers_are_installed():
    # A later migration that rebuilds the table on SQLite drops them with it: it must create them again.
    expected = (
        {"audit_auditevent_append_only", "audit_auditevent_no_truncate"}
        if connection.vendor == "postgresql"
        else {"audit_auditevent_no_update", "audit_auditevent_no_delete", "audit_auditevent_prune_old_only"}
    )
    assert installed_triggers() == expected
    checkpoint_triggers = (
        {"audit_auditcheckpoint_append_only", "audit_auditcheckpoint_no_truncate"}
        if connection.vendor == "postgresql"
        else {"audit_auditcheckpoint_no_update", "audit_auditcheckpoint_no_delete"}
    )
    assert installed_triggers("audit_auditcheckpoint") == checkpoint_triggers


def test_update_is_refused_even_past_the_orm(entries):
    message = refused("UPDATE audit_auditevent SET actor_name = 'mallory' WHERE seq = %s", [entries[2].seq])
    assert "append-only" in message
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent._base_manager.filter(seq=entries[0].seq).update(reason="x")  # the plain manager
    assert "append-only" in refused("UPDATE audit_auditevent SET at = at")
    assert AuditEvent.objects.get(seq=entries[2].seq).actor_name == "u2"
    assert services.verify().ok


def test_delete_is_refused_outside_the_prune_path(entries):
    backdate([entries[0].seq])  # old enough to prune, but only through the prune path
    assert "append-only" in refused("DELETE FROM audit_auditevent WHERE seq = %s", [entries[0].seq])
    assert "append-only" in refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 5


def test_the_prune_path_cannot_delete_young_entries(entries):
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), guard.deleting(guard.PRUNE):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [entries[4].seq])
    assert YOUNG in str(caught.value)
    assert not prune_open()
    assert AuditEvent.objects.count() == 5


def test_prune_deletes_old_entries_and_closes_the_guard_behind_it(entries):
    backdate([e.seq for e in entries[:3]])
    assert services.prune(timezone.now() - datetime.timedelta(days=200)) == 3
    assert not prune_open()
    assert "append-only" in refused("DELETE FROM audit_auditevent")
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [entries[3].seq, entries[4].seq]


def test_prune_is_refused_when_a_young_entry_sits_among_old_ones(entries):
    # Entry 2 was written while the clock was set back: the prefix up to entry 3 holds a young entry.
    backdate([entries[0].seq, entries[2].seq])
    with pytest.raises(services.PruneRefused, match=YOUNG):
        services.prune(timezone.now() - datetime.timedelta(days=200))
    assert AuditEvent.objects.count() == 5
    assert not prune_open()


def test_truncate_is_refused_on_postgresql(entries):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE fires the row triggers")
    assert "TRUNCATE refused" in refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_leaves_the_guard_closed(entries):
    services.checkpoint()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditCheckpoint.objects.exists()
    entry = services.record("test.after-flush", actor_name="u")
    assert "append-only" in refused("DELETE FROM audit_auditevent WHERE seq = %s", [entry.seq])
    if connection.vendor == "postgresql":
        assert "TRUNCATE refused" in refused("TRUNCATE audit_auditevent")
    # The test's own teardown flushes the database once more, with this entry in it.


@pytest.mark.django_db(transaction=True)
def test_another_sqlite_client_cannot_delete_either(entries):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="shegong_audit_delete_mode"):
            other.execute("DELETE FROM audit_auditevent")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            other.execute("UPDATE audit_auditevent SET actor_name = 'mallory'")
    finally:
        other.close()
    assert AuditEvent.objects.count() == 5
    # The same holds for a Django connection without the app's set-up.
    connection.connection.create_function(guard.SQLITE_FUNCTION, 0, None)
    try:
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    finally:
        guard.register_sqlite_function(sender=None, connection=connection)

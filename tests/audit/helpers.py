"""Tampering with the audit log the way only someone past the database's triggers can."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

TABLE = "audit_auditevent"
TABLES = (TABLE, "audit_auditcheckpoint")  # the tables the audit triggers protect


def installed_triggers(table: str = TABLE) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def triggers_bypassed() -> Iterator:
    """A cursor for which the audit triggers do not fire.

    PostgreSQL: a superuser's session in replica mode skips ordinary triggers. SQLite: whoever can write the
    database file can drop the triggers (put back on the way out; the test's transaction is rolled back anyway).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)", TABLES
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield cursor
        finally:
            for _name, sql in triggers:
                cursor.execute(sql)

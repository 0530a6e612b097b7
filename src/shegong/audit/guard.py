"""The database's side of the append-only audit log (docs/adr/0002-audit-log-triggers.md).

Triggers installed by migration 0002 refuse every UPDATE of an audit entry and every DELETE (and, on PostgreSQL,
TRUNCATE) unless the connection has opened the guard for one of two purposes:

- ``PRUNE``: `shegong audit prune` deleting entries older than six months — the triggers still refuse younger ones;
- ``FLUSH``: Django's `flush` command emptying the whole database (the test suite runs it between transactional
  tests).

PostgreSQL reads the purpose from the settings ``shegong.audit_prune`` / ``shegong.audit_flush``; SQLite asks the
function ``shegong_audit_delete_mode()``, which every connection Django opens registers. Another SQLite client (the
sqlite3 shell) has no such function, so a DELETE from it fails too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

PRUNE = "prune"
FLUSH = "flush"
SQLITE_FUNCTION = "shegong_audit_delete_mode"
PRUNE_MIN_AGE_DAYS = 183  # the triggers hold the same limit as shegong.audit.services.prune


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: the function the SQLite triggers ask for the open purpose, if any."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_FUNCTION, 0, lambda: getattr(connection, "shegong_audit_delete_mode", None)
    )


@contextmanager
def deleting(purpose: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Open the guard for ``purpose`` on one connection for the duration of the block.

    Inside a transaction the PostgreSQL setting is transaction-local: an error in the block rolls the transaction
    (or savepoint) back and the setting with it. Outside one it is a session setting, closed again on the way out.
    """
    if purpose not in (PRUNE, FLUSH):
        raise ValueError(f"unknown audit delete purpose {purpose!r}")
    connection = connections[using]
    if connection.vendor == "postgresql":
        setting = f"shegong.audit_{purpose}"
        local = connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', %s)", [setting, local])
        try:
            yield
        except BaseException:
            if not local:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, '', false)", [setting])
            raise
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', %s)", [setting, local])
        return
    connection.ensure_connection()
    previous = getattr(connection, "shegong_audit_delete_mode", None)
    connection.shegong_audit_delete_mode = purpose
    try:
        yield
    finally:
        connection.shegong_audit_delete_mode = previous

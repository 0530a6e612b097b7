"""Reads of dashboards, reports and exports from a streaming replica, when one is configured.

A deployment sets ``DATABASE_REPLICA_URL``; the settings then add the ``replica`` database and
:class:`ReplicaRouter` sends a read there only when all of these hold:

* the code asked for it: it runs inside ``with replica_reads():`` (or a view decorated ``@replica_reads``);
  everything else reads the primary, as before;
* nothing was written earlier in the same request (or, outside a request, in the same ``replica_reads`` block):
  a write noticed by the router (``db_for_write``) or by the statement watcher on the primary's connection (raw
  SQL included) pins every later read of the request to the primary, so a page never misses its own write;
* no transaction is open on the primary: a read inside ``atomic()`` belongs with the writes around it (the audit
  chain reads its head there), so it stays on the primary;
* the replica answered the last probe, is still in recovery, and is at most ``REPLICA_MAX_LAG_SECONDS`` behind
  the primary. A probe's answer is kept for ``REPLICA_PROBE_SECONDS`` per process, so a replica that is down
  costs one connection timeout per process and interval, not one per request.

Lag is measured on the replica as the age of the last replayed transaction, and counts as zero when the replica
has replayed everything the primary has written (the primary's current WAL position), so an idle primary does not
make a fresh replica look stale.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from contextlib import ContextDecorator
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

REPLICA = "replica"


class _Unit:
    """One request (or one ``replica_reads`` block outside a request): whether it has written yet."""

    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


_unit: contextvars.ContextVar[_Unit | None] = contextvars.ContextVar("shegong_db_unit", default=None)
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("shegong_replica_wanted", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class replica_reads(ContextDecorator):
    """Let the reads inside go to the replica while it is fresh (a context manager and a view decorator).

    ``fresh=True`` starts a unit of its own, forgetting writes made before it: for a background job whose earlier
    writes (claiming the job) have nothing to do with the rows it reads."""

    def __init__(self, *, fresh: bool = False):
        self.fresh = fresh

    def __enter__(self):
        self._tokens = [_wanted.set(True)]
        if self.fresh or _unit.get() is None:
            self._tokens.append(_unit.set(_Unit()))
        return self

    def _recreate_cm(self):
        # Used as a decorator, each call needs its own instance: the tokens belong to one call.
        return type(self)(fresh=self.fresh)

    def __exit__(self, *exc):
        for token in reversed(self._tokens):
            token.var.reset(token)
        return False


def wrote_in_this_unit() -> bool:
    unit = _unit.get()
    return unit is not None and unit.wrote


def _note_write() -> None:
    unit = _unit.get()
    if unit is not None:
        unit.wrote = True


class ReplicaRequestMiddleware:
    """Each request is one unit: a write anywhere in it keeps its later reads on the primary.

    The views of the namespaces in ``settings.REPLICA_READ_NAMESPACES`` (the dashboards) read from the replica as
    a whole, as if decorated with ``replica_reads()``: the mark sits here, not in each view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = [_unit.set(_Unit())]
        request._replica_tokens = tokens
        try:
            return self.get_response(request)
        finally:
            for token in reversed(tokens):
                token.var.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.namespace in settings.REPLICA_READ_NAMESPACES:
            request._replica_tokens.append(_wanted.set(True))
        return None


# Statements that do not change data; anything else on the primary's connection counts as a write.
_READ_VERBS = (
    "SELECT",
    "SHOW",
    "SET",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "BEGIN",
    "COMMIT",
    "EXPLAIN",
    "VALUES",
)


def _is_write(sql: str) -> bool:
    head = sql.lstrip(" \t\n(").split(None, 1)
    if not head:
        return False
    verb = head[0].upper()
    if verb == "WITH":
        upper = sql.upper()
        return any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE ", "MERGE "))
    if verb == "SELECT":
        return " FOR UPDATE" in sql.upper() or " FOR NO KEY UPDATE" in sql.upper()
    return verb not in _READ_VERBS


def _watch_primary(execute, sql, params, many, context):
    if _unit.get() is not None and _is_write(str(sql)):
        _note_write()
    return execute(sql, params, many, context)


def _install_watcher(sender, connection, **kwargs) -> None:
    if connection.alias == DEFAULT_DB_ALIAS and _watch_primary not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_primary)


connection_created.connect(_install_watcher, dispatch_uid="shegong.dbrouting.watch_primary")


# The probe ------------------------------------------------------------------------------------------------------


@dataclass
class Probe:
    usable: bool
    lag_seconds: float | None
    reason: str
    checked_at: float


_probe_lock = threading.Lock()
_last_probe: Probe | None = None


def forget_probe() -> None:
    """Drop the cached answer, so the next routed read looks at the replica again."""
    global _last_probe
    _last_probe = None


def probe_replica() -> Probe:
    """Look at the replica now: reachable, in recovery, and how far behind the primary."""
    max_lag = settings.REPLICA_MAX_LAG_SECONDS
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
    except Exception as error:  # noqa: BLE001 - the primary's own trouble is reported by the read itself
        return Probe(False, None, f"primary position unknown: {error}", time.monotonic())
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            in_recovery, caught_up, age = cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not usable now"; logged, never raised
        logger.warning("replica unreachable, reading from the primary: %s", error)
        replica.close()
        return Probe(False, None, f"unreachable: {error}", time.monotonic())
    if not in_recovery:
        return Probe(False, None, "not in recovery (promoted?)", time.monotonic())
    lag = 0.0 if caught_up else float(age if age is not None else float("inf"))
    if lag > max_lag:
        return Probe(False, lag, f"lags {lag:.1f} s", time.monotonic())
    return Probe(True, lag, "fresh", time.monotonic())


def current_probe() -> Probe | None:
    """The cached probe, refreshed by one thread when older than ``REPLICA_PROBE_SECONDS``; the others go on
    with the last answer meanwhile (the primary, before the first answer)."""
    global _last_probe
    last = _last_probe
    if last is not None and time.monotonic() - last.checked_at < settings.REPLICA_PROBE_SECONDS:
        return last
    if not _probe_lock.acquire(blocking=False):
        return last
    try:
        _last_probe = probe_replica()
        return _last_probe
    finally:
        _probe_lock.release()


def replica_usable() -> bool:
    probe = current_probe()
    return probe is not None and probe.usable


class ReplicaRouter:
    # Both answer an alias, never None: Django would otherwise fall back to the database the hinted instance
    # was read from, and a row read from the replica would be saved there (or its relations read there later).
    def db_for_read(self, model, **hints):
        if not _wanted.get() or not replica_configured() or wrote_in_this_unit():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA if replica_usable() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        _note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: an object read from either relates to the other's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA

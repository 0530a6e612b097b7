"""Liveness and readiness for load balancers and monitoring: ``/healthz`` and ``/readyz``.

Both are answered by the first middleware, before host validation, HTTPS redirects, sessions, the actor or the
audit log, so a probe costs nothing but its own checks and is never recorded as a user's read. Neither needs a
login and neither returns business data: only the state of each check.

``/healthz`` (liveness): the process answers. It touches no database, so a database outage never makes the
orchestrator restart healthy web processes.

``/readyz`` (readiness), 200 when every required check passes, else 503:

* ``database``: a ``SELECT 1`` on the primary, with a short statement timeout (and the connection's own timeout);
* ``migrations``: no migration on disk is missing from the database (a release deployed before ``migrate``);
* ``worker``: a task worker stamped its heartbeat within ``WORKER_HEARTBEAT_STALE_SECONDS`` — required only
  where background work needs a worker (``SHEGONG_IMPORT_RUNNER=worker``, production), reported otherwise;
* ``month_start``: seconds since the month-start visit ledger (``visits.open-month``) last finished, and whether
  it has finished this month; reported for monitoring, never a reason to take a web node out of rotation.
"""

from __future__ import annotations

import datetime
import functools
import json
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import timezone

MONTH_START_SCHEDULE = "visits.open-month"
STATEMENT_TIMEOUT_MS = 2000


def _json(payload: dict, status: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )
    response["Cache-Control"] = "no-store"
    return response


def liveness() -> HttpResponse:
    return _json({"status": "ok"}, 200)


@functools.cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration the installed code has; read once per process (the code does not change under it)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.disk_migrations)


def _check_database(cursor) -> dict:
    started = time.perf_counter()
    cursor.execute("SELECT 1")
    cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_migrations(cursor) -> dict:
    cursor.execute("SELECT app, name FROM django_migrations")
    applied = {(app, name) for app, name in cursor.fetchall()}
    pending = len(migrations_on_disk() - applied)
    return {"ok": pending == 0, "pending": pending}


def _check_worker(now: datetime.datetime) -> dict:
    from .models import WorkerHeartbeat

    required = settings.IMPORT_RUNNER == "worker"
    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    age = None if last is None else max(0.0, (now - last).total_seconds())
    alive = age is not None and age <= settings.WORKER_HEARTBEAT_STALE_SECONDS
    return {"ok": alive or not required, "required": required, "alive": alive, "age_seconds": _round(age)}


def _check_month_start(now: datetime.datetime) -> dict:
    from .models import ScheduleFinish

    last = (
        ScheduleFinish.objects.filter(name=MONTH_START_SCHEDULE).values_list("finished_at", flat=True).first()
    )
    if last is None:
        return {"ok": False, "required": False, "age_seconds": None, "this_month": False}
    local_now, local_last = timezone.localtime(now), timezone.localtime(last)
    this_month = (local_last.year, local_last.month) == (local_now.year, local_now.month)
    return {
        "ok": this_month,
        "required": False,
        "age_seconds": _round((now - last).total_seconds()),
        "this_month": this_month,
    }


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def readiness() -> HttpResponse:
    now = timezone.now()
    checks: dict[str, dict] = {}
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Outside a transaction: the timeout applies to this session's next statements; reset below.
                cursor.execute("SET statement_timeout = %s", [STATEMENT_TIMEOUT_MS])
            try:
                checks["database"] = _check_database(cursor)
                checks["migrations"] = _check_migrations(cursor)
                checks["worker"] = _check_worker(now)
                checks["month_start"] = _check_month_start(now)
            finally:
                if connection.vendor == "postgresql":
                    cursor.execute("RESET statement_timeout")
    except Exception as error:  # noqa: BLE001 - any database failure is the answer "not ready"
        checks.setdefault("database", {"ok": False, "error": type(error).__name__})
        for name in ("migrations", "worker", "month_start"):
            checks.setdefault(name, {"ok": False, "error": "database unavailable"})
        # A connection broken mid-check is not handed to the next request.
        connection.close_if_unusable_or_obsolete()
    ready = all(check["ok"] for check in checks.values() if check.get("required", True))
    return _json({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)


PROBES = {"/healthz": liveness, "/readyz": readiness}


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info.rstrip("/") or "/")
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe()
        return self.get_response(request)

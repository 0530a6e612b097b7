"""`shegong db_worker`: django-tasks-db's worker, which also stamps a heartbeat that /readyz reads and outlives a
database restart.

The worker of django-tasks-db stops at the first database error other than a locked SQLite file, so a PostgreSQL
restart would leave imports queued until someone restarted it. This one logs the error, drops its connections
and starts polling again after ``RETRY_SECONDS``; a task that was running when the database went away is left
marked running, and the schedule that sweeps stale jobs marks it failed (it wrote nothing: one transaction).

The heartbeat is written by a thread every ``BEAT_SECONDS`` while the worker process lives, with its own database
connection, so a long task does not make a healthy worker look dead. A failed stamp (the database restarting) is
logged and tried again at the next beat. On a clean exit the worker's row is removed; rows of workers that died
without one are removed by the next beat of any worker once they are a day old.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connection, connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("shegong.worker")

BEAT_SECONDS = 15
RETRY_SECONDS = 2
FORGET_AFTER = datetime.timedelta(days=1)


class Heartbeat:
    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="shegong-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self.thread.start()

    def beat(self) -> None:
        from shegong.core.models import WorkerHeartbeat

        now = timezone.now()
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": self.started_at,
                    "beat_at": now,
                },
            )
            WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
        except Exception:  # the database may be restarting: say so and beat again later
            logger.warning("worker heartbeat not written", exc_info=True)
            connection.close()

    def _run(self) -> None:
        try:
            while not self.stopped.wait(BEAT_SECONDS):
                close_old_connections()
                self.beat()
        finally:
            connection.close()

    def stop(self) -> None:
        from shegong.core.models import WorkerHeartbeat

        self.stopped.set()
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.warning("worker heartbeat not removed", exc_info=True)


BATCH_ATTEMPTS = 3


class Command(db_worker.Command):
    help = "Run the background task worker (django-tasks-db) with a heartbeat for /readyz"

    def handle(self, *args, worker_id: str, **options):
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        # A long-running worker outlives a database restart by polling again; a batch run (which exits once the
        # queue is empty) tries a few times and then reports the error instead of waiting forever.
        attempts = BATCH_ATTEMPTS if options.get("batch") else None
        try:
            while True:
                try:
                    return super().handle(*args, worker_id=worker_id, **options)
                except (OperationalError, InterfaceError):
                    if attempts is not None:
                        attempts -= 1
                        if attempts <= 0:
                            raise
                    logger.warning(
                        "database unavailable; polling again in %s s", RETRY_SECONDS, exc_info=True
                    )
                    connections.close_all()
                    time.sleep(RETRY_SECONDS)
        finally:
            heartbeat.stop()

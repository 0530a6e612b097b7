"""Soak: gunicorn and the task worker under a bounded mixed load while PostgreSQL restarts twice.

``python -m bench --only soak`` (``make bench`` runs it last). ``SOAK_SECONDS`` sets the load's duration (default
600: ten minutes); ``SOAK_CLIENTS`` the number of client threads (default 6); ``SOAK_WORKERS`` gunicorn's workers
(default 4).

The soak starts a PostgreSQL cluster of its own, durable as production runs it (fsync and synchronous_commit on;
the throw-away cluster of the other benchmarks runs without them and may lose acknowledged commits on a crash), on
a free port. It migrates it, builds two townships with their workers, cases and recipients, and starts gunicorn
(``deploy/gunicorn.conf.py``) and ``shegong db_worker`` against it. Local client threads then send, for the whole
duration:

* visits through the field app's sync upload, each with its own idempotency key; a failed send is retried with
  the same key, and some acknowledged ones are sent again (as a phone does when an answer is lost);
* case notes through the API, with idempotency keys, retried and resent the same way;
* requests through the public form (no key: a failed one is not retried, as a resident would not know);
* dashboards, the recipient export, ``/readyz``; and one roster import through the import page, run by the worker.

At one third and two thirds of the duration the script restarts PostgreSQL (``pg_ctl restart -m fast``). It then
counts, from the database itself: every acknowledged write (2xx, or the public form's redirect to its tracking
page) present exactly once; errors inside each restart window (the restart and 10 s after it) and outside them;
whether the same gunicorn master and worker kept answering (connections recover without a restart of the app);
p50/p95 latency per kind of request. It exits non-zero when an acknowledged write is missing or doubled.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

CHECKOUT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Soak-Test-Pass-42"
RESTART_GRACE = 10.0
IMPORT_ROWS = 200  # seconds after a restart finished that still count as its window


class Failed(Exception):
    """Raised after the figures are printed when an acknowledged write was lost or doubled."""


# The data the load runs on (run in a child process, under the soak cluster's settings) ------------------------


def prepare() -> None:
    """Build the soak's world and print what the clients need as one JSON line."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from tests.cases.helpers import build, open_data, to_intervention
    from tests.factories import TOWN_A, VILLAGE_A1, build_world
    from tests.recipients.helpers import make_recipient

    from shegong.accounts import services as account_services
    from shegong.accounts.actor import Actor
    from shegong.accounts.middleware import SESSION_OTP_OK
    from shegong.cases import services as case_services
    from shegong.core.scoping import unscoped

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "shegong.accounts.backends.LockoutModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[SESSION_OTP_OK] = True
        store.create()
        return store.session_key

    with unscoped():
        world = build_world()
        cw = build(world)
        cw.worker_user.set_password(PASSWORD)
        cw.worker_user.save()
        recipients = [make_recipient(VILLAGE_A1, name=f"浸泡对象{i}", worker=cw.worker) for i in range(40)]
        cases = [
            to_intervention(
                cw,
                case_services.case_open(
                    actor=cw.lead, station=world.station_a, worker=cw.worker, data=open_data(recipients[i])
                ),
            ).pk
            for i in range(6)
        ]
        _token, raw_token = account_services.token_create(
            actor=Actor.for_user(cw.worker_user), user=cw.worker_user, name="soak"
        )
    print(
        json.dumps(
            {
                "worker_token": raw_token,
                "worker_username": cw.worker_user.username,
                "recipients": [r.pk for r in recipients],
                "cases": cases,
                "village": VILLAGE_A1,
                "town": TOWN_A,
                "official_session": session_for(world.user_a),
            }
        )
    )


# The PostgreSQL cluster --------------------------------------------------------------------------------------


def _bindir() -> Path:
    import glob

    found = shutil.which("pg_config")
    if found:
        candidate = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        if (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    workdir: Path
    port: int
    run_as: list[str] = field(default_factory=list)

    @classmethod
    def create(cls) -> Cluster:
        workdir = Path(tempfile.mkdtemp(prefix="shegong-soak."))
        run_as: list[str] = []
        if os.getuid() == 0:  # initdb refuses root: the cluster belongs to the postgres (or nobody) account
            import pwd

            owner = "postgres"
            try:
                pwd.getpwnam(owner)
            except KeyError:
                owner = "nobody"
            shutil.chown(workdir, owner)
            run_as = ["runuser", "-u", owner, "--"]
        cluster = cls(_bindir(), workdir, _free_port(), run_as)
        cluster.pg(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "shegong",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        # Durable, as in production: fsync and synchronous_commit stay at their defaults (on).
        options = f"-h 127.0.0.1 -p {cluster.port} -k {workdir} -c max_connections=100"
        cluster.pg(
            "pg_ctl",
            "-D",
            str(cluster.data),
            "-l",
            str(workdir / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        return cluster

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    @property
    def url(self) -> str:
        return f"postgres://shegong@127.0.0.1:{self.port}/postgres"

    def pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / program), *args], check=True, capture_output=True, timeout=180
        )

    def restart(self) -> None:
        # pg_ctl restart keeps the options the server was started with (postmaster.opts).
        self.pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.workdir / "log"),
            "-m",
            "fast",
            "-w",
            "-t",
            "120",
            "restart",
        )

    def remove(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.workdir, ignore_errors=True)


# The load ------------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    ok: bool
    status: int | str


@dataclass
class Ledger:
    """What the clients were told: the keys and tracking codes of acknowledged writes, and every request."""

    samples: list[Sample] = field(default_factory=list)
    visits_acked: set[str] = field(default_factory=set)
    visits_sent: set[str] = field(default_factory=set)
    notes_acked: set[str] = field(default_factory=set)
    notes_sent: set[str] = field(default_factory=set)
    public_acked: dict[str, str] = field(default_factory=dict)  # marker -> tracking code
    public_sent: set[str] = field(default_factory=set)
    resends: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class Load:
    def __init__(self, base: str, world: dict, ledger: Ledger, stop: threading.Event):
        import requests

        self.base = base
        self.world = world
        self.ledger = ledger
        self.stop = stop
        self.requests = requests

    def _timed(self, kind: str, call):
        started = time.time()
        t0 = time.perf_counter()
        try:
            response = call()
            status: int | str = response.status_code
        except self.requests.RequestException as error:
            response, status = None, type(error).__name__
        seconds = time.perf_counter() - t0
        ok = response is not None and (
            200 <= response.status_code < 300 or response.status_code in (301, 302)
        )
        self.ledger.add(Sample(kind, started, seconds, ok, status))
        return response if ok else None

    def api_session(self):
        session = self.requests.Session()
        session.headers["Authorization"] = f"Bearer {self.world['worker_token']}"
        return session

    def page_session(self):
        session = self.requests.Session()
        session.cookies.set("sessionid", self.world["official_session"])
        return session

    # Writes with idempotency keys: retried with the same key until acknowledged, sometimes resent after.

    def _keyed(self, kind: str, send, key: str, acked: set[str], sent: set[str]) -> None:
        with self.ledger.lock:
            sent.add(key)
        for attempt in range(8):
            response = self._timed(kind, send)
            if response is not None:
                with self.ledger.lock:
                    acked.add(key)
                if random.random() < 0.15:  # the answer "was lost": the phone sends the same record again
                    with self.ledger.lock:
                        self.ledger.resends += 1
                    self._timed(kind + " (resent)", send)
                return
            with self.ledger.lock:
                self.ledger.retries += 1
            if self.stop.is_set() and attempt >= 2:
                return
            time.sleep(0.5 * (attempt + 1))

    def visit(self, session, device: str) -> None:
        key = str(uuid.uuid4())
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))
        body = {
            "device": device,
            "records": [
                {
                    "key": key,
                    "kind": "visit",
                    "captured_at": now,
                    "payload": {
                        "recipient": random.choice(self.world["recipients"]),
                        "visited_at": now,
                        "method": "home",
                        "notes": "入户查看，一切正常",
                        "findings": {"gas": "ok", "water": "ok", "power": "ok"},
                    },
                }
            ],
        }

        def send():
            response = session.post(f"{self.base}/api/v1/sync/upload", json=body, timeout=30)
            if response.status_code == 200 and response.json()["results"][0]["status"] != "saved":
                response.status_code = 599  # answered, but the record was not saved: not an acknowledgement
            return response

        self._keyed("visit", send, key, self.ledger.visits_acked, self.ledger.visits_sent)

    def note(self, session) -> None:
        key = str(uuid.uuid4())
        case = random.choice(self.world["cases"])
        body = {
            "idempotency_key": key,
            "noted_on": datetime.datetime.now(SHANGHAI).date().isoformat(),  # the cases opened today
            "method": "home",
            "content": f"上门陪伴 {key[:8]}",
        }
        self._keyed(
            "case note",
            lambda: session.post(f"{self.base}/api/v1/cases/{case}/notes", json=body, timeout=30),
            key,
            self.ledger.notes_acked,
            self.ledger.notes_sent,
        )

    def public_request(self) -> None:
        session = self.requests.Session()
        form = self._timed(
            "public form (page)", lambda: session.get(f"{self.base}/public/requests/new/", timeout=30)
        )
        if form is None:
            return
        marker = uuid.uuid4().hex[:12]
        # Each resident from an address of its own (the form limits submissions per address).
        address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        data = {
            "description": f"家里老人需要助餐 {marker}",
            "region": self.world["village"],
            "requester_phone": "13800138000",
            "consent_contact": "on",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        }
        with self.ledger.lock:
            self.ledger.public_sent.add(marker)
        response = self._timed(
            "public request",
            lambda: session.post(
                f"{self.base}/public/requests/new/",
                data=data,
                headers={"X-Forwarded-For": address, "Referer": f"{self.base}/public/requests/new/"},
                allow_redirects=False,
                timeout=30,
            ),
        )
        if response is not None and response.status_code == 302:
            code = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
            with self.ledger.lock:
                self.ledger.public_acked[marker] = code

    def read(self, session, kind: str, path: str) -> None:
        self._timed(kind, lambda: session.get(f"{self.base}{path}", timeout=60, allow_redirects=False))

    def client(self, number: int) -> None:
        api = self.api_session()
        pages = self.page_session()
        device = str(uuid.uuid4())
        for _attempt in range(5):
            unlock = self._timed(
                "unlock",
                lambda: api.post(
                    f"{self.base}/api/v1/sync/unlock",
                    json={"device": device, "password": PASSWORD},
                    timeout=60,
                ),
            )
            if unlock is not None:
                break
        else:
            return
        rng = random.Random(number)
        while not self.stop.is_set():
            pick = rng.random()
            if pick < 0.40:
                self.visit(api, device)
            elif pick < 0.60:
                self.note(api)
            elif pick < 0.70:
                self.public_request()
            elif pick < 0.85:
                self.read(pages, "dashboard", "/")
            elif pick < 0.90:
                self.read(pages, "export", "/recipients/export/")
            else:
                self.read(self.requests, "readyz", "/readyz")
            time.sleep(rng.uniform(0.05, 0.25))

    def roster_import(self) -> dict:
        """One roster import through the upload page; the worker runs it. Returns its outcome."""
        import re

        session = self.page_session()
        page = self._timed(
            "import (page)", lambda: session.get(f"{self.base}/recipients/import/", timeout=30)
        )
        if page is None:
            return {"status": "page failed"}
        content = _roster_csv(self.world["village"], rows=IMPORT_ROWS)
        response = self._timed(
            "import (upload)",
            lambda: session.post(
                f"{self.base}/recipients/import/",
                data={
                    "region": self.world["town"],
                    "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
                },
                files={"file": ("名册.csv", content, "text/csv")},
                headers={"Referer": f"{self.base}/recipients/import/"},
                allow_redirects=False,
                timeout=60,
            ),
        )
        if response is None or response.status_code != 302:
            return {"status": f"upload answered {getattr(response, 'status_code', 'nothing')}"}
        match = re.search(r"/imports/(\d+)/", response.headers["Location"])
        return {"status": "queued", "job": int(match.group(1)) if match else None}


def _roster_csv(village: str, rows: int) -> bytes:
    from shegong.core.identity import id_check_digit

    lines = ["姓名,身份证号,联系电话,村（社区）区划代码,居住地址,风险等级"]
    base = random.randint(100, 800)
    for i in range(rows):
        first17 = f"500103{1940 + i % 50}{i % 12 + 1:02d}{i % 28 + 1:02d}{base:03d}"
        lines.append(f"导入对象{i},{first17 + id_check_digit(first17)},139{i:08d},{village},幸福路{i}号,一般")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


# Counting ------------------------------------------------------------------------------------------------------


def _count(url: str, ledger: Ledger, import_job: int | None) -> dict:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:

        def per_key(table: str, keys: set[str]) -> dict[str, int]:
            if not keys:
                return {}
            rows = conn.execute(
                f"SELECT idempotency_key::text, count(*) FROM {table} WHERE idempotency_key = ANY(%s::uuid[]) "
                "GROUP BY 1",
                [list(keys)],
            ).fetchall()
            return dict(rows)

        visits = per_key("visits_visit", ledger.visits_sent)
        notes = per_key("cases_interventionnote", ledger.notes_sent)
        public = dict(
            conn.execute(
                "SELECT tracking_code, count(*) FROM demands_demandrequest WHERE tracking_code = ANY(%s) GROUP BY 1",
                [list(ledger.public_acked.values())],
            ).fetchall()
        )
        public_markers = conn.execute(
            "SELECT substring(description from '[0-9a-f]{12}$'), count(*) FROM demands_demandrequest "
            "WHERE description LIKE '家里老人需要助餐 %%' GROUP BY 1"
        ).fetchall()
        imported = conn.execute(
            "SELECT count(*) FROM recipients_recipient WHERE name LIKE '导入对象%%'"
        ).fetchone()[0]
        job = None
        if import_job is not None:
            job = conn.execute(
                "SELECT status, created FROM core_importjob WHERE id = %s", [import_job]
            ).fetchone()
    markers = dict(public_markers)
    return {
        "visit": _tally(ledger.visits_acked, ledger.visits_sent, visits),
        "case note": _tally(ledger.notes_acked, ledger.notes_sent, notes),
        "public request": {
            "acked": len(ledger.public_acked),
            "lost": sum(1 for code in ledger.public_acked.values() if public.get(code, 0) == 0),
            "twice": sum(1 for n in markers.values() if n > 1),
            "unacked_but_stored": sum(
                1 for m in ledger.public_sent - set(ledger.public_acked) if markers.get(m)
            ),
        },
        "import": job,
        "imported rows": imported,
    }


def _tally(acked: set[str], sent: set[str], stored: dict[str, int]) -> dict:
    return {
        "acked": len(acked),
        "lost": sum(1 for key in acked if stored.get(key, 0) == 0),
        "twice": sum(1 for n in stored.values() if n > 1),
        "unacked_but_stored": sum(1 for key in sent - acked if stored.get(key, 0)),
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# The run -------------------------------------------------------------------------------------------------------


def _env(cluster: Cluster, var: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": cluster.url,
            "DJANGO_SETTINGS_MODULE": "shegong.settings",
            "SHEGONG_ENV": "development",
            "SHEGONG_VAR": str(var),
            "SHEGONG_IMPORT_RUNNER": "worker",
            "SHEGONG_TRUSTED_PROXIES": "127.0.0.1",
            "SHEGONG_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(CHECKOUT / "src"), str(CHECKOUT)]),
        }
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def _wait_ready(base: str, timeout: float = 60) -> bool:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def run(scale: float = 1.0):
    duration = float(os.environ.get("SOAK_SECONDS", "600"))
    clients = int(os.environ.get("SOAK_CLIENTS", "6"))
    workers = int(os.environ.get("SOAK_WORKERS", "4"))
    python = sys.executable
    bindir = Path(python).parent
    cluster = Cluster.create()
    var = Path(tempfile.mkdtemp(prefix="shegong-soak-var."))
    logs = Path(tempfile.gettempdir()) / "shegong-soak.log"
    env = _env(cluster, var)
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run([python, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=CHECKOUT)
        prepared = subprocess.run(
            [python, "-c", "from bench import soak; soak.prepare()"],
            env=env,
            check=True,
            cwd=CHECKOUT,
            capture_output=True,
            text=True,
        )
        world = json.loads(prepared.stdout.strip().splitlines()[-1])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(logs, "w")  # noqa: SIM115 - kept open for the processes' lifetime
        gunicorn = subprocess.Popen(
            [
                str(bindir / "gunicorn"),
                "-c",
                str(CHECKOUT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--pid",
                str(var / "gunicorn.pid"),
                "shegong.wsgi",
            ],
            env=env,
            cwd=CHECKOUT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(gunicorn)
        worker = subprocess.Popen(
            [python, "-m", "django", "db_worker", "--interval", "0.5", "-v0"],
            env=env,
            cwd=CHECKOUT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
        if not _wait_ready(base):
            raise SystemExit(f"gunicorn did not answer; see {logs}")
        yield (
            f"{duration:.0f} s, {clients} clients, gunicorn with {workers} workers and one task worker against a "
            f"durable PostgreSQL (fsync on, synchronous_commit on) on port {cluster.port}"
        )

        ledger = Ledger()
        stop = threading.Event()
        load = Load(base, world, ledger, stop)
        threads = [threading.Thread(target=load.client, args=(n,), daemon=True) for n in range(clients)]
        began = time.time()
        for thread in threads:
            thread.start()
        windows: list[tuple[float, float]] = []
        import_outcome: dict = {}
        for n, at in enumerate((duration / 3, 2 * duration / 3), start=1):
            if n == 1:
                time.sleep(max(0.0, began + duration * 0.2 - time.time()))
                import_outcome = load.roster_import()
            time.sleep(max(0.0, began + at - time.time()))
            start = time.time()
            cluster.restart()
            end = time.time()
            windows.append((start, end + RESTART_GRACE))
            yield f"restart {n} of PostgreSQL (pg_ctl restart -m fast) at {start - began:.0f} s took {end - start:.1f} s"
        time.sleep(max(0.0, began + duration - time.time()))
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        # Did the app recover by itself: the same processes, and every request of the last 20% answered?
        alive = gunicorn.poll() is None and worker.poll() is None
        last_stretch = [s for s in ledger.samples if s.started >= began + duration * 0.8]
        ready = load._timed("readyz (after)", lambda: load.requests.get(f"{base}/readyz", timeout=10))

        job_id = import_outcome.get("job")
        if job_id is not None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                status = _count(cluster.url, Ledger(), job_id)["import"]
                if status and status[0] in ("done", "rejected", "failed"):
                    break
                time.sleep(1)
        counts = _count(cluster.url, ledger, job_id)

        def in_window(sample: Sample) -> bool:
            # A request that was under way when the restart began belongs to it as much as one sent during it.
            return any(sample.started <= b and sample.started + sample.seconds >= a for a, b in windows)

        yield ""
        yield f"{'kind':<22}{'requests':>9}{'errors in restart windows':>27}{'errors outside':>16}{'p50 ms':>9}{'p95 ms':>9}"
        by_kind: dict[str, list[Sample]] = defaultdict(list)
        for sample in ledger.samples:
            by_kind[sample.kind].append(sample)
        for kind in sorted(by_kind):
            samples = by_kind[kind]
            times = [s.seconds * 1000 for s in samples if s.ok]
            during = sum(1 for s in samples if not s.ok and in_window(s))
            outside = sum(1 for s in samples if not s.ok and not in_window(s))
            yield (
                f"{kind:<22}{len(samples):>9}{during:>27}{outside:>16}{_percentile(times, 50):>9.0f}"
                f"{_percentile(times, 95):>9.0f}"
            )
        errors = defaultdict(int)
        for sample in ledger.samples:
            if not sample.ok:
                errors[str(sample.status)] += 1
        if errors:
            yield "errors by answer: " + ", ".join(f"{k}: {v}" for k, v in sorted(errors.items()))
        yield ""
        lost = twice = 0
        for kind in ("visit", "case note", "public request"):
            c = counts[kind]
            lost += c["lost"]
            twice += c["twice"]
            yield (
                f"{kind:<16} acknowledged {c['acked']:>5}, lost {c['lost']}, stored twice {c['twice']}, "
                f"unacknowledged but stored {c['unacked_but_stored']}"
            )
        yield f"resent after an acknowledgement: {ledger.resends}; retried after an error: {ledger.retries}"
        job = counts["import"]
        imported = counts["imported rows"]
        partial = imported not in (0, IMPORT_ROWS)
        yield (
            f"roster import of {IMPORT_ROWS} rows: {import_outcome.get('status')}"
            + (f", job {job_id} {job[0]}, {job[1]} recipients created" if job else "")
            + f"; its rows in the database: {imported} ({'PARTIAL' if partial else 'all or nothing'})"
        )
        yield (
            f"recovered without restarting the app: {'yes' if alive and ready is not None else 'NO'} "
            f"(gunicorn and worker still running: {alive}; /readyz after: "
            f"{'200' if ready is not None else 'not ready'}; errors in the last 20% of the run: "
            f"{sum(1 for s in last_stretch if not s.ok)} of {len(last_stretch)})"
        )
        yield f"acknowledged writes lost: {lost}; stored twice: {twice}  (server logs: {logs})"
        if lost or twice or partial:
            raise Failed(
                f"{lost} acknowledged write(s) lost, {twice} stored twice, import partial: {partial}"
            )
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        cluster.remove()
        shutil.rmtree(var, ignore_errors=True)

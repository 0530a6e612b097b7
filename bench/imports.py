"""Visits while a roster imports, on SQLite: does a 100,000-row import lock the field workers out?

SQLite has one writer at a time. A visit submission waits for the write lock up to the connection's ``timeout``
(``SHEGONG_SQLITE_TIMEOUT``, 60 s, ``settings.sqlite_database``) and then fails with "database is locked". This benchmark builds a file SQLite
database of its own (whatever ``DATABASE_URL`` says: it runs in a child process), then:

* baseline — visit submissions from several processes with nothing else writing: how many, longest wait;
* the same submissions while one process imports a 100,000-row roster through ``import_roster``: how many
  succeeded and failed, the longest wait, and how long the import's write transaction held the lock;
* the column-mapping step on the same file (``core.rosters``: read it, find the header, guess the mapping, the
  preview of its first rows — what the import page does once per view of the mapping step) beside its baseline,
  reading the file alone; and, for a bureau-shaped roster (street and community names instead of codes), the
  parse plus the name resolution beside the parse of the code-shaped one.

    python -m bench --only imports            # also part of ``make bench``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

ROWS = 100_000
SUBMITTERS = 4
TOWN = "510101001000"
VILLAGES = [TOWN[:9] + f"{v:03d}" for v in range(1, 11)]


def run(scale: float = 1.0) -> list[str]:
    rows = max(5_000, int(ROWS * min(scale, 1.0))) if scale < 1 else ROWS
    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as home:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{home}/bench.sqlite3",
            "SHEGONG_VAR": home,
            "SHEGONG_ENV": "bench",
            "DJANGO_SETTINGS_MODULE": "shegong.settings",
        }
        done = subprocess.run(
            [sys.executable, "-m", "bench.imports", str(rows)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        return [f"FAILED (exit {done.returncode}):", done.stdout[-2000:], done.stderr[-4000:]]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return lines(figures)


def lines(f: dict) -> list[str]:
    base, during = f["baseline"], f["during"]
    return [
        f"baseline, nothing else writing: {base['ok']} visit submissions from {SUBMITTERS} processes in "
        f"{base['seconds']:.1f} s, {base['failed']} failed, longest wait {base['longest'] * 1000:.0f} ms",
        f"roster import on SQLite: {f['created']:,} rows in {f['import_seconds']:.1f} s; its write transaction "
        f"held the lock {f['write_seconds']:.1f} s (visits give up after {f['sqlite_timeout']} s)",
        f"visits during the import: {during['ok']} succeeded, {during['failed']} failed "
        f"({', '.join(during['errors']) or 'no errors'}), longest wait {during['longest']:.1f} s "
        f"(target: none failed — {'met' if during['failed'] == 0 else 'NOT met'})",
        f"mapping step on the {f['created']:,}-row file (read, header, guess, preview): "
        f"{f['mapping']['step']:.2f} s per page view; baseline, reading the file alone: {f['mapping']['read']:.2f} s",
        f"bureau roster (street and community names, no codes): parse + name resolution "
        f"{f['mapping']['names']:.2f} s; baseline, parsing the code-shaped file: {f['mapping']['codes']:.2f} s",
    ]


# The child process -------------------------------------------------------------------------------------------


def _setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shegong.core.scoping import unscoped
    from shegong.regions.models import Region

    with unscoped():
        Region.objects.bulk_create(
            [
                Region(code="510000000000", name="基准省", level=1),
                Region(code="510100000000", name="基准市", level=2, parent_id="510000000000"),
                Region(code="510101000000", name="基准区", level=3, parent_id="510100000000"),
                Region(code=TOWN, name="基准街道", level=4, parent_id="510101000000"),
                *[
                    Region(code=code, name=f"基准社区{i}", level=5, parent_id=TOWN)
                    for i, code in enumerate(VILLAGES)
                ],
            ]
        )


def _roster(rows: int, offset: int = 0, bureau: bool = False) -> bytes:
    """Our template's columns; ``bureau``: a title row, the bureau's headers and street/community names."""
    import io

    from openpyxl import Workbook

    from shegong.core.identity import id_check_digit

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    if bureau:
        sheet.append(["基准区城乡低保对象花名册"])
        sheet.append(["序号", "街道", "社区", "户主姓名", "身份证号码", "联系电话", "家庭住址", "救助类别"])
    else:
        sheet.append(
            [
                "姓名",
                "身份证号",
                "联系电话",
                "村（社区）区划代码",
                "居住地址",
                "对象类别",
                "认定日期",
                "风险等级",
            ]
        )
    for n in range(offset, offset + rows):
        birth = f"19{40 + n % 50:02d}{n % 12 + 1:02d}{n % 28 + 1:02d}"
        first17 = f"510101{birth}{n // 2100 % 1000:03d}"
        number = first17 + id_check_digit(first17)
        village = n % len(VILLAGES)
        if bureau:
            sheet.append(
                [
                    n + 1,
                    "基准",
                    f"基准社区{village}",
                    f"导入{n}",
                    number,
                    f"139{n:08d}",
                    f"基准路{n}号",
                    "城市低保",
                ]
            )
            continue
        sheet.append(
            [
                f"导入{n}",
                number,
                f"139{n:08d}",
                VILLAGES[village],
                f"基准路{n}号",
                "最低生活保障",
                "2024-03-01",
                "一般",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _submitter(stop, results, recipient_ids: list[int], pause: float) -> None:
    """One field app: submits a visit, waits ``pause``, again, until ``stop`` is set."""
    import uuid

    import django

    django.setup()
    from django.db import OperationalError, connection
    from django.utils import timezone

    from shegong.accounts.actor import SystemActor
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import Recipient
    from shegong.visits.services import visit_record

    connection.close()
    actor = SystemActor("bench-visits")
    ok = failed = 0
    longest = 0.0
    errors: dict[str, int] = {}
    n = 0
    with unscoped():
        recipients = list(Recipient.objects.filter(pk__in=recipient_ids))
        while not stop.is_set():
            recipient = recipients[n % len(recipients)]
            n += 1
            started = time.perf_counter()
            try:
                visit_record(
                    actor=actor,
                    recipient=recipient,
                    idempotency_key=uuid.uuid4(),
                    data={"visited_at": timezone.now(), "method": "home", "findings": {}},
                )
            except OperationalError as exc:
                failed += 1
                errors[str(exc)] = errors.get(str(exc), 0) + 1
            else:
                ok += 1
            longest = max(longest, time.perf_counter() - started)
            time.sleep(pause)
    results.put({"ok": ok, "failed": failed, "longest": longest, "errors": errors})


def _round(recipient_ids, seconds: float | None, during=None) -> dict:
    """Submit visits from SUBMITTERS processes for ``seconds``, or while ``during()`` runs in this process."""
    import multiprocessing

    from django.db import connection

    connection.close()
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_submitter, args=(stop, results, recipient_ids, 0.05))
        for _ in range(SUBMITTERS)
    ]
    for worker in workers:
        worker.start()
    time.sleep(3)  # let them start up
    started = time.perf_counter()
    outcome = during() if during else time.sleep(seconds)
    elapsed = time.perf_counter() - started
    stop.set()
    parts = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    errors: dict[str, int] = {}
    for part in parts:
        for message, count in part["errors"].items():
            errors[message] = errors.get(message, 0) + count
    return {
        "ok": sum(p["ok"] for p in parts),
        "failed": sum(p["failed"] for p in parts),
        "longest": max(p["longest"] for p in parts),
        "errors": [f"{count}× {message}" for message, count in errors.items()],
        "seconds": elapsed,
        "outcome": outcome,
    }


def child(rows: int) -> dict:
    _setup()
    from django.conf import settings

    from shegong.accounts.actor import SystemActor
    from shegong.core.scoping import unscoped
    from shegong.recipients.imports import import_roster
    from shegong.recipients.models import Recipient

    actor = SystemActor("bench")
    with unscoped():
        import_roster(actor=actor, content=_roster(50, offset=900_000), region_code=TOWN)
        recipient_ids = list(Recipient.objects.values_list("pk", flat=True))
        content = _roster(rows)
    baseline = _round(recipient_ids, seconds=10)
    marks: dict[str, float] = {}

    def progress(done: int, total: int, status: str) -> None:
        if status == "writing" and "writing" not in marks:
            marks["writing"] = time.perf_counter()

    def do_import():
        with unscoped():
            started = time.perf_counter()
            result = import_roster(actor=actor, content=content, region_code=TOWN, progress=progress)
            ended = time.perf_counter()
        return {
            "created": result.created,
            "import_seconds": ended - started,
            "write_seconds": ended - marks.get("writing", started),
        }

    during = _round(recipient_ids, seconds=None, during=do_import)
    figures = during.pop("outcome")
    with unscoped():
        mapping = _mapping_step(content, _roster(rows, bureau=True))
    return {
        **figures,
        "mapping": mapping,
        "baseline": baseline,
        "during": during,
        "sqlite_timeout": settings.DATABASES["default"]["OPTIONS"]["timeout"],
    }


def _mapping_step(content: bytes, bureau: bytes) -> dict:
    """Seconds: the mapping step's page work and reading the file alone; the bureau file's parse with its name
    resolution and the code-shaped file's parse."""
    from shegong.core import rosters
    from shegong.core import xlsx_import as x
    from shegong.recipients.imports import KIND, roster_spec
    from shegong.regions.imports import resolve_region_names
    from shegong.regions.models import Region

    spec = roster_spec()
    started = time.perf_counter()
    x.read_rows_sandboxed(content)
    read = time.perf_counter() - started
    started = time.perf_counter()
    layout = rosters.layout_of(spec, content, synonyms=rosters.synonyms_for(KIND, TOWN))
    rosters.preview(spec, layout, layout.mapping)
    step = time.perf_counter() - started
    started = time.perf_counter()
    x.parse_workbook(roster_spec(), content)
    codes = time.perf_counter() - started
    home = Region.objects.get(code="510101000000")
    started = time.perf_counter()
    result = x.parse_workbook(roster_spec(), bureau)
    resolve_region_names(result, spec, home)
    names = time.perf_counter() - started
    unresolved = [e for e in result.errors][:3]
    assert not unresolved, unresolved
    return {"read": read, "step": step, "codes": codes, "names": names}


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))

"""The recipient export at province scale: 100,000 rows (scale 1.0; at least 5,000), masked, as an official gets
it, each figure beside baselines measured in the same run on the same rows:

* the export (``core.exports.run_export`` of ``recipients.exports.RECIPIENT_EXPORT``: one query read in chunks as
  named tuples of the written values, decrypt the ID number and phone, mask, stream the .xlsx with
  ``core.excel.write_workbook``) — target ≥ 20,000 rows/s;
* a raw ``SELECT`` of the same columns (joined region and worker names, no decryption);
* decrypting the ID number and phone tokens alone (what masking costs: the mask needs the plaintext);
* openpyxl's write-only mode writing the same rows' finished values (the writer the export used before).

The recipients are generated with real encrypted ID numbers and phones, in a province of their own ("52").
"""

from __future__ import annotations

import io
import time
import uuid

PROVINCE = "52"
VILLAGES = 200


def _regions() -> list[str]:
    from shegong.regions.models import Region

    province, city, county, town = (
        f"{PROVINCE}0000000000",
        f"{PROVINCE}0100000000",
        f"{PROVINCE}0101000000",
        f"{PROVINCE}0101001000",
    )
    rows = [
        Region(code=province, name="导出基准省", level=1),
        Region(code=city, name="导出基准市", level=2, parent_id=province),
        Region(code=county, name="导出基准县", level=3, parent_id=city),
        Region(code=town, name="导出基准街道", level=4, parent_id=county),
    ]
    villages = [f"{PROVINCE}0101001{v + 1:03d}" for v in range(VILLAGES)]
    rows += [
        Region(code=code, name=f"导出基准社区{v}", level=5, parent_id=town) for v, code in enumerate(villages)
    ]
    Region.objects.bulk_create(rows, ignore_conflicts=True)
    return villages


def _generate(n: int) -> None:
    """``n`` recipients with sealed ID numbers and phones (as the registry stores them), loaded with COPY."""
    from django.db import connection

    from shegong.core import crypto
    from shegong.people.models import SocialWorker
    from shegong.recipients.models import Recipient

    villages = _regions()
    workers = [
        SocialWorker.objects.create(name=f"导出社工{i}", region_id=f"{PROVINCE}0101001000").pk
        for i in range(20)
    ]
    seal, index = crypto.sealer(), crypto.indexer("recipients.recipient.id_number_index")
    table = Recipient._meta.db_table
    columns = (
        "region_code, uid, name, id_number, id_number_index, sex, phone, phone_index, address, region_id, "
        "worker_id, status, status_note, risk_tier, risk_reason, notes, registered_on, frequency, next_due_on, "
        "created_at, updated_at"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            _copy_rows(copy, n, villages, workers, seal, index, table)
        cursor.execute(f"ANALYZE {table}")


def _copy_rows(copy, n, villages, workers, seal, index, table) -> None:
    from shegong.core.identity import id_check_digit

    for i in range(n):
        uid = str(uuid.uuid4())
        first17 = f"520101{1940 + i % 50}{i % 12 + 1:02d}{i % 28 + 1:02d}{i // 17000 % 1000:03d}"
        number = first17 + id_check_digit(first17)
        phone = f"139{i:08d}"
        village = villages[i % VILLAGES]
        copy.write_row(
            (
                village,
                uid,
                f"导出对象{i}",
                seal(number, f"{table}.id_number:{uid}"),
                index(f"bench-export-{i}"),
                "",
                seal(phone, f"{table}.phone:{uid}"),
                None,
                f"导出基准路{i}号",
                village,
                workers[i % len(workers)] if i % 10 else None,
                "active",
                "",
                1 + i % 3,
                "",
                "",
                "2025-01-01",
                "monthly",
                "2026-01-01",
                "2025-01-01T00:00:00+08:00",
                "2025-01-01T00:00:00+08:00",
            )
        )


RAW = (
    "SELECT r.name, r.id_number, r.phone, g.name, r.region_id, r.address, r.risk_tier, r.status, w.name, "
    "r.next_due_on, r.uid FROM recipients_recipient r JOIN regions_region g ON g.code = r.region_id "
    "LEFT JOIN people_socialworker w ON w.id = r.worker_id WHERE r.region_code BETWEEN %s AND %s "
    "ORDER BY r.region_code, r.name"
)


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import Workbook

    from shegong.accounts.actor import SystemActor
    from shegong.core import crypto
    from shegong.core.exports import run_export
    from shegong.core.masking import mask_id_number, mask_phone
    from shegong.core.scoping import unscoped
    from shegong.recipients.exports import RECIPIENT_EXPORT
    from shegong.recipients.selectors import FILTERS

    n = max(5_000, int(100_000 * scale))
    out = []
    with unscoped():
        started = time.perf_counter()
        _generate(n)
        out.append(
            f"generated {n:,} recipients with sealed ID numbers and phones in {time.perf_counter() - started:.1f} s"
        )

        # Baseline 1: the raw SELECT of the same columns.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW, [f"{PROVINCE}0000000000", f"{PROVINCE}9999999999"])
            raw = cursor.fetchall()
        select_rate = len(raw) / (time.perf_counter() - started)

        # Baseline 2: decrypting the two sealed columns alone.
        table = "recipients_recipient"
        started = time.perf_counter()
        plain = [
            (
                crypto.decrypt(r[1], f"{table}.id_number:{r[10]}"),
                crypto.decrypt(r[2], f"{table}.phone:{r[10]}"),
            )
            for r in raw
        ]
        decrypt_rate = len(raw) / (time.perf_counter() - started)

        # Baseline 3: openpyxl write-only writing the same rows' finished values.
        values = [
            [
                r[0],
                mask_id_number(p[0]),
                mask_phone(p[1]),
                r[3],
                r[4],
                r[5],
                "",
                str(r[6]),
                r[7],
                r[8] or "",
                r[9],
            ]
            for r, p in zip(raw, plain, strict=True)
        ]
        started = time.perf_counter()
        book = Workbook(write_only=True)
        sheet = book.create_sheet("t")
        for row in values:
            sheet.append(row)
        book.save(io.BytesIO())
        write_rate = len(values) / (time.perf_counter() - started)

        # The export itself, as an official gets it (masked), with its queries counted.
        filters = {name: "" for name in FILTERS} | {"under": f"{PROVINCE}0000000000"}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            export = run_export(actor=SystemActor("bench"), spec=RECIPIENT_EXPORT, filters=filters)
            seconds = time.perf_counter() - started
        rate = export.rows / seconds
    out.append(
        f"recipient export (masked, {export.rows:,} rows, {len(export.content) / 1e6:.1f} MB, "
        f"{len(queries)} queries): {seconds:.1f} s = {rate:,.0f} rows/s (target ≥ 20,000 rows/s: "
        f"{'met' if rate >= 20_000 else 'NOT met'})"
    )
    out.append(
        f"  baselines: raw SELECT of the same columns {select_rate:,.0f} rows/s; decrypting ID number and phone "
        f"alone {decrypt_rate:,.0f} rows/s; openpyxl write-only of the finished values {write_rate:,.0f} rows/s; "
        f"export = {100 * rate / write_rate:.0f}% of the write-only floor"
    )
    return out

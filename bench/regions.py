"""Region loading at province scale: per-level CSV files for ~1,000 townships and 10,000+ villages.

Prints the load time beside a raw baseline (executemany INSERT of the same rows in one transaction), then the
time of an idempotent reload. Target: the whole load under 30 s.

Then the whole country's villages file (620,000 rows at scale 1): load time and peak Python memory (tracemalloc)
beside the raw INSERT baseline. The loader streams the rows and writes them in batches, so its peak stays at one
batch; before it streamed (the rows of every file held at once) the same file peaked at 467 MiB.
"""

from __future__ import annotations

import csv
import tempfile
import time
import tracemalloc
from pathlib import Path

NATIONAL_VILLAGES = 620_000
UNSTREAMED_PEAK_MIB = 467  # the loader before streaming, same file (tracemalloc, SQLite)


def _clear(prefix: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for level in range(5, 0, -1):
            cursor.execute(
                "DELETE FROM regions_region WHERE code LIKE %s AND level = %s", [prefix + "%", level]
            )


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection

    from shegong.core.scoping import unscoped
    from shegong.regions.loader import load_regions
    from shegong.regions.models import Region
    from shegong.regions.synthetic import write_province

    villages = max(1, round(11 * scale))
    townships = max(1, round(10 * scale)) if scale < 1 else 10
    lines = [_national_villages(scale)]
    with tempfile.TemporaryDirectory() as tmp, unscoped():
        files = write_province(
            Path(tmp),
            province="98",
            cities=10,
            counties_per_city=10,
            townships_per_county=townships,
            villages_per_township=villages,
        )
        _clear("98")
        started = time.perf_counter()
        result = load_regions(files)
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        reload = load_regions(files)
        reload_seconds = time.perf_counter() - started
        rows = [(r.code, r.name, r.level, r.parent_id) for r in Region.objects.filter(code__startswith="98")]
        _clear("98")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for level in range(1, 6):
                cursor.executemany(
                    "INSERT INTO regions_region (code, name, level, parent_id) VALUES (%s, %s, %s, %s)",
                    [row for row in rows if row[2] == level],
                )
        baseline_seconds = time.perf_counter() - started
        _clear("98")
    townships_total = 100 * townships
    lines.append(
        f"regions: loaded {result.created} regions ({townships_total} townships, "
        f"{townships_total * villages} villages) in {load_seconds:.2f} s "
        f"[target < 30 s]; raw INSERT baseline {baseline_seconds:.2f} s"
    )
    lines.append(f"regions: idempotent reload ({reload.unchanged} unchanged) in {reload_seconds:.2f} s")
    return lines


def _national_villages(scale: float) -> str:
    """A villages file the size of the whole country's: 10 cities x 10 counties x 31 townships x 200 villages."""
    from django.db import connection, transaction

    from shegong.core.scoping import unscoped
    from shegong.regions.loader import load_regions
    from shegong.regions.synthetic import write_province

    per_township = max(1, round(200 * scale))
    with tempfile.TemporaryDirectory() as tmp, unscoped():
        files = write_province(
            Path(tmp),
            province="97",
            cities=10,
            counties_per_city=10,
            townships_per_county=31,
            villages_per_township=per_township,
        )
        _clear("97")
        load_regions(files[:-1])
        tracemalloc.start()
        started = time.perf_counter()
        result = load_regions(files[-1:])
        load_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM regions_region WHERE code LIKE %s AND level = 5", ["97%"])
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor, files[-1].open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            chunk = []
            for record in reader:
                chunk.append((record["code"], record["name"], 5, record["streetCode"].ljust(12, "0")))
                if len(chunk) == 2000:
                    cursor.executemany(
                        "INSERT INTO regions_region (code, name, level, parent_id) VALUES (%s, %s, %s, %s)",
                        chunk,
                    )
                    chunk = []
            if chunk:
                cursor.executemany(
                    "INSERT INTO regions_region (code, name, level, parent_id) VALUES (%s, %s, %s, %s)", chunk
                )
        baseline_seconds = time.perf_counter() - started
        _clear("97")
    target = f"[target: bounded; {UNSTREAMED_PEAK_MIB} MiB before streaming]" if scale >= 1 else ""
    return (
        f"regions: whole-country villages file, {result.created:,} villages in {load_seconds:.1f} s, "
        f"peak Python memory {peak / 2**20:.1f} MiB {target}; raw INSERT baseline {baseline_seconds:.1f} s"
    )

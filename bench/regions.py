"""Region loading at province scale: per-level CSV files for ~1,000 townships and 10,000+ villages.

Prints the load time beside a raw baseline (executemany INSERT of the same rows in one transaction), then the
time of an idempotent reload. Target: the whole load under 30 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


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
    lines = []
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

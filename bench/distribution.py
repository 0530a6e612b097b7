"""A stand-in on one machine for sharding by province (docs/adr/0011): the same province-scoped queries on a table
LIST-partitioned by the province prefix of ``region_code`` (one partition = one province's shard) and on one
unpartitioned table holding the same rows, in the same run.

Scale 1.0: 6 provinces × 10,000,000 visits a year each (a province's year, as in bench/visits), 60,000,000 rows.
The rows are synthetic (generate_series) in tables of their own, with the columns a province-scoped query reads;
each province has 20 cities × 6 counties × 10 townships × 10 villages. Both tables get the same indexes.
"""

from __future__ import annotations

import re
import time

PROVINCES = ["11", "32", "44", "51", "53", "65"]
TARGET = "51"
PARTITIONED, PLAIN = "dist_visits", "dist_visits_plain"
PARTITION = re.compile(r"\bdist_visits_p\d{2}\b")

COLUMNS = """
    id bigint NOT NULL,
    province char(2) NOT NULL,
    region_code varchar(12) NOT NULL,
    recipient_id bigint NOT NULL,
    worker_id bigint,
    visited_at timestamptz NOT NULL,
    method varchar(12) NOT NULL
"""


def _build(cursor, per_province: int) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {PARTITIONED}, {PLAIN}")
    cursor.execute(f"CREATE TABLE {PARTITIONED} ({COLUMNS}) PARTITION BY LIST (province)")
    for code in PROVINCES:
        cursor.execute(
            f"CREATE TABLE {PARTITIONED}_p{code} PARTITION OF {PARTITIONED} FOR VALUES IN ('{code}')"
        )
    cursor.execute(f"CREATE TABLE {PLAIN} ({COLUMNS})")
    for number, code in enumerate(PROVINCES):
        # Villages 001–010 of townships 001–010 of counties 01–06 of cities 01–20; a recipient per 10 visits.
        cursor.execute(
            f"""
            INSERT INTO {PARTITIONED}
            SELECT %(base)s + g, %(code)s,
                   %(code)s || lpad((g %% 20 + 1)::text, 2, '0') || lpad((g / 20 %% 6 + 1)::text, 2, '0')
                   || lpad((g / 120 %% 10 + 1)::text, 3, '0') || lpad((g / 1200 %% 10 + 1)::text, 3, '0'),
                   %(base)s + g %% greatest(%(n)s / 10, 1), %(base)s + g %% 5000,
                   now() - make_interval(days => (g %% 365)::int, mins => (g %% 600)::int), 'home'
            FROM generate_series(0, %(n)s - 1) g
            """,
            {"base": number * 10**10, "code": code, "n": per_province},
        )
    cursor.execute(f"INSERT INTO {PLAIN} SELECT * FROM {PARTITIONED}")
    for table in (PARTITIONED, PLAIN):
        cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id, province)")
        cursor.execute(f"CREATE INDEX ON {table} (region_code varchar_pattern_ops, visited_at)")
        cursor.execute(f"CREATE INDEX ON {table} (recipient_id, visited_at)")
        cursor.execute(f"CREATE INDEX ON {table} (visited_at)")
        cursor.execute(f"ANALYZE {table}")


QUERIES = {
    # The province's visit counts per city for one month (a dashboard figure computed from records).
    "province month by city": (
        "SELECT substr(region_code, 1, 4), count(*), count(DISTINCT recipient_id) FROM {t} "
        "WHERE province = %(p)s AND region_code BETWEEN %(lo)s AND %(hi)s "
        "AND visited_at >= date_trunc('month', now()) - interval '1 month' "
        "AND visited_at < date_trunc('month', now()) GROUP BY 1"
    ),
    # The province's visits per month over the year (the heaviest province-scoped read: every row).
    "province year by month": (
        "SELECT date_trunc('month', visited_at), count(*) FROM {t} "
        "WHERE province = %(p)s AND region_code BETWEEN %(lo)s AND %(hi)s GROUP BY 1"
    ),
    # One county's visits in one month (a drill-down list page).
    "county month list": (
        "SELECT id, recipient_id, visited_at FROM {t} WHERE province = %(p)s "
        "AND region_code BETWEEN %(county)s AND %(county_hi)s "
        "AND visited_at >= date_trunc('month', now()) - interval '1 month' "
        "AND visited_at < date_trunc('month', now()) ORDER BY visited_at DESC LIMIT 50"
    ),
    # One recipient's last visits (a timeline).
    "recipient timeline": (
        "SELECT id, visited_at, method FROM {t} WHERE province = %(p)s AND recipient_id = %(r)s "
        "ORDER BY visited_at DESC LIMIT 50"
    ),
}


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection

    from .visits import _median_ms

    per_province = max(100_000, int(10_000_000 * scale))
    out = []
    with connection.cursor() as cursor:
        started = time.perf_counter()
        _build(cursor, per_province)
        out.append(
            f"{len(PROVINCES)} provinces × {per_province:,} visits = {len(PROVINCES) * per_province:,} rows, "
            f"list-partitioned by province and in one table, built in {time.perf_counter() - started:.1f} s"
        )
        number = PROVINCES.index(TARGET)
        params = {
            "p": TARGET,
            "lo": TARGET + "0" * 10,
            "hi": TARGET + "9" * 10,
            "county": TARGET + "0102000000",
            "county_hi": TARGET + "0102999999",
            "r": number * 10**10 + 1234,
        }
        for label, template in QUERIES.items():
            partitioned_sql, plain_sql = template.format(t=PARTITIONED), template.format(t=PLAIN)
            cursor.execute("EXPLAIN " + partitioned_sql, params)
            read = sorted(set(PARTITION.findall("\n".join(r[0] for r in cursor.fetchall()))))
            cursor.execute(partitioned_sql, params)
            rows = len(cursor.fetchall())
            runs = 3 if label == "province year by month" else 9

            def timed(sql, runs=runs):
                return _median_ms(
                    lambda: cursor.execute(f"SELECT count(*) FROM ({sql}) q", params), runs=runs
                )

            partitioned_ms, plain_ms = timed(partitioned_sql), timed(plain_sql)
            out.append(
                f"{label}: {rows:,} rows; by province {partitioned_ms:.1f} ms reading {len(read)} of "
                f"{len(PROVINCES)} partitions ({', '.join(read)}); one table {plain_ms:.1f} ms "
                f"({plain_ms / partitioned_ms:.1f}×)"
            )
        cursor.execute(f"DROP TABLE {PARTITIONED}, {PLAIN}")
    return out

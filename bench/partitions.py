"""Visits partitioned by month at province scale (scale 1.0: 1,000,000 recipients, 10,000,000 visits over the last
365 days), beside the same queries on an unpartitioned copy of the same rows, in the same run (docs/adr/0010).

For each time-bounded query the visits serve, it prints the partitions the plan reads (from EXPLAIN: pruned ones
do not appear) and the median time, paired with the same SQL on two baselines:

* ``plain``: one table with the indexes the visit table had before partitioning;
* ``plain+idx``: the same with an extra index on ``visited_at``, the best a single table can do for time ranges.

The queries: the month's rollup refresh (the visits that decide a month's obligations: its quarter), the phone's
last visits of one worker's recipients (the field app's worklist download: the last 400 days), and one city's
visits in one month (what a dashboard figure drills down to).
"""

from __future__ import annotations

import re
import time

from . import visits as province

PARTITION = re.compile(r"\bvisits_visit_(?:p\d{4}_\d{2}|default)\b")
PLAIN, INDEXED = "bench_visits_plain", "bench_visits_plain_idx"


def _ensure_data(scale: float) -> tuple[int, int]:
    """The province's recipients and visits (bench/visits builds them; reused when that benchmark ran first)."""
    from shegong.people.models import SocialWorker
    from shegong.visits.models import Visit

    worker = SocialWorker.objects.filter(name="基准社工0").order_by("pk").first()
    if worker is not None and Visit.objects.exists():
        return worker.pk, Visit.objects.count()
    province._build_regions()
    n_recipients = max(20_000, int(1_000_000 * scale))
    n_visits = max(50_000, int(10_000_000 * scale))
    worker_id, _station = province._generate(n_recipients, n_visits)
    return worker_id, n_visits


def _plain_copies(cursor) -> None:
    """Unpartitioned copies of the visit table: the same columns, rows and indexes as it had before partitioning."""
    for name in (PLAIN, INDEXED):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE visits_visit INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {name} SELECT * FROM visits_visit")
        cursor.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {name} ADD UNIQUE (idempotency_key)")
        cursor.execute(f"ALTER TABLE {name} ADD UNIQUE (uid)")
        for columns in (
            "recipient_id",
            "recipient_id, visited_at",
            "region_code",
            "worker_id",
            "recorded_by_id",
        ):
            cursor.execute(f"CREATE INDEX ON {name} ({columns})")
        cursor.execute(f"CREATE INDEX ON {name} (region_code varchar_pattern_ops)")
    cursor.execute(f"CREATE INDEX ON {INDEXED} (visited_at)")
    cursor.execute(f"ANALYZE {PLAIN}")
    cursor.execute(f"ANALYZE {INDEXED}")
    cursor.execute("ANALYZE visits_visit")


def _on(sql: str, table: str) -> str:
    return sql.replace('"visits_visit"', f'"{table}"')


def _run(cursor, sql: str, params) -> int:
    """Run the query to its last row in the server and count the rows (the transfer to Python is not timed)."""
    cursor.execute(f"SELECT count(*) FROM ({sql}) q", params)
    return cursor.fetchone()[0]


def _explain(cursor, sql: str, params) -> str:
    cursor.execute("EXPLAIN " + sql, params)
    return "\n".join(row[0] for row in cursor.fetchall())


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection
    from django.utils import timezone

    from shegong.core import partitioning
    from shegong.core.scoping import unscoped
    from shegong.recipients.models import Recipient
    from shegong.visits.field import recent_visits
    from shegong.visits.ledger import visits_for

    out = []
    with unscoped():
        started = time.perf_counter()
        worker_id, n_visits = _ensure_data(scale)
        with connection.cursor() as cursor:
            _plain_copies(cursor)
            cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'visits_visit'::regclass")
            total_partitions = cursor.fetchone()[0]
        out.append(
            f"{n_visits:,} visits in {total_partitions} partitions, and two unpartitioned copies, ready in "
            f"{time.perf_counter() - started:.1f} s"
        )
        this_month = timezone.localdate().replace(day=1)
        last_month = partitioning.add_months(this_month, -1)
        mine = list(Recipient.objects.filter(worker_id=worker_id).values_list("pk", flat=True))
        city = f"{province.PROVINCE}01"
        queries = {
            f"rollup refresh of {last_month:%Y-%m} (its quarter's visits)": visits_for([last_month]),
            f"phone's last visits of one worker's {len(mine):,} recipients": recent_visits(mine),
            f"one city's visits in {last_month:%Y-%m}": visits_for(None).filter(
                region_code__gte=city + "0" * 8,
                region_code__lte=city + "9" * 8,
                visited_at__gte=partitioning.bound(last_month),
                visited_at__lt=partitioning.bound(this_month),
            ),
        }
        with connection.cursor() as cursor:
            for label, queryset in queries.items():
                sql, params = queryset.query.sql_with_params()
                plan = _explain(cursor, sql, params)
                read = sorted(set(PARTITION.findall(plan)))
                rows = _run(cursor, sql, params)
                timings = {}
                for table in ("visits_visit", PLAIN, INDEXED):
                    statement = _on(sql, table)
                    timings[table] = province._median_ms(
                        lambda s=statement, p=params: _run(cursor, s, p), runs=5
                    )
                plain_plan = _explain(cursor, _on(sql, INDEXED), params)
                scan = "index" if "Index" in plain_plan or "Bitmap" in plain_plan else "seq scan"
                out.append(
                    f"{label}: {rows:,} rows; partitioned reads {len(read)} of {total_partitions} partitions "
                    f"({_span(read)}) {timings['visits_visit']:.0f} ms; plain {timings[PLAIN]:.0f} ms; "
                    f"plain+idx ({scan}) {timings[INDEXED]:.0f} ms"
                )
        with connection.cursor() as cursor:
            for name in (PLAIN, INDEXED):
                cursor.execute(f"DROP TABLE {name}")
    return out


def _span(names: list[str]) -> str:
    months = [n for n in names if not n.endswith("default")]
    text = f"{months[0][-7:]}…{months[-1][-7:]}" if months else "none"
    return text + (" + default" if len(months) < len(names) else "")

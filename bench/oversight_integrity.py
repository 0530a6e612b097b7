"""A full integrity run at province scale, on the data of ``bench/visits`` (1,000,000 recipients, 10,000,000 visits
at scale 1.0; built here when that benchmark has not run first in the same database).

Printed beside a baseline measured in the same run:

* the full run (every registered check through ``integrity.services.run_checks``, findings written) — total time
  and findings per second, target under 10 minutes for the province;
* raw SQL computing the three heaviest checks' findings (overlapping visits, visits over the daily ceiling,
  high-risk people overdue) without writing anything: the floor a hand-written query sets.
"""

from __future__ import annotations

import time

from bench import visits as visits_bench


def _ensure_data(scale: float) -> str:
    from shegong.visits.models import Visit

    if Visit.objects.filter(region_code__startswith=visits_bench.PROVINCE).exists():
        return "reused the visits benchmark's data"
    n_recipients = max(20_000, int(1_000_000 * scale))
    n_visits = max(50_000, int(10_000_000 * scale))
    started = time.perf_counter()
    visits_bench._build_regions()
    visits_bench._generate(n_recipients, n_visits)
    return (
        f"generated {n_recipients:,} recipients, {n_visits:,} visits in {time.perf_counter() - started:.1f} s"
    )


RAW_BASELINE = [
    # Consecutive home visits of one worker to different people less than 20 minutes apart.
    """
    SELECT count(*) FROM (
      SELECT recipient_id, visited_at,
             lag(recipient_id) OVER w AS prev_recipient, lag(visited_at) OVER w AS prev_at
      FROM visits_visit WHERE worker_id IS NOT NULL AND method = 'home' AND region_code LIKE %(p)s
      WINDOW w AS (PARTITION BY worker_id ORDER BY visited_at, id)
    ) s WHERE prev_at IS NOT NULL AND recipient_id <> prev_recipient AND visited_at - prev_at < interval '20 minutes'
    """,
    # A worker's visits on one local day above 12.
    """
    SELECT count(*) FROM (
      SELECT worker_id, (visited_at AT TIME ZONE 'Asia/Shanghai')::date FROM visits_visit
      WHERE worker_id IS NOT NULL AND region_code LIKE %(p)s GROUP BY 1, 2 HAVING count(*) > 12
    ) s
    """,
    # High-risk people in the registry more than 3 days past their due date.
    """
    SELECT count(*) FROM recipients_recipient WHERE status = 'active' AND risk_tier = 1
      AND next_due_on < CURRENT_DATE - 3 AND region_code LIKE %(p)s
    """,
]


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection

    from shegong.core.scoping import unscoped
    from shegong.integrity import checks
    from shegong.integrity.models import Finding
    from shegong.integrity.services import run_checks

    out = []
    with unscoped():
        out.append(_ensure_data(scale))
        province = f"{visits_bench.PROVINCE}0000000000"
        Finding.objects.filter(region_code__startswith=visits_bench.PROVINCE).update(resolved_at=None)

        per_check = []
        started = time.perf_counter()
        total_found = 0
        for check in checks.all_checks():
            check_started = time.perf_counter()
            outcome = run_checks(under=province, codes=[check.code])
            seconds = time.perf_counter() - check_started
            total_found += outcome.found
            per_check.append(f"  {check.code}: {outcome.found:,} finding(s) in {seconds:.1f} s")
        total = time.perf_counter() - started
        out.append(
            f"full integrity run over the province ({len(per_check)} checks): {total_found:,} findings in "
            f"{total:.1f} s = {total_found / total:,.0f} findings/s (target under 10 minutes: "
            f"{'met' if total < 600 else 'NOT met'})"
        )
        out.extend(per_check)

        started = time.perf_counter()
        raw_found = 0
        with connection.cursor() as cursor:
            for sql in RAW_BASELINE:
                cursor.execute(sql, {"p": visits_bench.PROVINCE + "%"})
                raw_found += cursor.fetchone()[0]
        raw_seconds = time.perf_counter() - started
        heavy = {"visits.overlap", "visits.daily_ceiling", "records.high_risk_unvisited"}
        orm_heavy = Finding.objects.filter(
            region_code__startswith=visits_bench.PROVINCE, check_code__in=heavy, resolved_at__isnull=True
        ).count()
        out.append(
            f"raw SQL baseline for overlap, daily ceiling and high-risk overdue: {raw_found:,} findings in "
            f"{raw_seconds:.1f} s = {raw_found / max(raw_seconds, 1e-9):,.0f} findings/s, counted only "
            f"(the run found {orm_heavy:,} for the same three checks and wrote them)"
        )
    return out

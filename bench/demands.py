"""Demand intake and dispatch at scale: 1,000,000 requests in a province, 100,000 of them in one district (scale
1.0), generated in SQL. Each figure is printed beside a baseline measured in the same run:

* the desk's board of the busy district (tab counts and the first page of new requests) vs the same queries in raw
  SQL — target ≤ 50 ms on the province data;
* a station's open list (what waits for its receivers, by deadline) vs raw SQL — target ≤ 50 ms;
* public submissions through the public endpoint (requests/s, encryption, rate limit and audit included) vs a plain
  INSERT of the same row.
"""

from __future__ import annotations

import json
import statistics
import time

PROVINCE = "52"
CITIES, COUNTIES, TOWNS, VILLAGES = 10, 6, 10, 10  # 600 townships, 6,000 villages
DISTRICT = f"{PROVINCE}0101000000"


def _median_ms(func, runs: int = 15) -> float:
    func()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _town(t: int) -> str:
    return f"{PROVINCE}{t // 60 + 1:02d}{(t // 10) % 6 + 1:02d}{t % 10 + 1:03d}000"


def _build_regions() -> list[int]:
    from shegong.network.models import NodeLevel, ServiceNode
    from shegong.regions.models import Region

    rows = [Region(code=f"{PROVINCE}0000000000", name="基准省二", level=1)]
    for c in range(CITIES):
        city = f"{PROVINCE}{c + 1:02d}00000000"
        rows.append(Region(code=city, name=f"二市{c + 1}", level=2, parent_id=f"{PROVINCE}0000000000"))
        for d in range(COUNTIES):
            rows.append(
                Region(
                    code=f"{PROVINCE}{c + 1:02d}{d + 1:02d}000000",
                    name=f"二县{c}-{d}",
                    level=3,
                    parent_id=city,
                )
            )
    towns = [_town(t) for t in range(CITIES * COUNTIES * TOWNS)]
    for t, code in enumerate(towns):
        rows.append(Region(code=code, name=f"二街道{t}", level=4, parent_id=code[:6] + "000000"))
        for v in range(VILLAGES):
            rows.append(
                Region(code=code[:9] + f"{v + 1:03d}", name=f"二社区{t}-{v}", level=5, parent_id=code)
            )
    Region.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    nodes = ServiceNode.objects.bulk_create(
        [
            ServiceNode(level=NodeLevel.STATION, region_id=c, region_code=c, name=f"二社工站{t}")
            for t, c in enumerate(towns)
        ],
        batch_size=2000,
    )
    return [n.pk for n in nodes]


def _generate(total: int, district_share: int) -> None:
    """``district_share`` requests in the first district's 10 townships, the rest across the province; about 6%
    open, in every open state, a few overdue."""
    from django.db import connection

    from shegong.demands.models import CatalogueItem

    items = list(CatalogueItem.objects.filter(domain__region__isnull=True).values_list("pk", flat=True))
    towns = CITIES * COUNTIES * TOWNS
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO demands_demandrequest (region_code, uid, tracking_code, channel, description, requester_name,
                requester_phone, phone_index, address, consent_contact, source_ref, urgency, status, receiver_kind,
                received_at, dispatched_at, accept_due_at, accepted_at, resolve_clock, resolve_due_at,
                paused_minutes_left, resolved_at, resolved_on_time, resolution, served_on, rating, rating_comment,
                returns, reopened, escalation, reminded_due, next_check_at, source_hash, created_at, item_id,
                region_id, station_id)
            SELECT r.code, gen_random_uuid(), 'B' || lpad(g::text, 9, '0'),
                (ARRAY['online','phone','walk_in','visit','volunteer','grid'])[1 + g %% 6], 'sealed', 'sealed',
                'sealed', md5('p' || (g %% 50000)), '', true, '', CASE WHEN g %% 10 = 0 THEN 'urgent' ELSE 'general' END,
                s.status, CASE WHEN s.status IN ('new', 'returned') THEN '' ELSE 'station' END,
                now() - make_interval(days => (g %% 365)::int, mins => (g %% 600)::int),
                now() - make_interval(days => (g %% 365)::int), now() - make_interval(days => (g %% 365)::int)
                    + interval '8 hours', NULL, 'working',
                now() - make_interval(days => (g %% 365)::int) + interval '9 days',
                NULL, CASE WHEN s.status IN ('resolved', 'closed') THEN now() - make_interval(days => (g %% 365)::int)
                    + interval '3 days' END, CASE WHEN s.status IN ('resolved', 'closed') THEN true END, '', NULL,
                CASE WHEN s.status = 'closed' THEN 3 + g %% 3 END, '', 0, false, 0, NULL, NULL, '', now(),
                (%(items)s::bigint[])[1 + g %% %(n_items)s], r.code,
                CASE WHEN s.status IN ('new', 'returned') THEN NULL ELSE n.id END
            FROM generate_series(1, %(total)s) g
            CROSS JOIN LATERAL (SELECT CASE
                WHEN g <= %(district)s THEN '52' || '01' || '01' || lpad(((g / 7) %% 10 + 1)::text, 3, '0')
                ELSE '52' || lpad(((g %% %(towns)s) / 60 + 1)::text, 2, '0')
                     || lpad((((g %% %(towns)s) / 10) %% 6 + 1)::text, 2, '0')
                     || lpad(((g %% %(towns)s) %% 10 + 1)::text, 3, '0') END
                || lpad((g %% 10 + 1)::text, 3, '0') AS code) r
            CROSS JOIN LATERAL (SELECT CASE g %% 100 WHEN 0 THEN 'new' WHEN 1 THEN 'returned' WHEN 2 THEN
                'dispatched' WHEN 3 THEN 'accepted' WHEN 4 THEN 'in_progress' WHEN 5 THEN 'waiting' WHEN 6 THEN
                'resolved' WHEN 7 THEN 'cancelled' ELSE 'closed' END AS status) s
            JOIN network_servicenode n ON n.region_id = substr(r.code, 1, 9) || '000'
            """,
            {
                "items": items,
                "n_items": len(items),
                "total": total,
                "district": district_share,
                "towns": towns,
            },
        )
        cursor.execute("ANALYZE")


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shegong.core.scoping import Scope, activate, unscoped
    from shegong.demands import selectors
    from shegong.demands.models import WITH_RECEIVER, DemandRequest
    from shegong.network.models import ServiceNode

    total = max(50_000, int(1_000_000 * scale))
    district_share = max(5_000, int(100_000 * scale))
    out = []
    with unscoped():
        started = time.perf_counter()
        _build_regions()
        _generate(total, district_share)
        out.append(
            f"generated {total:,} requests ({district_share:,} in one district) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        station = ServiceNode.objects.get(region_id=f"{PROVINCE}0101001000")

    low, high = f"{PROVINCE}0101000000", f"{PROVINCE}0101999999"
    district_scope = Scope.of([DISTRICT])
    now = timezone.now()

    def orm_board():
        with activate(district_scope):
            counts = selectors.board_counts(now=now)
            rows = list(selectors.board("new", now)[:50])
        return counts, len(rows)

    def raw_board():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE status = 'new'), count(*) FILTER (WHERE status = 'dispatched'), "
                "count(*) FILTER (WHERE (status = 'dispatched' AND accept_due_at < %s) OR (status IN "
                "('accepted', 'in_progress') AND resolve_due_at < %s)), count(*) FILTER (WHERE status = 'returned'),"
                " count(*) FROM demands_demandrequest WHERE status IN ('new', 'returned', 'dispatched', 'accepted',"
                " 'in_progress', 'waiting') AND region_code BETWEEN %s AND %s",
                [now, now, low, high],
            )
            counts = cursor.fetchone()
            cursor.execute(
                "SELECT d.id, d.tracking_code, g.name FROM demands_demandrequest d JOIN regions_region g ON "
                "g.code = d.region_id WHERE d.status = 'new' AND d.region_code BETWEEN %s AND %s "
                "ORDER BY d.received_at, d.id LIMIT 50",
                [low, high],
            )
            return counts, len(cursor.fetchall())

    counts, _rows = orm_board()

    def orm_counts():
        with activate(district_scope):
            return selectors.board_counts(now=now)

    def orm_rows():
        with activate(district_scope):
            return len(list(selectors.board("new", now)[:50]))

    out.append(f"  (counts {_median_ms(orm_counts):.1f} ms, first page {_median_ms(orm_rows):.1f} ms)")
    ms, raw_ms = _median_ms(orm_board), _median_ms(raw_board)
    out.append(
        f"desk board of a {district_share:,}-request district (open {counts['open']:,}, new {counts['new']:,}): "
        f"{ms:.1f} ms; raw SQL {raw_ms:.1f} ms (target ≤ 50 ms: {'met' if ms <= 50 else 'NOT met'})"
    )

    province_scope = Scope.of([f"{PROVINCE}0000000000"])

    def orm_station():
        with activate(province_scope):
            return len(
                list(
                    DemandRequest.objects.filter(station_id=station.pk, status__in=WITH_RECEIVER)
                    .select_related("region", "item")
                    .order_by("resolve_due_at", "accept_due_at", "pk")[:50]
                )
            )

    def raw_station():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.id, g.name, i.name FROM demands_demandrequest d JOIN regions_region g ON g.code = "
                "d.region_id LEFT JOIN demands_catalogueitem i ON i.id = d.item_id WHERE d.station_id = %s AND "
                "d.status IN ('dispatched', 'accepted', 'in_progress', 'waiting') "
                "ORDER BY d.resolve_due_at, d.accept_due_at, d.id LIMIT 50",
                [station.pk],
            )
            return len(cursor.fetchall())

    n = orm_station()
    ms, raw_ms = _median_ms(orm_station), _median_ms(raw_station)
    out.append(
        f"station open list ({n} shown, province of {total:,}): {ms:.1f} ms; raw SQL {raw_ms:.1f} ms "
        f"(target ≤ 50 ms: {'met' if ms <= 50 else 'NOT met'})"
    )

    # Public submissions: the whole request through the endpoint, each from its own address.
    client = Client()
    body = {
        "description": "家里老人需要助餐送餐服务",
        "region": f"{PROVINCE}0101001001",
        "requester_name": "基准居民",
        "requester_phone": "13800138000",
        "consent_contact": True,
    }
    submissions = 300
    started = time.perf_counter()
    for i in range(submissions):
        response = client.post(
            "/api/v1/public/requests",
            json.dumps(body),
            content_type="application/json",
            REMOTE_ADDR=f"10.{i // 250}.{i % 250}.1",
        )
        assert response.status_code == 201, response.content
    rate = submissions / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for i in range(submissions):
            cursor.execute(
                "INSERT INTO demands_demandrequest (region_code, uid, tracking_code, channel, description, "
                "requester_name, requester_phone, address, consent_contact, source_ref, urgency, status, "
                "receiver_kind, received_at, resolve_clock, resolution, rating_comment, returns, reopened, "
                "escalation, source_hash, created_at, region_id) VALUES (%s, gen_random_uuid(), %s, 'online', "
                "'sealed', 'sealed', 'sealed', '', true, '', 'general', 'new', '', now(), 'working', '', '', 0, "
                "false, 0, '', now(), %s)",
                [body["region"], f"R{i:09d}", body["region"]],
            )
        raw_rate = submissions / (time.perf_counter() - started)
    out.append(
        f"public submission through /api/v1/public/requests: {rate:,.0f} requests/s; plain INSERT of the row "
        f"{raw_rate:,.0f} rows/s"
    )
    return out

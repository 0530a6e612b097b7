"""The dashboards per level at province scale: the data of bench/visits (1,000,000 recipients, 10,000,000 visits,
1,200 stations at scale 1.0) plus the other domains at the same scale — counted figures (``core.tallies``) for
every village and month of a year, 60,000 open cases and 100,000 requests with their standing counts
(``core.standing``), 3,600 workers, 120,000 volunteers.

Printed beside a baseline measured in the same run:

* the city dashboard with every panel (``dashboards.panels.dashboard``) vs raw SQL on the same rollups, tallies
  and registers — target ≤ 100 ms;
* freshness: a visit, a case and a request written through their services, then the station's, district's and
  city's dashboards read again — the time until each shows the new figure (target ≤ 5 s).
"""

from __future__ import annotations

import datetime
import time
import uuid

from bench.visits import (
    CITIES,
    COUNTIES,
    PROVINCE,
    TOWNS,
    VILLAGES,
    _median_ms,
    _paired_median_ms,
    _town_code,
)

CITY = f"{PROVINCE}0100000000"
STANDING = [
    *(f"cases.stage.{stage}" for stage in ("intake", "assessment", "plan", "intervention", "evaluation")),
    "demands.open",
]
FLOW = [
    "cases.opened",
    "cases.closed",
    "activities.held",
    "groups.sessions",
    "served.people",
    "volunteers.hours",
    "demands.received",
    "demands.completed",
    "charity.raised",
    "charity.spent",
]


def _ensure_visit_data(scale: float) -> None:
    """bench/visits' province, unless that benchmark already built it in this database."""
    from shegong.regions.models import Region

    if Region.objects.filter(code=f"{PROVINCE}0000000000").exists():
        return
    from bench.visits import _build_regions, _generate

    _build_regions()
    _generate(max(20_000, int(1_000_000 * scale)), max(50_000, int(10_000_000 * scale)))


def _generate_domains(scale: float) -> dict:
    """The other domains' rows the dashboards count, in the same province."""
    from django.db import connection

    from shegong.cases.models import Case
    from shegong.demands.models import DemandRequest
    from shegong.network.models import NodeLevel, ServiceNode
    from shegong.people.models import Certificate, SocialWorker, Volunteer, WorkerStatus

    towns = [_town_code(t) for t in range(CITIES * COUNTIES * TOWNS)]
    stations = dict(
        ServiceNode.objects.filter(level=NodeLevel.STATION, region_id__in=towns).values_list(
            "region_id", "pk"
        )
    )
    workers = [
        SocialWorker(
            region_id=town,
            region_code=town,
            name=f"看板社工{t}-{i}",
            status=WorkerStatus.ACTIVE,
            certificate=Certificate.ASSISTANT if i % 2 else Certificate.NONE,
        )
        for t, town in enumerate(towns)
        for i in range(3)
    ]
    SocialWorker.objects.bulk_create(workers, batch_size=2000)
    worker_of = {w.region_id: w.pk for w in workers}
    n_volunteers = max(2_000, int(120_000 * scale))
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                region_id=towns[i % len(towns)][:9] + f"{i % VILLAGES + 1:03d}",
                region_code=towns[i % len(towns)][:9] + f"{i % VILLAGES + 1:03d}",
                name=f"看板志愿者{i}",
                status="active",
            )
            for i in range(n_volunteers)
        ],
        batch_size=5000,
    )
    today = datetime.date.today()
    n_cases = max(2_000, int(60_000 * scale))
    stages = ["intake", "assessment", "plan", "intervention", "evaluation"]
    Case.objects.bulk_create(
        [
            Case(
                region_code=(code := towns[i % len(towns)][:9] + f"{i % VILLAGES + 1:03d}"),
                opened_region_code=code,
                number=f"KB{i:08d}",
                station_id=stations[code[:9] + "000"],
                worker_id=worker_of[code[:9] + "000"],
                resident_name=f"看板居民{i}",
                source="walk_in",
                presenting_problem="看板基准",
                stage=stages[i % len(stages)],
                opened_on=today - datetime.timedelta(days=i % 300),
            )
            for i in range(n_cases)
        ],
        batch_size=5000,
    )
    n_requests = max(5_000, int(100_000 * scale))
    now = datetime.datetime.now(datetime.UTC)
    statuses = ["new", "dispatched", "accepted", "in_progress", "resolved", "closed"]
    DemandRequest.objects.bulk_create(
        [
            DemandRequest(
                region_code=(code := towns[i % len(towns)][:9] + f"{i % VILLAGES + 1:03d}"),
                region_id=code,
                tracking_code=f"K{i:010d}",
                channel="phone",
                description="看板基准诉求",
                source_ref="",
                receiver_kind="station",
                status=statuses[i % len(statuses)],
                received_at=now - datetime.timedelta(hours=i % 8000),
                accept_due_at=now + datetime.timedelta(hours=(i % 48) - 24),
                resolve_due_at=now + datetime.timedelta(hours=(i % 240) - 120),
                source_hash="",
            )
            for i in range(n_requests)
        ],
        batch_size=5000,
    )
    # The standing counts (cases per stage, open requests by deadline), as the services keep them.
    from shegong.core import standing

    standing.reconcile(fix=True)
    with connection.cursor() as cursor:
        # Counted figures for every village and each month of the last year, as the services keep them.
        cursor.execute(
            """
            INSERT INTO core_tally (region_code, month, metric, value)
            SELECT r.code, m::date, k.metric, (abs(hashtext(r.code || k.metric || m::text)) %% 20)::numeric
            FROM regions_region r,
                 generate_series(date_trunc('month', now()) - interval '11 months', date_trunc('month', now()),
                                 interval '1 month') m,
                 unnest(%s::text[]) AS k(metric)
            WHERE r.level = 5 AND r.code LIKE %s
            ON CONFLICT DO NOTHING
            """,
            [FLOW, f"{PROVINCE}%"],
        )
        cursor.execute("ANALYZE")
    return {"workers": len(workers), "volunteers": n_volunteers, "cases": n_cases, "requests": n_requests}


def _official(code: str):
    from shegong.accounts.actor import Actor
    from shegong.accounts.models import RoleAssignment, User

    user = User.objects.create(username=f"bench-official-{uuid.uuid4().hex[:8]}", must_change_password=False)
    RoleAssignment.objects.create(user=user, role="official", region_id=code)
    return Actor.for_user(user)


def _raw_city(cursor, low: str, high: str) -> list:
    """The city dashboard's figures in raw SQL on the same rollups, tallies and registers (its baseline)."""
    out = []
    for sql, params in [
        (
            "SELECT substr(region_code, 1, 6), month, sum(due), sum(visited) FROM recipients_visitrollup "
            "WHERE region_code BETWEEN %s AND %s AND month >= date_trunc('month', now()) - interval '11 months' "
            "GROUP BY 1, 2",
            [low, high],
        ),
        (
            "SELECT metric, sum(value) FROM core_tally WHERE region_code BETWEEN %s AND %s AND metric = ANY(%s) "
            "AND month = date_trunc('month', now())::date GROUP BY 1",
            [low, high, FLOW[:8]],
        ),
        (
            "SELECT month, metric, sum(value) FROM core_tally WHERE region_code BETWEEN %s AND %s AND metric = "
            "ANY(%s) AND month = ANY(ARRAY(SELECT generate_series(date_trunc('month', now()) - interval "
            "'5 months', date_trunc('month', now()), interval '1 month')::date)) GROUP BY 1, 2",
            [low, high, ["activities.held", "groups.sessions"]],
        ),
        (
            "SELECT metric, sum(value) FROM core_tally WHERE region_code BETWEEN %s AND %s AND metric = ANY(%s) "
            "AND month = ANY(ARRAY(SELECT generate_series(date_trunc('year', now()), date_trunc('month', now()), "
            "interval '1 month')::date)) GROUP BY 1",
            [low, high, FLOW[8:]],
        ),
        (
            "SELECT substr(region_code, 1, 6), level, count(*) FROM network_servicenode WHERE region_code "
            "BETWEEN %s AND %s AND status = 'operating' GROUP BY 1, 2",
            [low, high],
        ),
        (
            "SELECT count(*), count(*) FILTER (WHERE certificate <> 'none') FROM people_socialworker "
            "WHERE region_code BETWEEN %s AND %s AND status = 'active'",
            [low, high],
        ),
        (
            "SELECT metric, sum(value), sum(value) FILTER (WHERE due < now()) FROM core_standing "
            "WHERE region_code BETWEEN %s AND %s AND metric = ANY(%s) GROUP BY 1",
            [low, high, STANDING],
        ),
        (
            "SELECT count(*) FROM people_volunteer WHERE region_code BETWEEN %s AND %s AND status = 'active'",
            [low, high],
        ),
    ]:
        cursor.execute(sql, params)
        out.append(cursor.fetchall())
    return out


def run(scale: float = 1.0) -> list[str]:
    from django.db import connection

    from shegong.accounts.actor import Actor
    from shegong.accounts.models import RoleAssignment, User
    from shegong.cases.services import case_open
    from shegong.core.regioncodes import subtree_bounds
    from shegong.core.scoping import activate, unscoped
    from shegong.dashboards.panels import dashboard
    from shegong.network.models import ServiceNode
    from shegong.people.models import SocialWorker
    from shegong.recipients.models import Recipient
    from shegong.regions.models import Region
    from shegong.visits.services import visit_record

    out = []
    with unscoped():
        started = time.perf_counter()
        _ensure_visit_data(scale)
        counts = _generate_domains(scale)
        out.append(
            f"generated {counts['cases']:,} cases, {counts['requests']:,} requests, {counts['workers']:,} workers, "
            f"{counts['volunteers']:,} volunteers and a year of counted figures for 12,000 villages in "
            f"{time.perf_counter() - started:.1f} s (on bench/visits' province)"
        )
        city = Region.objects.get(code=CITY)
        official = _official(f"{PROVINCE}0000000000")

    # 1. The city dashboard, every panel, as the official's request reads it (scoped), vs raw SQL.
    low, high = subtree_bounds(CITY)
    with activate(official.scope):
        panels = dashboard(city, official).panels

        def full():
            return dashboard(city, official)

        def raw():
            with connection.cursor() as cursor:
                return _raw_city(cursor, low, high)

        ms, raw_ms = _paired_median_ms(full, raw, runs=15)
        districts = len(city.children.all())
    out.append(
        f"city dashboard ({len(panels)} panels, {districts} districts): {ms:.1f} ms; raw SQL on "
        f"the rollups, tallies and registers {raw_ms:.1f} ms; {ms / raw_ms:.1f}× the raw SQL "
        f"(target ≤ 100 ms: {'met' if ms <= 100 else 'NOT met'})"
    )

    # 2. Freshness: a visit, a case and a request written now, then each level's dashboard read again.
    with unscoped():
        town = _town_code(0)
        recipient = Recipient.objects.filter(region_code__startswith=town[:9], worker__isnull=False).first()
        worker = SocialWorker.objects.get(pk=recipient.worker_id)
        station = ServiceNode.objects.get(region_id=town)
        user = User.objects.create(
            username=f"bench-worker-{uuid.uuid4().hex[:8]}", must_change_password=False
        )
        RoleAssignment.objects.create(user=user, role="worker", region_id=town)
        SocialWorker.objects.filter(pk=worker.pk).update(user=user)
        writer = Actor.for_user(user)
        district = Region.objects.get(code=town[:6] + "000000")
        township = Region.objects.get(code=town)

    def figure(board, key):
        return next(f.value for p in board.panels for f in p.figures if f.key == key)

    levels = [("station", township, station), ("district", district, None), ("city", city, None)]
    with activate(official.scope):
        before = {
            name: {k: figure(dashboard(r, official, station=s), k) for k in ("visited", "cases_opened")}
            for name, r, s in levels
        }
    with activate(writer.scope):
        written = time.perf_counter()
        visit_record(
            actor=writer,
            recipient=recipient,
            data={
                "visited_at": datetime.datetime.now(datetime.UTC),
                "method": "home",
                "findings": {},
                "notes": "",
            },
            idempotency_key=uuid.uuid4(),
        )
        case_open(
            actor=writer,
            station=station,
            worker=worker,
            data={
                "recipient": recipient,
                "source": "walk_in",
                "presenting_problem": "看板新鲜度",
                "opened_on": datetime.date.today(),
            },
        )
        write_ms = (time.perf_counter() - written) * 1000
    seen = []
    with activate(official.scope):
        for name, r, s in levels:
            deadline = time.perf_counter() + 5
            while True:
                board = dashboard(r, official, station=s)
                fresh = all(figure(board, k) == before[name][k] + 1 for k in ("visited", "cases_opened"))
                if fresh or time.perf_counter() > deadline:
                    break
            seen.append(
                f"{name} {(time.perf_counter() - written) * 1000:.0f} ms{'' if fresh else ' (NOT seen)'}"
            )
    out.append(
        f"freshness: a visit and a case written in {write_ms:.0f} ms, shown on the dashboards after "
        f"{'; '.join(seen)} (target ≤ 5 s)"
    )
    with activate(official.scope):
        mean = _median_ms(lambda: dashboard(township, official, station=station), runs=9)
    out.append(f"  for reference: a station's dashboard {mean:.1f} ms")
    return out

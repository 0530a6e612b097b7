"""The field app's sync for one worker with 500 recipients (scale 1.0), through the whole HTTP stack.

Each figure is printed beside the raw query it rests on, measured in the same run:

* the first download (size, gzip size, time) vs the raw SQL reading the same recipients and their last visits;
* an incremental download after a day's changes (50 recipients edited, 30 visited) vs the raw SQL on the same
  condition (``updated_at``, or a visit written since);
* the upload of 200 queued records of mixed kinds — 120 visits, 50 case notes, 30 group sessions with their
  attendance — in batches of 20 (as the app sends them), the same 200 resent (all answered from receipts: what a
  lost answer costs), and the same writes straight through the apps' services (``visit_record``,
  ``case_note_add``, ``session_record``) and, as the floor, one raw INSERT of 200 visit rows.
"""

from __future__ import annotations

import datetime
import gzip
import json
import statistics
import time
import uuid
from collections.abc import Iterator

PASSWORD = "Correct-Horse-42"
TOWN = "500199001000"
VILLAGE = "500199001001"


def _ms(func, runs: int = 5) -> float:
    func()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _world(recipients: int):
    from shegong.accounts.actor import SystemActor
    from shegong.accounts.models import RoleAssignment, User
    from shegong.people.models import SocialWorker
    from shegong.recipients import services
    from shegong.regions.models import Region

    for code, name, level, parent in (
        ("500000000000", "基准市", 2, None),
        ("500199000000", "基准区", 3, "500000000000"),
        (TOWN, "基准镇", 4, "500199000000"),
        (VILLAGE, "基准村", 5, TOWN),
    ):
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    user = User(username=f"syncbench{uuid.uuid4().hex[:6]}", must_change_password=False)
    user.set_password(PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role="worker", region_id=TOWN)
    worker = SocialWorker.objects.create(
        region_id=TOWN, name="基准社工", id_number=_id_number(recipients + 1), user=user
    )
    system = SystemActor("bench")
    rows = [
        services.recipient_create(
            actor=system,
            data={
                "name": f"对象{i}",
                "id_number": _id_number(i),
                "region": VILLAGE,
                "worker": worker,
                "phone": f"138{i:08d}",
                "address": f"幸福路{i}号",
            },
            categories=[],
            risk_tier=3,
        )
        for i in range(recipients)
    ]
    return user, worker, rows


def _id_number(seq: int) -> str:
    body = f"5001031950{(seq // 28) % 12 + 1:02d}{seq % 28 + 1:02d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _client(user):
    from django.test import Client

    from shegong.accounts.middleware import SESSION_OTP_OK

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_OTP_OK] = True
    session.save()
    return client


def _raw_download(worker_id: int, since: datetime.datetime | None) -> int:
    from django.db import connection

    condition, params = "", [worker_id]
    if since is not None:
        condition = (
            " AND (updated_at > %s OR EXISTS (SELECT 1 FROM visits_visit v WHERE v.recipient_id = "
            "recipients_recipient.id AND v.created_at > %s))"
        )
        params = [worker_id, since, since]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, address, phone, risk_tier, next_due_on, event_due_at FROM recipients_recipient "
            f"WHERE worker_id = %s AND status = 'active'{condition}",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT recipient_id, visited_at, method FROM visits_visit WHERE recipient_id = ANY(%s) "
            "ORDER BY recipient_id, visited_at DESC",
            [ids],
        )
        cursor.fetchall()
    return len(ids)


def _casework(worker, recipients):
    """A station, one case of the worker's in intervention (notes may be written) and a group of ten it leads."""
    from shegong.accounts.actor import SystemActor
    from shegong.cases import services as cases
    from shegong.groups import services as groups
    from shegong.network.models import NodeLevel, ServiceNode

    system = SystemActor("bench")
    station = ServiceNode.objects.create(
        level=NodeLevel.STATION, region_id=TOWN, region_code=TOWN, name="基准社工站"
    )
    today = datetime.date.today()
    case = cases.case_open(
        actor=system,
        station=station,
        worker=worker,
        data={
            "recipient": recipients[0],
            "source": "walk_in",
            "presenting_problem": "独居",
            "opened_on": today,
        },
    )
    cases.case_assess(
        actor=system, case=case, data={"assessed_on": today, "scores": {"comfort": 2}, "text": "需要陪伴"}
    )
    cases.case_plan_save(
        actor=system,
        case=case,
        text="每周上门",
        goals=[{"title": "情绪改善", "indicator": "量表", "target_on": today + datetime.timedelta(days=90)}],
    )
    cases.case_decide(actor=system, approval=cases.case_plan_submit(actor=system, case=case), approve=True)
    group = groups.group_create(
        actor=system,
        data={
            "node": station,
            "name": "基准小组",
            "kind": "support",
            "purpose": "互助",
            "leader": worker,
            "planned_sessions": 60,
            "starts_on": today - datetime.timedelta(days=60),
        },
    )
    members = [
        groups.member_add(actor=system, group=group, recipient=r, joined_on=group.starts_on)
        for r in recipients[:10]
    ]
    return case, group, members


def _mixed_records(recipients, case, group, members) -> list[dict]:
    """200 records as a day's outbox holds them: 120 visits, 50 case notes, 30 sessions with attendance."""
    today = datetime.date.today().isoformat()
    records = _visit_records(recipients, 120)
    for i in range(50):
        records.append(
            {
                "key": str(uuid.uuid4()),
                "kind": "case.note",
                "payload": {
                    "case": case.pk,
                    "noted_on": today,
                    "method": "home",
                    "content": f"上门陪伴第{i}次",
                },
            }
        )
    for i in range(30):
        records.append(
            {
                "key": str(uuid.uuid4()),
                "kind": "group.attendance",
                "payload": {
                    "group": group.pk,
                    "held_on": today,
                    "place": "活动室",
                    "content": f"第{i}节",
                    "present": [m.pk for m in members[: 5 + i % 5]],
                },
            }
        )
    # Interleaved, as they were captured through the day.
    return [records[i] for i in sorted(range(len(records)), key=lambda i: (i * 7919) % len(records))]


def _visit_records(recipients, n: int) -> list[dict]:
    now = datetime.datetime.now(datetime.UTC)
    return [
        {
            "key": str(uuid.uuid4()),
            "kind": "visit",
            "captured_at": now.isoformat(),
            "payload": {
                "recipient": recipients[i % len(recipients)].pk,
                "visited_at": (now - datetime.timedelta(minutes=i + 1)).isoformat(),
                "method": "home",
                "notes": "入户查看，一切正常",
                "findings": {"gas": "ok", "water": "ok", "power": "issue"},
            },
        }
        for i in range(n)
    ]


def run(scale: float) -> Iterator[str]:
    from django.db import connection

    from shegong.core.scoping import unscoped
    from shegong.recipients.models import Recipient
    from shegong.visits import services as visit_services

    size = max(20, int(500 * scale))
    with unscoped():
        user, worker, recipients = _world(size)
        case, group, members = _casework(worker, recipients)
        # The registry was written yesterday: only what changes after the first download is new to the phone.
        Recipient.objects.filter(worker=worker).update(
            updated_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
        )
    client = _client(user)
    device = str(uuid.uuid4())
    client.post(
        "/api/v1/sync/unlock", {"device": device, "password": PASSWORD}, content_type="application/json"
    )

    def first():
        answer = client.get("/api/v1/sync/download", {"device": device})
        assert answer.status_code == 200, answer.content
        return answer

    body = first().content
    rows = len(json.loads(body)["sections"]["recipients"]["rows"])
    took = _ms(first)
    with unscoped():
        raw = _ms(lambda: _raw_download(worker.pk, None))
    yield (
        f"first download, {rows} recipients: {len(body) / 1024:.0f} KiB ({len(gzip.compress(body)) / 1024:.0f} KiB "
        f"gzipped) in {took:.0f} ms  |  raw SQL of the same rows and visits: {raw:.1f} ms"
    )

    cursor = json.loads(body)["cursor"]
    # A day's changes: 50 recipients' addresses edited elsewhere, 30 visited.
    with unscoped():
        for recipient in recipients[:50]:
            Recipient.objects.filter(pk=recipient.pk).update(
                address=recipient.address + "（新）", updated_at=datetime.datetime.now(datetime.UTC)
            )
    first_upload = client.post(
        "/api/v1/sync/upload",
        {"device": device, "records": _visit_records(recipients[100:130], 30)},
        content_type="application/json",
    )
    assert first_upload.status_code == 200

    def incremental():
        answer = client.get("/api/v1/sync/download", {"device": device, "cursor": cursor})
        assert answer.status_code == 200, answer.content
        return answer

    inc = incremental().content
    changed = len(json.loads(inc)["sections"]["recipients"]["rows"])
    took = _ms(incremental)
    from shegong.core import sync

    since = sync.read_cursor(cursor, user.pk) - sync.CURSOR_OVERLAP
    with unscoped():
        raw = _ms(lambda: _raw_download(worker.pk, since))
    yield (
        f"incremental download after a day's changes: {changed} recipients, {len(inc) / 1024:.1f} KiB "
        f"in {took:.0f} ms  |  raw SQL on the same condition: {raw:.1f} ms"
    )

    records = _mixed_records(recipients, case, group, members)
    started = time.perf_counter()
    for start in range(0, len(records), 20):
        answer = client.post(
            "/api/v1/sync/upload",
            {"device": device, "records": records[start : start + 20]},
            content_type="application/json",
        )
        assert answer.status_code == 200
        assert all(r["status"] == "saved" for r in answer.json()["results"]), answer.json()
    upload_s = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(records), 20):
        client.post(
            "/api/v1/sync/upload",
            {"device": device, "records": records[start : start + 20]},
            content_type="application/json",
        )
    resend_s = time.perf_counter() - started

    from shegong.cases import services as case_services
    from shegong.cases.models import Case
    from shegong.core.actors import actor_of_user
    from shegong.core.scoping import activate
    from shegong.groups import services as group_services
    from shegong.groups.models import Group

    direct = _mixed_records(recipients, case, group, members)
    actor = actor_of_user(user.pk)
    # Under the worker's own scope, as the request runs it (the scoped queries cost more than unscoped ones).
    with activate(actor.scope):
        started = time.perf_counter()
        per_kind: dict[str, float] = {}
        for item in direct:
            payload = item["payload"]
            one = time.perf_counter()
            if item["kind"] == "visit":
                visit_services.visit_record(
                    actor=actor,
                    recipient=Recipient.objects.get(pk=payload["recipient"]),
                    data={
                        "visited_at": datetime.datetime.fromisoformat(payload["visited_at"]),
                        "method": "home",
                        "findings": payload["findings"],
                        "notes": payload["notes"],
                    },
                    idempotency_key=item["key"],
                )
            elif item["kind"] == "case.note":
                case_services.case_note_add(
                    actor=actor,
                    case=Case.objects.get(pk=payload["case"]),
                    data={**payload, "noted_on": datetime.date.fromisoformat(payload["noted_on"])},
                    idempotency_key=item["key"],
                )
            else:
                group_services.session_record(
                    actor=actor,
                    group=Group.objects.get(pk=payload["group"]),
                    data={**payload, "held_on": datetime.date.fromisoformat(payload["held_on"])},
                    present=payload["present"],
                    idempotency_key=item["key"],
                )
            per_kind[item["kind"]] = per_kind.get(item["kind"], 0.0) + time.perf_counter() - one
        service_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor_:
        cursor_.execute(
            "INSERT INTO visits_visit (uid, region_code, recipient_id, worker_id, visited_at, method, findings, "
            "notes, needs_found, follow_up, location_consent, location, idempotency_key, created_at) "
            "SELECT gen_random_uuid(), %s, %s, %s, now() - (g || ' minutes')::interval, 'home', '', '', '', '', "
            "false, '', gen_random_uuid(), now() FROM generate_series(1, 200) g",
            [VILLAGE, recipients[0].pk, worker.pk],
        )
    raw_s = time.perf_counter() - started
    yield (
        f"upload of 200 queued records (120 visits, 50 case notes, 30 sessions with attendance) in batches of 20: "
        f"{upload_s:.2f} s ({200 / upload_s:.0f} records/s); resent after a lost answer: {resend_s:.2f} s, nothing "
        f"written  |  the same writes through the apps' services: {service_s:.2f} s "
        f"({', '.join(f'{kind} {took:.2f} s' for kind, took in sorted(per_kind.items()))}); raw INSERT of 200 "
        f"visit rows: {raw_s * 1000:.0f} ms"
    )

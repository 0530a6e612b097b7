"""Checks on one worker's visits: two home visits too close together to both have happened, a journey between two
recorded locations faster than the road allows, more visits in a day than a ceiling, visits outside the worker's
township, and the same photo attached to visits of different people or days."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.regioncodes import in_subtree
from shegong.people.models import WorkerAssignment
from shegong.visits.models import Visit, VisitMethod, VisitPhoto

from .base import Check, Evidence, Hit, local_date, under_q

VISIT = "visits.visit"
# A run reads a worker's visits in pages of this many rows (a province holds millions).
CHUNK = 5000


def _visits(under: str, since: datetime.datetime | None, extra: Q | None = None):
    """Visits with a worker, in worker and time order; an incremental run keeps the workers with new visits, from
    the day before the earliest new one (a new visit is compared with its neighbours)."""
    extra = extra if extra is not None else Q()
    queryset = Visit.objects.filter(under_q(under), extra, worker__isnull=False)
    if since is not None:
        fresh = (
            Visit.objects.filter(under_q(under), extra, worker__isnull=False, created_at__gte=since)
            .values("worker_id")
            .annotate(first=Count("pk"))
        )
        workers = [row["worker_id"] for row in fresh]
        if not workers:
            return queryset.none()
        earliest = (
            Visit.objects.filter(worker_id__in=workers, created_at__gte=since).order_by("visited_at").first()
        )
        queryset = queryset.filter(
            worker_id__in=workers, visited_at__gte=earliest.visited_at - datetime.timedelta(days=1)
        )
    return queryset.order_by("worker_id", "visited_at", "pk")


def _pairs(rows):
    """Consecutive visits of the same worker."""
    previous = None
    for row in rows:
        if previous is not None and previous["worker_id"] == row["worker_id"]:
            yield previous, row
        previous = row


def _visit_ev(row, text) -> Evidence:
    return Evidence(VISIT, row["pk"], str(text))


def _station_of(row):
    return row.get("recipient__station_id")


FIELDS = ("pk", "worker_id", "visited_at", "recipient_id", "region_code", "recipient__station_id")


class OverlappingVisits(Check):
    code = "visits.overlap"
    title = _("同一社工探访时间重叠")
    description = _("同一社工两次上门探访（不同对象）相隔不足规定分钟数，不可能都已完成。")
    defaults = {"min_gap_minutes": 20}

    def run(self, under="", since=None, *, params):
        rows = _visits(under, since, Q(method=VisitMethod.HOME)).values(*FIELDS).iterator(chunk_size=CHUNK)
        for a, b in _pairs(rows):
            if a["recipient_id"] == b["recipient_id"]:
                continue
            gap = params(b["region_code"])["min_gap_minutes"]
            minutes = (b["visited_at"] - a["visited_at"]).total_seconds() / 60
            if minutes >= gap:
                continue
            when = timezone.localtime(a["visited_at"])
            yield Hit(
                subject=f"visit:{a['pk']}|visit:{b['pk']}",
                region_code=b["region_code"],
                summary=str(_("同一社工 %(d)s 两次上门探访仅相隔 %(m)d 分钟"))
                % {"d": f"{when:%Y-%m-%d %H:%M}", "m": int(minutes)},
                evidence=[
                    _visit_ev(a, f"{when:%Y-%m-%d %H:%M}"),
                    _visit_ev(b, f"{timezone.localtime(b['visited_at']):%Y-%m-%d %H:%M}"),
                ],
                occurred_on=when.date(),
                node_id=_station_of(b),
            )


def _point(location: str):
    try:
        lat, lng = (float(part) for part in location.split(","))
    except ValueError:
        return None
    return lat, lng


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class TooFast(Check):
    code = "visits.too_fast"
    title = _("探访间移动速度不可能")
    description = _("同一社工相邻两次记录了位置的上门探访，两地距离除以相隔时间超过合理速度（公里/小时）。")
    defaults = {"max_speed_kmh": 60}

    def run(self, under="", since=None, *, params):
        queryset = _visits(under, since, Q(method=VisitMethod.HOME, location_consent=True) & ~Q(location=""))
        rows = []
        # The location is encrypted: read the rows (only those that recorded one) and decrypt it here.
        for visit in (
            queryset.only(*[f for f in FIELDS if "__" not in f], "location")
            .select_related(None)
            .iterator(chunk_size=CHUNK)
        ):
            point = _point(visit.location)
            if point is None:
                continue
            rows.append(
                {
                    "pk": visit.pk,
                    "worker_id": visit.worker_id,
                    "visited_at": visit.visited_at,
                    "recipient_id": visit.recipient_id,
                    "region_code": visit.region_code,
                    "point": point,
                }
            )
        for a, b in _pairs(rows):
            km = distance_km(a["point"], b["point"])
            hours = (b["visited_at"] - a["visited_at"]).total_seconds() / 3600
            limit = params(b["region_code"])["max_speed_kmh"]
            if km < 1 or (hours > 0 and km / hours <= limit):
                continue
            when = timezone.localtime(b["visited_at"])
            yield Hit(
                subject=f"visit:{a['pk']}|visit:{b['pk']}",
                region_code=b["region_code"],
                summary=str(_("相邻两次探访相距 %(km).1f 公里，仅相隔 %(m)d 分钟"))
                % {"km": km, "m": int(hours * 60)},
                evidence=[
                    _visit_ev(a, f"{timezone.localtime(a['visited_at']):%Y-%m-%d %H:%M}"),
                    _visit_ev(b, f"{when:%Y-%m-%d %H:%M}"),
                ],
                occurred_on=when.date(),
            )


class DailyCeiling(Check):
    code = "visits.daily_ceiling"
    title = _("单日探访次数超过上限")
    description = _("同一社工一天记录的探访次数超过上限。")
    defaults = {"max_per_day": 12}

    def run(self, under="", since=None, *, params):
        by_day = defaultdict(list)
        rows = _visits(under, since).values(*FIELDS).iterator(chunk_size=CHUNK)
        current = None
        for row in rows:
            key = (row["worker_id"], local_date(row["visited_at"]))
            if current is not None and key != current:
                yield from self._judge(current, by_day.pop(current), params)
            current = key
            by_day[key].append(row)
        if current is not None:
            yield from self._judge(current, by_day.pop(current), params)

    def _judge(self, key, rows, params):
        worker_id, day = key
        ceiling = params(rows[0]["region_code"])["max_per_day"]
        if len(rows) <= ceiling:
            return
        yield Hit(
            subject=f"worker-day:{worker_id}:{day.isoformat()}",
            region_code=rows[0]["region_code"],
            summary=str(_("同一社工 %(d)s 记录探访 %(n)d 次，上限 %(c)d 次"))
            % {"d": day, "n": len(rows), "c": ceiling},
            evidence=[_visit_ev(r, f"{timezone.localtime(r['visited_at']):%H:%M}") for r in rows[:20]],
            occurred_on=day,
            node_id=_station_of(rows[0]),
        )


class OutsideRegion(Check):
    code = "visits.outside_region"
    title = _("在岗位所在乡镇（街道）以外记录服务")
    description = _("社工的探访对象不在其当日在岗的社工站（室）所在乡镇（街道）内。")
    defaults = {}

    def run(self, under="", since=None, *, params):
        postings = defaultdict(list)
        for worker_id, start, end, node_region in WorkerAssignment.objects.values_list(
            "worker_id", "start_date", "end_date", "node__region_code"
        ):
            postings[worker_id].append((start, end, node_region[:9] + "000"))
        rows = (
            _visits(under, since, Q(worker_id__in=list(postings))).values(*FIELDS).iterator(chunk_size=CHUNK)
        )
        for row in rows:
            day = local_date(row["visited_at"])
            current = [p for p in postings[row["worker_id"]] if p[0] <= day and (p[1] is None or p[1] >= day)]
            if not current or any(in_subtree(row["region_code"], town) for _s, _e, town in current):
                continue
            yield Hit(
                subject=f"visit:{row['pk']}",
                region_code=row["region_code"],
                summary=str(_("社工在岗位所在乡镇（街道）以外记录探访（%(d)s）")) % {"d": day},
                evidence=[_visit_ev(row, day)],
                occurred_on=day,
                node_id=_station_of(row),
            )


class ReusedPhoto(Check):
    code = "visits.reused_photo"
    title = _("同一照片用于不同探访")
    description = _("内容完全相同的照片出现在不同服务对象或不同日期的探访记录中。")
    defaults = {}

    def run(self, under="", since=None, *, params):
        photos = VisitPhoto.objects.filter(under_q(under)).exclude(content_hash="")
        repeated = photos.values("content_hash").annotate(
            people=Count("visit__recipient_id", distinct=True),
            days=Count(TruncDate("visit__visited_at"), distinct=True),
        )
        repeated = repeated.filter(Q(people__gt=1) | Q(days__gt=1))
        if since is not None:
            fresh = photos.filter(created_at__gte=since).values("content_hash")
            repeated = repeated.filter(content_hash__in=fresh)
        hashes = [row["content_hash"] for row in repeated]
        grouped = defaultdict(list)
        for row in (
            photos.filter(content_hash__in=hashes)
            .values(
                "pk",
                "content_hash",
                "visit_id",
                "visit__visited_at",
                "region_code",
                "visit__recipient__station_id",
            )
            .order_by("content_hash", "visit__visited_at", "pk")
        ):
            grouped[row["content_hash"]].append(row)
        for digest, rows in grouped.items():
            last = rows[-1]
            yield Hit(
                subject=f"photo:{digest[:40]}",
                region_code=last["region_code"],
                summary=str(_("同一照片出现在 %(n)d 条探访记录中"))
                % {"n": len({r["visit_id"] for r in rows})},
                evidence=[
                    Evidence(VISIT, r["visit_id"], f"{timezone.localtime(r['visit__visited_at']):%Y-%m-%d}")
                    for r in rows
                ],
                occurred_on=local_date(last["visit__visited_at"]),
                node_id=last["visit__recipient__station_id"],
            )


CHECKS = [OverlappingVisits(), TooFast(), DailyCeiling(), OutsideRegion(), ReusedPhoto()]

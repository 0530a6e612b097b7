"""The panels of a level's dashboard (city, district, township, station), each figure with its drill-down.

Every figure comes from what is kept current as records are written: the visit-care rollups (``VisitRollup``),
the counted figures of ``core.tallies``, and the registers' own counts (stations, workers, volunteers, open cases
and requests by state, budget lines' spent sums). Nothing here walks service records, so a dashboard costs the
same few queries at a station and at a province. Apps below the dashboards add panels through
``core.panels.PANELS``.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import tallies
from shegong.core.charts import month_labels
from shegong.core.panels import Figure, Panel, PanelScope, contributed
from shegong.core.regioncodes import Level
from shegong.recipients.care import policy
from shegong.regions.models import shown_name

from . import selectors

LEVELS = {"city": Level.CITY, "district": Level.COUNTY, "township": Level.TOWNSHIP, "station": Level.TOWNSHIP}


def level_name(level: int, station: bool = False) -> str:
    if station:
        return "station"
    return {Level.PROVINCE: "province", Level.CITY: "city", Level.COUNTY: "district"}.get(level, "township")


def link(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def dashboard_url(code: str) -> str:
    return reverse("dashboards:region", args=[code])


def _pct(part, whole) -> float | None:
    return round(100.0 * float(part) / float(whole), 1) if whole else None


def wan(amount) -> int | float | None:
    """An amount of yuan in 万元 to one decimal (476 for 4,760,000; 186.8 for 1,867,675.04): a sum of money read
    at a glance, not a raw decimal with eight places that overflows its card."""
    if amount is None:
        return None
    value = round(float(amount) / 10000, 1)
    return int(value) if value.is_integer() else value


def pace(month: datetime.date, today: datetime.date) -> float:
    """The visit rate a region should have reached by ``today`` in ``month`` (percent): the month's elapsed days,
    today included, over its days — 100 for a finished month. On the 1st a rate of 3% is on time, not "far behind"."""
    if (today.year, today.month) != (month.year, month.month):
        return 100.0 if today > month else 0.0
    days = calendar.monthrange(month.year, month.month)[1]
    return round(100.0 * today.day / days, 1)


def tone(rate: float | None, expected: float = 100.0) -> str:
    """The tile colour of a visit rate against where it should be by now (``pace``): on track (at least 90% of
    it), lagging (70–90%), far behind, or nothing due."""
    if rate is None:
        return "none"
    if expected <= 0:
        return "good"
    share = 100.0 * rate / expected
    return "good" if share >= 90 else "fair" if share >= 70 else "poor"


def _months(month: datetime.date, n: int) -> list[datetime.date]:
    return policy.months_back(month, n)


# The built-in panels ---------------------------------------------------------------------------------------------


def coverage_panel(scope: PanelScope, region, rate) -> Panel:
    """挂图作战: one tile per child region, coloured by this month's visit rate, with its station/room coverage."""
    from shegong.network.selectors import coverage

    cov = coverage(region)
    total = cov.total
    by_child = {c.code: c for c in rate.children}
    expected = pace(scope.month, scope.today)
    tiles = []
    for row in cov.children:
        point = by_child[row.code].at(scope.month) if row.code in by_child else selectors.RatePoint()
        covered = row.villages_covered if region.level >= Level.TOWNSHIP else row.townships_covered
        whole = row.villages if region.level >= Level.TOWNSHIP else row.townships
        tiles.append(
            {
                "code": row.code,
                "name": shown_name(row.name, region.name),
                "visit_rate": point.rate,
                "visited": point.visited,
                "due": point.due,
                "tone": tone(point.rate, expected),
                "pace": expected,
                "coverage": _pct(covered, whole),
                "stations": row.stations,
                "rooms": row.rooms,
                "url": dashboard_url(row.code)
                if row.level <= Level.TOWNSHIP
                else link("dashboards:visit_rate", region=row.code, month=f"{scope.month:%Y-%m}"),
            }
        )
    figures = []
    if region.level < Level.TOWNSHIP:
        figures.append(
            Figure(
                "station_coverage",
                _("乡镇（街道）社工站覆盖率"),
                total.station_rate,
                "%",
                link("network:list", under=scope.code, level="station", status="operating"),
                note=f"{total.townships_covered}/{total.townships}",
            )
        )
    figures += [
        Figure(
            "room_coverage",
            _("村（社区）社工室覆盖率"),
            total.room_rate,
            "%",
            link("network:list", under=scope.code, level="room", status="operating"),
            note=f"{total.villages_covered}/{total.villages}",
        ),
        Figure(
            "stations",
            _("运营中的社工站"),
            total.stations,
            _("个"),
            link("network:list", under=scope.code, level="station", status="operating"),
        ),
        Figure(
            "rooms",
            _("运营中的社工室"),
            total.rooms,
            _("个"),
            link("network:list", under=scope.code, level="room", status="operating"),
        ),
    ]
    return Panel("coverage", _("挂图作战：覆盖与探访"), figures, tiles=tiles, order=10)


def staffing_panel(scope: PanelScope) -> Panel | None:
    if not scope.can("people.view"):
        return None
    from shegong.people.models import Certificate, SocialWorker, WorkerStatus
    from shegong.regions.selectors import region_subtree_q

    counts = SocialWorker.objects.filter(region_subtree_q(scope.code), status=WorkerStatus.ACTIVE).aggregate(
        n=Count("pk"), certified=Count("pk", filter=~Q(certificate=Certificate.NONE))
    )
    figures = [
        Figure(
            "workers",
            _("在岗社工"),
            counts["n"],
            _("人"),
            link("people:workers", under=scope.code, status="active"),
        ),
        Figure(
            "certified",
            _("持证社工"),
            counts["certified"],
            _("人"),
            link("people:workers", under=scope.code, status="active", certificate="certified"),
        ),
        Figure("certified_share", _("持证比例"), _pct(counts["certified"], counts["n"]), "%"),
    ]
    return Panel("staffing", _("人员配备"), figures, order=20)


def visits_panel(scope: PanelScope, rate) -> Panel | None:
    if not scope.can("recipients.view"):
        return None
    from shegong.visits.selectors import overdue_counts

    now = rate.total.at(scope.month)
    last = selectors.previous_month(scope.today)
    before = rate.total.at(last)
    counts = overdue_counts(scope.code)
    month = f"{scope.month:%Y-%m}"
    figures = [
        Figure(
            "visit_rate",
            _("本月探访率"),
            now.rate,
            "%",
            link("dashboards:visit_rate", region=scope.code, month=month),
            note=_("已访 %(v)s / 应访 %(d)s") % {"v": now.visited, "d": now.due},
        ),
        Figure(
            "visited",
            _("本月已访"),
            now.visited,
            _("人"),
            link("dashboards:visit_rate", region=scope.code, month=month),
        ),
        Figure(
            "unvisited",
            _("本月应访未访"),
            max(now.due - now.visited, 0),
            _("人"),
            link("visits:unvisited", region=scope.code, month=month),
        ),
        Figure(
            "last_rate",
            _("上月探访率"),
            before.rate,
            "%",
            link("dashboards:visit_rate", region=scope.code, month=f"{last:%Y-%m}"),
        ),
        Figure(
            "overdue",
            _("逾期未访"),
            counts["overdue"],
            _("人"),
            link("visits:overdue", under=scope.code),
            alert=bool(counts["overdue"]),
        ),
        Figure(
            "escalated",
            _("高风险逾期"),
            counts["escalated"],
            _("人"),
            link("visits:overdue", under=scope.code, escalated="1"),
            alert=bool(counts["escalated"]),
        ),
    ]
    # The trend draws finished months: the month under way is still filling (its figure is the card above), and a
    # line dropping to its first days' rate would read as a collapse.
    finished = [m for m in rate.months if m < scope.today.replace(day=1)] or rate.months
    chart = {
        "type": "line",
        "labels": [f"{m:%Y-%m}" for m in finished],
        "series": [{"name": _("探访率（已结束月份）"), "data": [rate.total.at(m).rate for m in finished]}],
        "unit": "%",
        "max": 100,
    }
    return Panel("visits", _("探访率与趋势"), figures, chart=chart, order=30)


def cases_panel(scope: PanelScope, counted: dict) -> Panel | None:
    if not scope.can("cases.view") or "cases.opened" not in tallies.metrics():
        return None
    from shegong.cases.models import OPEN_STAGES
    from shegong.cases.selectors import open_by_stage

    by_stage = open_by_stage(scope.code)
    month = f"{scope.month:%Y-%m}"
    figures = [
        Figure(
            "cases_opened",
            _("本月新开个案"),
            int(counted["cases.opened"]),
            _("个"),
            link("cases:list", under=scope.code, opened=month),
        ),
        Figure(
            "cases_closed",
            _("本月结案"),
            int(counted["cases.closed"]),
            _("个"),
            link("cases:list", under=scope.code, closed=month),
        ),
        Figure(
            "cases_open",
            _("在案个案"),
            sum(by_stage.values()),
            _("个"),
            link("cases:list", under=scope.code, stage="open"),
        ),
    ]
    figures += [
        Figure(
            f"stage_{stage.value}",
            stage.label,
            by_stage.get(stage.value, 0),
            _("个"),
            link("cases:list", under=scope.code, stage=stage.value),
        )
        for stage in OPEN_STAGES
    ]
    chart = {
        "type": "bar",
        "labels": [str(s.label) for s in OPEN_STAGES],
        "series": [{"name": _("在案个案"), "data": [by_stage.get(s.value, 0) for s in OPEN_STAGES]}],
    }
    return Panel("cases", _("个案工作"), figures, chart=chart, order=40)


def work_panel(scope: PanelScope, counted: dict, trend: dict) -> Panel | None:
    if not scope.can("activities.view"):
        return None
    month = f"{scope.month:%Y-%m}"
    figures = [
        Figure(
            "activities",
            _("本月社区活动"),
            int(counted["activities.held"]),
            _("场"),
            link("activities:list", under=scope.code, month=month),
        ),
        Figure(
            "sessions",
            _("本月小组活动"),
            int(counted["groups.sessions"]),
            _("节"),
            link("groups:list", under=scope.code),
        ),
        Figure(
            "served",
            _("本月服务人数"),
            int(counted["served.people"]),
            _("人"),
            note=_("探访、个案、小组、活动，每人每月计一次"),
        ),
    ]
    known = tallies.metrics()
    chart = {
        "type": "bar",
        "labels": month_labels(trend),
        "series": [
            {"name": str(_(known[name].label)), "data": [int(trend[m][name]) for m in trend]}
            for name in CHARTED
            if name in known
        ],
    }
    return Panel("work", _("活动与小组"), figures, chart=chart, order=50)


def demands_panel(scope: PanelScope, counted: dict) -> Panel | None:
    if not scope.can("demands.view"):
        return None
    from shegong.demands.selectors import open_counts

    counts = open_counts([scope.code])
    month = f"{scope.month:%Y-%m}"
    figures = [
        Figure(
            "requests_received",
            _("本月受理诉求"),
            int(counted["demands.received"]),
            _("件"),
            link("demands:requests", under=scope.code, received=month),
        ),
        Figure(
            "requests_completed",
            _("本月办结诉求"),
            int(counted["demands.completed"]),
            _("件"),
            link("demands:requests", under=scope.code, resolved=month),
        ),
        Figure(
            "requests_open",
            _("在办诉求"),
            counts["open"],
            _("件"),
            link("demands:requests", under=scope.code, state="open"),
        ),
        Figure(
            "requests_overdue",
            _("超时诉求"),
            counts["overdue"],
            _("件"),
            link("demands:requests", under=scope.code, state="overdue"),
            alert=bool(counts["overdue"]),
        ),
    ]
    return Panel("demands", _("群众诉求"), figures, order=60)


def projects_panel(scope: PanelScope) -> Panel | None:
    if not scope.can("projects.view"):
        return None
    from shegong.projects.selectors import region_summary

    summary = region_summary(scope.code)
    figures = [
        Figure(
            "projects_running",
            _("在执行项目"),
            summary["running"],
            _("个"),
            link("projects:list", region=scope.code, state="running"),
        ),
        Figure(
            "budget",
            _("预算总额"),
            wan(summary["budget"]),
            _("万元"),
            link("projects:list", region=scope.code, state="running"),
        ),
        Figure(
            "spent",
            _("已支出"),
            wan(summary["spent"]),
            _("万元"),
            link("projects:list", region=scope.code, state="running"),
        ),
        Figure("spend_share", _("支出进度"), _pct(summary["spent"], summary["budget"]), "%"),
        Figure(
            "over_budget",
            _("超预算项目"),
            summary["over_budget"],
            _("个"),
            link("projects:list", region=scope.code, flag="over_budget"),
            alert=bool(summary["over_budget"]),
        ),
    ]
    chart = None
    if summary["budget"]:
        chart = {
            "type": "pie",
            "labels": [str(_("已支出")), str(_("未支出"))],
            "series": [
                {
                    "name": _("预算执行"),
                    "data": [float(summary["spent"]), float(max(summary["budget"] - summary["spent"], 0))],
                }
            ],
        }
    return Panel("projects", _("项目进度与支出"), figures, chart=chart, order=70)


def volunteers_panel(scope: PanelScope, counted: dict) -> Panel | None:
    if not scope.can("volunteers.view"):
        return None
    from shegong.people.models import Volunteer, VolunteerStatus
    from shegong.regions.selectors import region_subtree_q

    active = Volunteer.objects.filter(region_subtree_q(scope.code), status=VolunteerStatus.ACTIVE).count()
    figures = [
        Figure(
            "volunteers",
            _("在册志愿者"),
            active,
            _("人"),
            link("people:volunteers", under=scope.code, status="active"),
        ),
        Figure(
            "hours",
            _("本月志愿服务时长"),
            counted["volunteers.hours"],
            _("小时"),
            link("people:hours", under=scope.code, status="confirmed", month=f"{scope.month:%Y-%m}"),
        ),
    ]
    return Panel("volunteers", _("志愿者与时长"), figures, order=80)


def charity_panel(scope: PanelScope, year_totals: dict) -> Panel | None:
    if not scope.can("charity.view") or "charity.raised" not in tallies.metrics():
        return None
    figures = [
        Figure(
            "raised",
            _("本年慈善募集"),
            wan(year_totals["charity.raised"]),
            _("万元"),
            link("charity:funds", under=scope.code),
        ),
        Figure(
            "charity_spent",
            _("本年慈善支出"),
            wan(year_totals["charity.spent"]),
            _("万元"),
            link("charity:disbursements", under=scope.code, status="paid"),
        ),
    ]
    return Panel("charity", _("慈善资金"), figures, order=90)


def ranking_panel(scope: PanelScope) -> Panel | None:
    if not scope.can("evaluation.view"):
        return None
    from shegong.evaluation.selectors import latest_bulletin

    bulletin = latest_bulletin(scope.code)
    if bulletin is None:
        return Panel(
            "ranking",
            _("最新评估排名"),
            [Figure("ranked", _("已发布排名"), None, note=_("尚无已发布的评估通报"))],
            order=100,
        )
    url = link("evaluation:bulletin", bulletin.pk)
    rows = [
        {"rank": row.get("rank"), "name": row.get("name"), "total": row.get("total"), "url": url}
        for row in sorted(bulletin.rows, key=lambda r: (r.get("rank") is None, r.get("rank") or 0))[:10]
    ]
    figures = [
        Figure(
            "ranked",
            _("%(y)s年第%(q)s季度参评站点") % {"y": bulletin.year, "q": bulletin.quarter},
            len(bulletin.rows),
            _("个"),
            url,
        )
    ]
    return Panel("ranking", _("最新评估排名"), figures, rows=rows, order=100)


# The dashboard -------------------------------------------------------------------------------------------------

FLOW = [
    "cases.opened",
    "cases.closed",
    "activities.held",
    "groups.sessions",
    "served.people",
    "volunteers.hours",
    "demands.received",
    "demands.completed",
]
YEAR = ["charity.raised", "charity.spent"]
CHARTED = ["activities.held", "groups.sessions"]


@dataclass
class Dashboard:
    scope: PanelScope
    level: str
    region: object
    panels: list[Panel]

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "code": self.scope.code,
            "name": self.scope.name,
            "month": f"{self.scope.month:%Y-%m}",
            "generated_at": timezone.localtime().isoformat(),
            "panels": [p.as_dict() for p in self.panels],
        }


def dashboard(region, actor, *, station=None, today: datetime.date | None = None) -> Dashboard:
    """Every panel of ``region``'s dashboard (a station's is its township's), in a fixed number of queries."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    scope = PanelScope(
        code=region.code,
        level=region.level,
        name=station.name if station is not None else region.display_name,
        month=month,
        today=today,
        actor=actor,
        station_id=station.pk if station is not None else None,
    )
    known = tallies.metrics()
    # The counted figures in three index reads (each a run of the area's codes per metric and month): this month's,
    # the chart's six months of the two charted metrics, and the year so far of the money raised and spent.
    counted = {m: Decimal(0) for m in FLOW} | tallies.totals(
        [region.code], [m for m in FLOW if m in known], months=[month]
    )
    trend = tallies.by_month(
        [region.code], [m for m in CHARTED if m in known], since=_months(month, 6)[0], until=month
    )
    counted_year = {m: Decimal(0) for m in YEAR} | tallies.totals(
        [region.code], [m for m in YEAR if m in known], months=_months(month, month.month)
    )
    rate = selectors.visit_rate(region, month=month, months=12)
    panels = [
        coverage_panel(scope, region, rate),
        staffing_panel(scope),
        visits_panel(scope, rate),
        cases_panel(scope, counted),
        work_panel(scope, counted, trend),
        demands_panel(scope, counted),
        projects_panel(scope),
        volunteers_panel(scope, counted),
        charity_panel(scope, counted_year),
        ranking_panel(scope),
    ]
    panels = [p for p in panels if p is not None] + contributed(scope)
    panels.sort(key=lambda p: p.order)
    return Dashboard(scope, level_name(region.level, station is not None), region, panels)

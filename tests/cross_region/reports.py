"""Reports: a weekly report of A's station (a draft, signed in the harness by nobody) and a monthly bulletin of
the district (A's and B's stations both in it, so B's district-level users may see it; B's township users not)."""

import datetime

from . import Endpoint


def _r(w):
    return w.extras["report_a"].pk


def _form(name, url, body):
    return Endpoint(name, "write", url, method="POST", body=body, content_type="form")


ENDPOINTS = [
    Endpoint("reports:list", "list", lambda w: "/reports/"),
    Endpoint(
        "reports:generate",
        "create",
        lambda w: "/reports/generate/",
        method="POST",
        content_type="form",
        body=lambda w: {"kind": "weekly", "node": w.station_a.pk, "day": "2026-03-04"},
    ),
    Endpoint("reports:detail", "detail", lambda w: f"/reports/{_r(w)}/"),
    _form("reports:remarks", lambda w: f"/reports/{_r(w)}/remarks/", lambda w: {"remarks": "x"}),
    _form("reports:sign", lambda w: f"/reports/{_r(w)}/sign/", lambda w: {}),
    _form("reports:correct", lambda w: f"/reports/{_r(w)}/correct/", lambda w: {"note": "x"}),
    Endpoint("reports:xlsx", "detail", lambda w: f"/reports/{_r(w)}.xlsx"),
    Endpoint("reports:pdf", "detail", lambda w: f"/reports/{_r(w)}.pdf"),
    Endpoint("shegong_reports_api_list_reports", "list", lambda w: "/api/v1/reports", api=True),
    Endpoint("shegong_reports_api_get_report", "detail", lambda w: f"/api/v1/reports/{_r(w)}", api=True),
    Endpoint(
        "shegong_reports_api_generate_report",
        "create",
        lambda w: "/api/v1/reports/generate",
        method="POST",
        api=True,
        body=lambda w: {"kind": "weekly", "node_id": w.station_a.pk, "day": "2026-03-04"},
    ),
    Endpoint(
        "shegong_reports_api_sign_report",
        "write",
        lambda w: f"/api/v1/reports/{_r(w)}/sign",
        method="POST",
        api=True,
        body=lambda w: {},
    ),
]


def extend(world):
    from django.utils import timezone

    from shegong.reports.models import Report

    start = datetime.date(2026, 3, 2)
    world.extras["report_a"] = Report.objects.create(
        kind="weekly",
        region=world.regions["town_a"],
        region_code=world.regions["town_a"].code,
        node=world.station_a,
        period_start=start,
        period_end=start + datetime.timedelta(days=6),
        content={"station": world.station_a.name, "figures": [], "visit_month": {}},
        remarks="MARKERA周报说明",
        generated_at=timezone.now(),
    )
    world.extras["marker_report"] = "MARKERA周报说明"

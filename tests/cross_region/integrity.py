"""Integrity: a finding in A (its summary carries a marker) and a finished run in A. Starting a run is for the
caller's own region (it takes no region), so it is "open" here; tests/integrity covers who may start one."""

from . import Endpoint


def _f(w):
    return w.extras["finding_a"].pk


ENDPOINTS = [
    Endpoint("integrity:home", "list", lambda w: "/integrity/?state=open"),
    Endpoint("integrity:finding", "detail", lambda w: f"/integrity/findings/{_f(w)}/"),
    Endpoint(
        "integrity:decide",
        "write",
        lambda w: f"/integrity/findings/{_f(w)}/decide/",
        method="POST",
        body=lambda w: {"state": "confirmed", "reason": "越权"},
        content_type="form",
    ),
    Endpoint("integrity:run_create", "open"),
    # The settings page edits the caller's own region only (it takes no region): B's user sees none of A's rows.
    Endpoint("integrity:settings", "list", lambda w: "/integrity/settings/"),
    Endpoint("integrity:run", "detail", lambda w: f"/integrity/runs/{w.extras['integrity_run_a'].pk}/"),
    Endpoint("shegong_integrity_api_list_findings", "list", lambda w: "/api/v1/findings", api=True),
    Endpoint("shegong_integrity_api_get_finding", "detail", lambda w: f"/api/v1/findings/{_f(w)}", api=True),
    Endpoint(
        "shegong_integrity_api_decide_finding",
        "write",
        lambda w: f"/api/v1/findings/{_f(w)}/decide",
        method="POST",
        api=True,
        body=lambda w: {"state": "confirmed", "reason": "越权"},
    ),
]


def extend(world):
    from django.utils import timezone

    from shegong.integrity.models import Finding, IntegrityRun

    world.extras["finding_a"] = Finding.objects.create(
        region_code=world.regions["village_a1"].code,
        check_code="visits.overlap",
        subject="visit:1|visit:2",
        summary="发现MARKERA",
        evidence=[{"model": "visits.visit", "id": 1, "text": "证据MARKERA"}],
        node=world.station_a,
        assigned_to="station",
        last_found_at=timezone.now(),
    )
    world.extras["integrity_run_a"] = IntegrityRun.objects.create(
        region_code=world.regions["town_a"].code, status="done", current="运行MARKERA"
    )

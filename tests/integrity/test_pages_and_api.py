"""Deciding a finding (states, required reason, who and when, audit), the pages and /api/v1/findings, scoped: a
station head sees its township's findings, the bureau its district's, anyone else nothing (404)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from shegong.accounts.actor import Actor
from shegong.accounts.services import token_create
from shegong.audit.models import AuditEvent
from shegong.core.scoping import get_scoped_or_404
from shegong.integrity.models import Finding, FindingState, IntegrityRun
from shegong.integrity.services import finding_decide, run_checks

from ..factories import DISTRICT, TOWN_A, TOWN_B, make_user
from . import planted


@pytest.fixture
def findings(world):
    planted.build(world, plant=True)
    run_checks()
    return Finding.objects.all()


def head_of(town: str):
    return make_user(("township", town))


def test_deciding_needs_a_reason_and_a_decided_state(world, findings):
    finding = findings.filter(region_code__startswith=TOWN_A[:9]).first()
    actor = Actor.for_user(head_of(TOWN_A))
    with pytest.raises(ValidationError) as error:
        finding_decide(actor=actor, finding=finding, state="confirmed", reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        finding_decide(actor=actor, finding=finding, state="closed", reason="自行关闭")
    assert "state" in error.value.message_dict
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN


@pytest.mark.parametrize("state", ["explained", "confirmed", "false_alarm"])
def test_a_decision_keeps_who_when_why_and_is_audited(world, findings, state):
    finding = findings.filter(region_code__startswith=TOWN_A[:9]).first()
    user = head_of(TOWN_A)
    finding_decide(actor=Actor.for_user(user), finding=finding, state=state, reason="已核实情况")
    finding.refresh_from_db()
    assert (finding.state, finding.decided_by, finding.reason) == (state, user, "已核实情况")
    assert finding.decided_at is not None
    assert AuditEvent.objects.filter(action="integrity.finding.decide", object_id=str(finding.pk)).exists()


def test_a_decided_finding_keeps_its_decision_when_the_problem_goes_away(world, findings):
    from shegong.projects.models import BudgetLine

    finding = findings.get(check_code="project.overspent")
    finding_decide(
        actor=Actor.for_user(head_of(TOWN_A)), finding=finding, state="confirmed", reason="已责令整改"
    )
    BudgetLine.objects.filter(pk=int(finding.subject.split(":")[1])).update(refused_attempts=0)
    run_checks()
    finding.refresh_from_db()
    assert finding.state == FindingState.CONFIRMED and finding.resolved_at is not None


def test_a_finding_is_never_deleted(world, findings):
    count = findings.count()
    with pytest.raises(ValidationError):
        findings.first().delete()
    with pytest.raises(ValidationError), transaction.atomic():
        Finding.objects.filter(check_code="visits.overlap").delete()
    assert Finding.objects.count() == count


def test_a_worker_cannot_decide(world, findings):
    finding = findings.first()
    worker = Actor.for_user(make_user(("worker", TOWN_A)))
    with pytest.raises(PermissionDenied):
        finding_decide(actor=worker, finding=finding, state="confirmed", reason="越权")


def test_the_page_lists_by_check_and_station_and_shows_a_finding(world, findings, login):
    client = login(head_of(TOWN_A))
    page = client.get("/integrity/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "同一社工探访时间重叠" in text and "七星岗社工站" in text
    finding = findings.get(check_code="visits.overlap")
    detail = client.get(f"/integrity/findings/{finding.pk}/")
    assert detail.status_code == 200
    assert f"/visits/{finding.evidence[0]['id']}/" in detail.content.decode()
    # The evidence says what kind of record it is in words, not by its model's code.
    assert "探访记录 #" in detail.content.decode() and "visits.visit" not in detail.content.decode()
    # The trend chart asks app.js for a renderer it has (stacked bars by state).
    assert 'data-chart="bars" data-source="integrity-trend"' in text and '"stack": true' in text
    posted = client.post(f"/integrity/findings/{finding.pk}/decide/", {"state": "explained", "reason": ""})
    assert posted.status_code == 200 and "reason" in posted.context["form"].errors
    posted = client.post(
        f"/integrity/findings/{finding.pk}/decide/", {"state": "explained", "reason": "社工记录时间填错"}
    )
    assert posted.status_code == 302
    finding.refresh_from_db()
    assert finding.state == FindingState.EXPLAINED


def test_filters_narrow_the_list(world, findings, login):
    client = login(make_user(("official", DISTRICT)))
    page = client.get("/integrity/?check=visits.overlap")
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 1


def test_other_township_and_unrelated_users_get_404_and_see_nothing(world, findings, login):
    in_a = findings.filter(region_code__startswith=TOWN_A[:9]).first()
    b_head = head_of(TOWN_B)
    client = login(b_head)
    assert client.get(f"/integrity/findings/{in_a.pk}/").status_code == 404
    response = client.post(f"/integrity/findings/{in_a.pk}/decide/", {"state": "confirmed", "reason": "越权"})
    assert response.status_code == 404
    listing = client.get("/integrity/")
    assert in_a.summary not in listing.content.decode()
    # A worker of town A holds no integrity permission at all.
    assert login(make_user(("worker", TOWN_A))).get("/integrity/").status_code == 403
    in_a.refresh_from_db()
    assert in_a.state == FindingState.OPEN


def test_the_bureau_sees_every_township_of_its_district(world, findings):
    from shegong.core.scoping import activate

    official = Actor.for_user(make_user(("official", DISTRICT)))
    head = Actor.for_user(head_of(TOWN_A))
    with activate(official.scope):
        everything = Finding.objects.count()
    with activate(head.scope):
        mine = Finding.objects.count()
        outside = findings.filter(region_code__startswith=TOWN_B[:9]).first()
        with pytest.raises(Exception):  # noqa: B017 - Http404
            get_scoped_or_404(Finding, pk=outside.pk)
    assert everything == findings.count() and 0 < mine < everything


def test_the_api_lists_details_and_decides_in_scope(world, findings, client):
    user = head_of(TOWN_A)
    _t, token = token_create(actor=Actor.for_user(user), user=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listing = client.get("/api/v1/findings?check=visits.overlap", **auth).json()
    assert listing["count"] == 1
    finding_id = listing["results"][0]["id"]
    assert client.get(f"/api/v1/findings/{finding_id}", **auth).status_code == 200
    bad = client.post(
        f"/api/v1/findings/{finding_id}/decide",
        data=json.dumps({"state": "confirmed", "reason": ""}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code in (400, 422)
    done = client.post(
        f"/api/v1/findings/{finding_id}/decide",
        data=json.dumps({"state": "false_alarm", "reason": "家属代为陪同，时间重叠属实但无问题"}),
        content_type="application/json",
        **auth,
    )
    assert done.status_code == 200 and done.json()["state"] == "false_alarm"
    outside = findings.filter(region_code__startswith=TOWN_B[:9]).first()
    assert client.get(f"/api/v1/findings/{outside.pk}", **auth).status_code == 404


def test_a_full_run_from_the_page_shows_its_progress(world, findings, login):
    client = login(head_of(TOWN_A))
    response = client.post("/integrity/runs/")
    assert response.status_code == 302
    run = IntegrityRun.objects.get()
    assert run.status == "done" and run.done == run.total > 0
    page = client.get(response["Location"])
    assert page.status_code == 200 and "已完成" in page.content.decode()


def test_the_bureau_turns_a_check_off_and_tunes_a_threshold_on_the_settings_page(world, login):
    from shegong.integrity.models import IntegritySetting

    planted.build(world, plant=True)
    client = login(make_user(("official", DISTRICT)))
    settings_page = client.get("/integrity/settings/").content.decode()
    # Thresholds are labelled in words with their unit, not by their keys.
    assert "每日探访次数上限（次）" in settings_page and "两次探访最短间隔（分钟）" in settings_page
    assert ">max_per_day<" not in settings_page and ">grace_days<" not in settings_page
    client.post(
        "/integrity/settings/", {"check": "visits.overlap", "min_gap_minutes": "20"}
    )  # unchecked: off
    bad = client.post(
        "/integrity/settings/", {"check": "visits.daily_ceiling", "enabled": "on", "max_per_day": "-1"}
    )
    assert "每日探访次数上限（次）：阈值须为非负整数" in bad.content.decode()
    client.post(
        "/integrity/settings/", {"check": "visits.daily_ceiling", "enabled": "on", "max_per_day": "20"}
    )
    setting = IntegritySetting.objects.get(region_id=DISTRICT, check_code="visits.daily_ceiling")
    assert setting.enabled and setting.thresholds == {"max_per_day": 20}
    assert AuditEvent.objects.filter(action="integrity.setting.update").count() == 2
    run_checks()
    codes = set(Finding.objects.values_list("check_code", flat=True))
    assert (
        "visits.overlap" not in codes and "visits.daily_ceiling" not in codes and "visits.too_fast" in codes
    )
    assert login(head_of(TOWN_A)).get("/integrity/settings/").status_code == 403


def test_the_list_page_query_count_does_not_grow_with_findings(world, findings, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(make_user(("official", DISTRICT)))
    client.get("/integrity/")
    with CaptureQueriesContext(connection) as few:
        client.get("/integrity/")
    # Many more findings of the same checks and stations: the page asks the same number of questions.
    for finding in Finding.objects.all():
        for n in range(3):
            Finding.objects.create(
                region_code=finding.region_code,
                check_code=finding.check_code,
                subject=f"{finding.subject}#copy{n}",
                summary=finding.summary,
                evidence=finding.evidence,
                node_id=finding.node_id,
                assigned_to=finding.assigned_to,
                last_found_at=finding.last_found_at,
            )
    with CaptureQueriesContext(connection) as many:
        client.get("/integrity/")
    assert len(many) == len(few) <= 30

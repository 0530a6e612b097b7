"""The resident's pages and endpoints: no login, township → community, a tracking code, a status page without
personal data, rating; rate-limited per address, a honeypot, typed input kept on errors."""

import json

import pytest

from shegong.demands import services
from shegong.demands.models import DemandRequest, Status
from tests.factories import VILLAGE_A1, VILLAGE_B1

from .helpers import actor, item

pytestmark = pytest.mark.django_db

FORM = {
    "description": "家里老人行动不便，想申请助餐送餐",
    "township": "500103001000",
    "region": VILLAGE_A1,
    "requester_name": "王阿姨",
    "requester_phone": "13800138000",
    "address": "金汤街 8 号 3 单元",
    "consent_contact": "on",
}


def test_a_resident_submits_without_login_and_follows_by_code(world, client):
    page = client.get("/public/requests/new/")
    assert page.status_code == 200 and "七星岗街道" in page.content.decode()
    response = client.post("/public/requests/new/", FORM)
    assert response.status_code == 302
    req = DemandRequest.objects.get()
    assert response["Location"] == f"/public/requests/{req.tracking_code}/"
    assert (req.channel, req.status, req.region_code) == ("online", Status.NEW, VILLAGE_A1)
    track = client.get(response["Location"]).content.decode()
    assert req.tracking_code in track and "金汤街社区" in track
    for personal in ("王阿姨", "13800138000", "138", "8000", "金汤街 8 号", "助餐送餐"):
        assert personal not in track


def test_errors_name_the_field_and_keep_what_was_typed(world, client):
    response = client.post(
        "/public/requests/new/", {**FORM, "requester_phone": "12345", "consent_contact": ""}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请勾选同意" in body and "格式不正确" in body
    assert "家里老人行动不便，想申请助餐送餐" in body and "王阿姨" in body and "金汤街 8 号 3 单元" in body
    assert f'value="{VILLAGE_A1}" selected' in body
    assert not DemandRequest.objects.exists()


def test_the_honeypot_stores_nothing(world, client):
    response = client.post("/public/requests/new/", {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not DemandRequest.objects.exists()


def test_links_in_the_text_are_refused(world, client):
    response = client.post("/public/requests/new/", {**FORM, "description": "便宜贷款 www.example.com 速来"})
    assert response.status_code == 422 and not DemandRequest.objects.exists()


def test_submissions_are_rate_limited_per_address(world, client, settings):
    settings.SHEGONG_PUBLIC_REQUEST_LIMIT = (2, 5)
    for _ in range(2):
        assert client.post("/public/requests/new/", FORM, REMOTE_ADDR="10.1.1.1").status_code == 302
    blocked = client.post("/public/requests/new/", FORM, REMOTE_ADDR="10.1.1.1")
    assert blocked.status_code == 429 and "提交过于频繁" in blocked.content.decode()
    assert "家里老人行动不便" in blocked.content.decode()  # kept
    assert client.post("/public/requests/new/", FORM, REMOTE_ADDR="10.1.1.2").status_code == 302
    assert DemandRequest.objects.count() == 3
    assert not DemandRequest.objects.filter(source_hash__contains="10.1").exists()  # never the address itself


def test_an_unknown_code_is_404_and_reveals_nothing(world, client):
    assert client.get("/public/requests/ZZZZZZZZZZ/").status_code == 404
    assert client.get("/api/v1/public/requests/ZZZZZZZZZZ").status_code == 404


def test_the_resident_rates_through_the_tracking_page(world, client):
    desk = actor("worker")
    req = services.request_submit_public(data={**FORM, "consent_contact": True}, address="10.2.2.2")
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
    )
    services.request_accept(actor=desk, req=req)
    services.request_resolve(actor=desk, req=req, resolution="王阿姨家已安排送餐")
    page = client.get(f"/public/requests/{req.tracking_code}/").content.decode()
    assert "请为这次服务评价" in page and "王阿姨" not in page
    assert client.post(f"/public/requests/{req.tracking_code}/", {"rating": "9"}).status_code == 422
    client.post(f"/public/requests/{req.tracking_code}/", {"rating": "2", "comment": "没人来"})
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED and req.reopened


def test_public_api_submission_and_tracking(world, client, settings):
    settings.SHEGONG_PUBLIC_REQUEST_LIMIT = (1, 5)
    body = {
        "description": "需要法律咨询，劳动合同纠纷",
        "region": VILLAGE_B1,
        "requester_phone": "13900139000",
        "requester_name": "李先生",
        "consent_contact": True,
    }
    created = client.post("/api/v1/public/requests", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert data["status"] == "new" and data["community"] == "民族路社区"
    assert "李先生" not in created.content.decode() and "13900139000" not in created.content.decode()
    again = client.post("/api/v1/public/requests", json.dumps(body), content_type="application/json")
    assert again.status_code == 429 and again.json()["code"] == "rate_limited"
    bad = client.post(
        "/api/v1/public/requests",
        json.dumps({**body, "region": "123"}),
        content_type="application/json",
        REMOTE_ADDR="10.9.9.9",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "region"
    tracked = client.get(f"/api/v1/public/requests/{data['tracking_code']}")
    assert tracked.status_code == 200 and [s["step"] for s in tracked.json()["steps"]] == ["received"]

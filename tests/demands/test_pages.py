"""The desk's and the receiver's pages and the API: dispatch, hand back, resolve, callback rating; errors keep what
was typed; the board's query count does not grow with its rows; the demand list and its export."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from shegong.demands.models import DemandRequest, Status
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, login_client, make_user

from .helpers import item, public_request, worker_for

pytestmark = pytest.mark.django_db


def test_desk_takes_a_phone_request_and_keeps_typed_input_on_error(world, client):
    login_client(client, make_user("worker", region_code=TOWN_A))
    bad = client.post(
        "/demands/new/",
        {"channel": "phone", "description": "需要助餐服务", "region": "", "requester_phone": "999"},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "需要助餐服务" in body and "999" in body
    assert not DemandRequest.objects.exists()
    ok = client.post(
        "/demands/new/",
        {
            "channel": "phone",
            "description": "需要助餐服务",
            "region": VILLAGE_A1,
            "requester_phone": "13800138000",
            "consent_contact": "on",
        },
    )
    req = DemandRequest.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/demands/{req.pk}/"
    assert (req.channel, req.reported_by_id is not None) == ("phone", True)


def test_dispatch_return_and_resolve_through_the_pages(world, client):
    desk_user = make_user("worker", region_code=TOWN_A)
    worker_user = make_user("worker", region_code=TOWN_A)
    worker = worker_for(worker_user, world.regions["town_a"])
    req = public_request("楼下一直有燃气味")
    login_client(client, desk_user)
    page = client.get(f"/demands/{req.pk}/").content.decode()
    assert "社区安全隐患" in page  # suggested from the words
    assert "13800138000" not in page and "138****8000" in page
    missing = client.post(
        f"/demands/{req.pk}/dispatch/",
        {"item": str(item("governance.hazard").pk), "urgency": "urgent", "receiver": ""},
    )
    assert missing.status_code == 422 and "请选择" in missing.content.decode()
    done = client.post(
        f"/demands/{req.pk}/dispatch/",
        {"item": str(item("governance.hazard").pk), "urgency": "urgent", "receiver": f"worker:{worker.pk}"},
    )
    assert done.status_code == 302
    client.logout()
    login_client(client, worker_user)
    assert req.tracking_code in client.get("/demands/mine/").content.decode()
    empty = client.post(f"/demands/{req.pk}/return/", {"reason": ""})
    assert empty.status_code == 422 and "原因" in empty.content.decode()
    client.post(f"/demands/{req.pk}/return/", {"reason": "不在我的片区"})
    req.refresh_from_db()
    assert req.status == Status.RETURNED
    login_client(client, desk_user)
    board = client.get("/demands/?tab=returned").content.decode()
    assert req.tracking_code in board
    client.post(
        f"/demands/{req.pk}/dispatch/",
        {
            "item": str(item("governance.hazard").pk),
            "urgency": "urgent",
            "receiver": f"station:{world.station_a.pk}",
        },
    )
    client.post(f"/demands/{req.pk}/accept/")
    client.post(f"/demands/{req.pk}/resolve/", {"resolution": "燃气公司已上门检修"})
    client.post(f"/demands/{req.pk}/rate/", {"rating": "5", "comment": "电话回访满意"})
    req.refresh_from_db()
    assert (req.status, req.rating) == (Status.CLOSED, 5)


def test_revealing_the_phone_needs_a_reason_and_is_audited(world, client):
    from shegong.audit.models import AuditEvent

    req = public_request()
    login_client(client, make_user("worker", region_code=TOWN_A))
    shown = client.post(f"/demands/{req.pk}/reveal/", {"reason": "电话回访"})
    assert shown.status_code == 200 and "13800138000" in shown.content.decode()
    assert AuditEvent.objects.filter(action="reveal", object_id=str(req.pk)).exists()


def test_the_board_query_count_does_not_grow_with_rows(world, client):
    login_client(client, make_user("worker", region_code=TOWN_A))
    public_request()
    client.get("/demands/?tab=new")  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        assert client.get("/demands/?tab=new").status_code == 200
    for n in range(8):
        public_request(address=f"10.0.1.{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/demands/?tab=new")
    assert len(many) == len(few)


def test_the_desk_opens_on_the_tab_its_badge_counts(world, client):
    """The menu badge counts requests new or handed back; with none new, the desk opens on the handed-back ones
    instead of an empty "new" tab."""
    req = public_request()
    DemandRequest.objects.filter(pk=req.pk).update(status=Status.RETURNED)
    login_client(client, make_user("worker", region_code=TOWN_A))
    response = client.get("/demands/")
    assert response.context["tab"] == "returned" and req.tracking_code in response.content.decode()
    assert client.get("/demands/?tab=new").context["tab"] == "new"
    public_request(address="10.0.2.1")
    assert client.get("/demands/").context["tab"] == "new"


def test_demand_list_page_and_export(world, client):
    req = public_request()
    from shegong.accounts.actor import Actor
    from shegong.demands import services

    desk = Actor.for_user(make_user("worker", region_code=TOWN_A))
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="station", receiver=world.station_a
    )
    login_client(client, make_user("official", region_code=DISTRICT))
    page = client.get("/demands/demand-list/?since=2000-01-01").content.decode()
    assert "助餐配餐" in page and "养老服务" in page
    export = client.get("/demands/demand-list/export/?since=2000-01-01")
    assert export.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert any("助餐配餐" in [str(c) for c in row] for row in rows)
    assert not any("13800138000" in str(c) for row in rows for c in row)


def test_api_flow_and_errors(world, client):
    worker_user = make_user("worker", region_code=TOWN_A)
    login_client(client, worker_user)
    created = client.post(
        "/api/v1/demands",
        json.dumps(
            {
                "channel": "phone",
                "description": "需要陪同就医",
                "region": VILLAGE_A1,
                "requester_phone": "13800138000",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["requester_phone"] == "138****8000"
    pk = created.json()["id"]
    bad = client.post(
        f"/api/v1/demands/{pk}/dispatch",
        json.dumps(
            {
                "item": item("legal.aid").pk,
                "urgency": "complex",
                "receiver_kind": "team",
                "receiver": world.station_a.pk,
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    ok = client.post(
        f"/api/v1/demands/{pk}/dispatch",
        json.dumps(
            {
                "item": item("elderly.escort").pk,
                "urgency": "general",
                "receiver_kind": "station",
                "receiver": world.station_a.pk,
            }
        ),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dispatched"
    wrong = client.post(
        f"/api/v1/demands/{pk}/resolve", json.dumps({"resolution": "好了"}), content_type="application/json"
    )
    assert wrong.status_code == 422  # not accepted yet
    assert client.post(f"/api/v1/demands/{pk}/accept").json()["status"] == "accepted"
    catalogue = client.get("/api/v1/catalogue").json()
    assert len(catalogue) == 45
    summary = client.get("/api/v1/demands/summary?since=2000-01-01&until=2100-01-01").json()
    assert summary[0]["item"] == "陪同就医" and summary[0]["open"] == 1


def test_the_workers_today_list_shows_requests_dispatched_to_it(world, client):
    from shegong.accounts.actor import Actor
    from shegong.demands import services

    worker_user = make_user("worker", region_code=TOWN_A)
    worker = worker_for(worker_user, world.regions["town_a"])
    req = public_request()
    desk = Actor.for_user(make_user("worker", region_code=TOWN_A))
    services.request_dispatch(
        actor=desk, req=req, item=item(), urgency="general", kind="worker", receiver=worker
    )
    login_client(client, worker_user)
    page = client.get("/visits/worklist/").content.decode()
    assert "派给我的诉求" in page and f"/demands/{req.pk}/" in page


def test_an_official_sets_the_regions_deadlines_and_holidays_on_the_catalogue_page(world, client):
    import datetime

    from shegong.demands import policy as rules

    login_client(client, make_user("official", region_code=DISTRICT))
    page = client.get(f"/demands/catalogue/?region={DISTRICT}").content.decode()
    assert "起点" in page and "一般诉求接单时限" in page
    client.post(f"/demands/catalogue/rules/?region={DISTRICT}", {"accept_general_hours": "4"})
    assert rules.policy_for(VILLAGE_A1).accept_general_hours == 4
    bad = client.post(
        f"/demands/catalogue/rules/?region={DISTRICT}", {"accept_general_hours": "x"}, follow=True
    )
    assert "请填写整数" in bad.content.decode()
    client.post(f"/demands/catalogue/rules/?region={DISTRICT}", {"day": "2026-12-07", "name": "区级调休"})
    assert datetime.date(2026, 12, 7) in rules.calendar_for(VILLAGE_A1).days_off
    client.post(f"/demands/catalogue/?region={DISTRICT}")  # the region's own copy
    edit = item("elderly.meals", DISTRICT)
    response = client.post(
        f"/demands/catalogue/{edit.pk}/",
        {
            "domain": edit.domain_id,
            "name": "助餐送餐",
            "receivers": ["station"],
            "default_urgency": "general",
            "active": "",
        },
    )
    assert response.status_code == 302
    edit.refresh_from_db()
    assert (edit.name, edit.active) == ("助餐送餐", False)
    assert "助餐送餐" not in [
        i.name for i in __import__("shegong.demands.catalogue").demands.catalogue.items_for(VILLAGE_A1)
    ]

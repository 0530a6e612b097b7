"""Done means, in Chromium: a resident on a phone-sized window submits a request without logging in and gets a
tracking code; the desk dispatches it to a worker, who hands it back once with a reason; the desk dispatches it to
an organisation, which resolves it; the resident rates it 2 and it reopens; the tracking page never shows a name
or a phone. Screenshots of the demands pages at phone and desktop size go to /tmp/shots-e15/.
"""

import re
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped

from ..factories import DISTRICT, PASSWORD, TOWN_A, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-e15")
NAME, PHONE_NUMBER = "王秀兰", "13812345678"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def _private(page):
    body = page.content()
    assert NAME not in body and PHONE_NUMBER not in body and "5678" not in body


def _setup():
    from tests.people.helpers import make_worker

    with unscoped():
        world = build_world()
        make_user(("worker", TOWN_A), username="qiantai")
        worker_user = make_user(("worker", TOWN_A), username="xiaowang")
        worker = make_worker(world.regions["town_a"], name="王小社", user=worker_user)
        make_user(("operator", TOWN_A), username="jigou_a", organisation=world.org_a)
        make_user(("official", DISTRICT), username="kezhang")
    return world, worker


def _act(page, base, user):
    page.context.clear_cookies()
    ui_login(page, base, user, PASSWORD)


def test_a_request_from_the_public_page_to_a_reopening(live_server, page_factory):
    from shegong.demands.models import DemandRequest, Status

    world, worker = _setup()
    base = live_server.url
    resident = page_factory(viewport=PHONE)
    resident.goto(f"{base}/public/requests/new/")
    _shot(resident, "public-new")
    resident.fill("#id_description", "我母亲腿脚不便，想申请助餐送餐")
    resident.select_option("#id_township", TOWN_A)
    resident.wait_for_function("document.querySelectorAll('#id_region option').length > 1")
    resident.select_option("#id_region", label="金汤街社区")
    resident.fill("#id_requester_name", NAME)
    resident.fill("#id_requester_phone", "12345")  # a typo first: the error names the field, the text stays
    with resident.expect_navigation():
        resident.click("button[type=submit].primary")
    assert "格式不正确" in resident.content() or "请勾选" in resident.content()
    assert resident.input_value("#id_description") == "我母亲腿脚不便，想申请助餐送餐"
    _shot(resident, "public-error")
    resident.fill("#id_requester_phone", PHONE_NUMBER)
    resident.check("#id_consent_contact")
    with resident.expect_navigation():
        resident.click("button[type=submit].primary")
    resident.wait_for_url(re.compile(r"/public/requests/[A-Z0-9]{10}/$"))
    code = resident.inner_text("#tracking-code")
    _private(resident)
    _shot(resident, "public-track")
    with unscoped():
        req = DemandRequest.objects.get(tracking_code=code)

    desk = page_factory(viewport=DESKTOP)
    _act(desk, base, "qiantai")
    desk.goto(f"{base}/demands/")
    assert code in desk.content()
    _shot(desk, "board")
    desk.goto(f"{base}/demands/{req.pk}/")
    assert "助餐配餐" in desk.inner_text("#steps")  # suggested and preselected
    desk.select_option("#id_receiver", f"worker:{worker.pk}")
    _shot(desk, "detail-desk")
    with desk.expect_navigation():
        desk.click("#dispatch-form button[type=submit]")
    assert "待接单" in desk.inner_text("#status")

    field = page_factory(viewport=PHONE)
    _act(field, base, "xiaowang")
    field.goto(f"{base}/demands/mine/")
    assert code in field.content()
    _shot(field, "mine")
    field.click(f"text={code}")
    field.click("#return summary")
    field.fill("#return textarea[name=reason]", "不在我负责的片区")
    with field.expect_navigation():
        field.click("#return button[type=submit]")
    assert "已退单" in field.inner_text("#status")

    desk.goto(f"{base}/demands/?tab=returned")
    assert code in desk.content()
    desk.goto(f"{base}/demands/{req.pk}/")
    desk.select_option("#id_receiver", f"organisation:{world.org_a.pk}")
    with desk.expect_navigation():
        desk.click("#dispatch-form button[type=submit]")

    operator = page_factory(viewport=PHONE)
    _act(operator, base, "jigou_a")
    operator.goto(f"{base}/demands/{req.pk}/")
    with operator.expect_navigation():
        operator.click("#accept")
    operator.fill("#resolve-form textarea[name=resolution]", "已安排老年食堂每日送餐上门")
    _shot(operator, "detail-receiver")
    with operator.expect_navigation():
        operator.click("#resolve-form button[type=submit]")
    assert "已办结" in operator.inner_text("#status")

    resident.goto(f"{base}/public/requests/{code}/")
    _private(resident)
    resident.check("#rating-form input[value='2']")
    resident.fill("#rating-form textarea[name=comment]", "饭送来是凉的")
    _shot(resident, "public-rate")
    with resident.expect_navigation():
        resident.click("#rating-form button[type=submit]")
    assert "已接单" in resident.inner_text("#public-status")
    assert "重新办理" in resident.content()
    _private(resident)
    with unscoped():
        req.refresh_from_db()
    assert req.status == Status.ACCEPTED and req.reopened and req.returns == 1
    assert req.organisation_id == world.org_a.pk

    official = page_factory(viewport=DESKTOP)
    _act(official, base, "kezhang")
    for viewport in (PHONE, DESKTOP):
        official.set_viewport_size(viewport)
        official.goto(f"{base}/demands/demand-list/?since=2000-01-01")
        assert "助餐配餐" in official.content()
        _shot(official, "demand-list")
        official.goto(f"{base}/demands/catalogue/")
        _shot(official, "catalogue")
    desk.set_viewport_size(PHONE)
    desk.goto(f"{base}/demands/?tab=open")
    _shot(desk, "board")
    desk.goto(f"{base}/demands/{req.pk}/")
    _shot(desk, "detail-desk")
    resident.set_viewport_size(DESKTOP)
    resident.goto(f"{base}/public/requests/new/")
    _shot(resident, "public-new")
    resident.goto(f"{base}/public/requests/{code}/")
    _shot(resident, "public-track")

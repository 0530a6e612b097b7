"""In Chromium at phone size: the visit form keeps the chosen photo through an error, fills the location from the
device once consent is ticked, and only the recipient's assigned worker can call it (an audited reveal).

Screenshots of the visit form and the hours page, at phone and desktop size, go to /tmp/shots/visitform/.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped

from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots/visitform")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    + b"\x00" * 32
)
PHONE_NUMBER = "13812345678"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def _setup():
    from tests.people.helpers import make_worker
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        user = make_user(("worker", TOWN_A), username="xiaowang")
        worker = make_worker(world.regions["town_a"], name="王小社", user=user)
        colleague = make_user(("worker", TOWN_A), username="xiaoli")
        make_worker(world.regions["town_a"], name="李同事", user=colleague)
        recipient = make_recipient(VILLAGE_A1, name="刘奶奶", worker=worker, phone=PHONE_NUMBER)
    return world, recipient


def test_the_visit_form_keeps_the_photo_and_fills_the_location(live_server, page_factory, tmp_path):
    from shegong.visits.models import Visit

    _world, recipient = _setup()
    photo = tmp_path / "门口.png"
    photo.write_bytes(PNG)
    for viewport in (PHONE, DESKTOP):
        page = page_factory(
            viewport=viewport,
            permissions=["geolocation"],
            geolocation={"latitude": 29.5575, "longitude": 106.5774},
        )
        ui_login(page, live_server.url, "xiaowang", PASSWORD)
        page.goto(f"{live_server.url}/visits/new/{recipient.pk}/")
        _shot(page, "visit-form")
        locate = page.locator("#use-location")
        assert locate.is_visible() and locate.is_disabled()
        page.check("#id_location_consent")
        assert locate.is_enabled()
        locate.click()
        page.wait_for_function("document.getElementById('id_location').value !== ''")
        assert page.input_value("#id_location") == "29.557500,106.577400"
        # An error elsewhere: the visit time is cleared.
        page.fill("#id_visited_at", "")
        page.set_input_files("#id_photos", str(photo))
        with page.expect_navigation():
            page.click("button[type=submit].primary")
        summary = page.locator("#error-summary")
        assert summary.is_visible()
        assert summary.locator('a[href="#id_visited_at"]').count() == 1
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert "已保留" in summary.inner_text()
        held = page.locator("#held-photos input[name=keep_photo]")
        assert held.count() == 1 and held.is_checked()
        assert "门口.png" in page.locator("#held-photos").inner_text()
        assert page.input_value("#id_location") == "29.557500,106.577400"
        _shot(page, "visit-form-error")
        summary.locator('a[href="#id_visited_at"]').click()
        page.fill("#id_visited_at", datetime.datetime.now().strftime("%Y-%m-%dT%H:%M"))
        with page.expect_navigation():
            page.click("button[type=submit].primary")
        assert "已记录" in page.content()
    with unscoped():
        visits = list(Visit.objects.filter(recipient=recipient))
        assert len(visits) == 2
        assert all(v.photos.count() == 1 and v.location == "29.557500,106.577400" for v in visits)


def test_only_the_assigned_worker_can_tap_to_call(live_server, page_factory):
    from shegong.audit.models import AuditEvent
    from shegong.visits.services import CALL_REASON

    _world, recipient = _setup()
    page = page_factory(viewport=PHONE)
    ui_login(page, live_server.url, "xiaowang", PASSWORD)
    page.goto(f"{live_server.url}/visits/new/{recipient.pk}/")
    assert PHONE_NUMBER not in page.content()
    dialled = []
    page.on("request", lambda r: dialled.append(r.url) if r.url.startswith("tel:") else None)
    page.click("#call-button")
    link = page.locator("#call-link")
    link.wait_for()
    assert link.get_attribute("href") == f"tel:{PHONE_NUMBER}"
    assert page.inner_text("#call-number") == PHONE_NUMBER  # the masked number became the link to dial
    _shot(page, "visit-form-called")
    with unscoped():
        assert list(AuditEvent.objects.filter(action="reveal").values_list("reason", flat=True)) == [
            CALL_REASON
        ]

    other = page_factory(viewport=PHONE)
    ui_login(other, live_server.url, "xiaoli", PASSWORD)
    other.goto(f"{live_server.url}/visits/new/{recipient.pk}/")
    assert other.locator("#call-button").count() == 0
    token = other.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value")
    status = other.evaluate(
        """async ([url, token]) => (await fetch(url, {method: "POST", headers: {"X-CSRFToken": token,
        "Accept": "application/json"}})).status""",
        [f"/visits/call/{recipient.pk}/", token],
    )
    assert status == 404
    with unscoped():
        assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_hours_page_shows_the_waiting_badge_and_confirms_all(live_server, page_factory):
    from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerTeam

    with unscoped():
        world = build_world()
        make_user(("worker", TOWN_A), username="xiaowang")
        team = VolunteerTeam.objects.create(
            region=world.regions["town_a"], name="七星岗志愿服务总队", level="corps"
        )
        volunteer = Volunteer.objects.create(
            region=world.regions["village_a1"], name="周志愿", phone="13800000001", team=team
        )
        for i in range(3):
            VolunteerHours.objects.create(
                volunteer=volunteer,
                team=team,
                served_on=datetime.date.today() - datetime.timedelta(days=i + 1),
                hours=Decimal("2.5"),
                description=f"陪伴独居老人聊天、读报第{i + 1}次",
            )
    for n, viewport in enumerate((DESKTOP, PHONE)):
        page = page_factory(viewport=viewport)
        ui_login(page, live_server.url, "xiaowang", PASSWORD)
        page.goto(f"{live_server.url}/people/hours/")
        if n == 1:
            assert page.locator(".menu-toggle .nav-badge").inner_text() == "3"
            badge = page.locator("#main-nav .nav-badge")
            assert badge.inner_text() == "3"
            _shot(page, "hours")
            page.click(".menu-toggle")
            _shot(page, "hours-menu")
            with page.expect_navigation():
                page.click("#confirm-all button")
            assert "已确认 3 条" in page.content()
            assert page.locator("#main-nav .nav-badge").count() == 0
            _shot(page, "hours-after")
        else:
            _shot(page, "hours")
    with unscoped():
        assert not VolunteerHours.objects.filter(status=HoursStatus.LOGGED).exists()

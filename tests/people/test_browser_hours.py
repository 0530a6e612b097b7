"""A volunteer logs hours on a phone-sized Chromium window; a worker confirms; the team total changes."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped
from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerTeam

from ..browser.support import DESKTOP, PHONE, ui_login
from ..factories import PASSWORD, build_world, make_user
from .helpers import make_worker, valid_id

SHOTS = Path("/tmp/shots-people")


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_volunteer_logs_hours_on_a_phone_and_a_worker_confirms(live_server, page_factory):
    with unscoped():
        world = build_world()
        team = VolunteerTeam.objects.create(
            region=world.regions["town_a"], name="七星岗志愿服务总队", level="corps"
        )
        squad = VolunteerTeam.objects.create(
            region=world.regions["village_a1"], name="金汤街小队", level="squad", parent=team
        )
        volunteer_user = make_user("volunteer", username="vol", display_name="志愿者 小周")
        worker_user = make_user("worker", username="sg", display_name="社工 小李")
        worker = make_worker(world.regions["town_a"], name="李社工", user=worker_user)
        Volunteer.objects.create(
            region=world.regions["village_a1"],
            name="周志愿",
            phone="13800000001",
            id_number=valid_id(seq=5),
            team=squad,
            recruited_by=worker,
            user=volunteer_user,
        )
    base = live_server.url

    phone = page_factory(PHONE)
    ui_login(phone, base, "vol", PASSWORD)
    phone.goto(f"{base}/people/hours/mine/")
    served = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    phone.fill("input[name=served_on]", served)
    phone.fill("input[name=hours]", "2.5")
    phone.fill("input[name=description]", "陪伴独居老人")
    _shot(phone, "my-hours-phone")
    # the form fits the phone: no sideways scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.click("#log-hours button[type=submit]")
    phone.wait_for_selector("text=已提交，等待社工确认")
    assert phone.inner_text("#my-pending") == "2.5"
    assert "陪伴独居老人" in phone.inner_text("#my-entries")

    desk = page_factory(DESKTOP)
    ui_login(desk, base, "sg", PASSWORD)
    desk.goto(f"{base}/people/teams/{team.pk}/")
    assert desk.inner_text("#team-total").strip() in ("0", "0.0")
    desk.goto(f"{base}/people/hours/")
    _shot(desk, "hours-queue-desktop")
    desk.click("#hours-table button.primary")
    desk.wait_for_selector("text=已确认 周志愿 的 2.5 小时")
    desk.goto(f"{base}/people/teams/{team.pk}/")
    assert desk.inner_text("#team-total").strip() == "2.5"
    with unscoped():
        entry = VolunteerHours.objects.get()
        assert entry.status == HoursStatus.CONFIRMED and entry.hours == Decimal("2.5")

    phone.goto(f"{base}/people/hours/mine/")
    assert phone.inner_text("#my-confirmed") == "2.5"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_screenshots_of_the_main_pages(live_server, page_factory):
    from shegong.people.models import WorkerAssignment

    with unscoped():
        world = build_world()
        for seq in range(1, 4):
            worker = make_worker(
                world.regions["town_a"],
                name=f"社工{seq}号",
                seq=seq,
                certificate="social_worker" if seq == 1 else "none",
                certificate_number="2020035012345" if seq == 1 else "",
            )
            WorkerAssignment.objects.create(
                worker=worker,
                node=world.station_a,
                start_date=datetime.date.today() - datetime.timedelta(days=5 * seq),
            )
    base = live_server.url
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = page_factory(viewport)
        ui_login(page, base, "official", PASSWORD)
        for path, name in (
            ("/people/workers/", "workers"),
            (f"/people/stations/{world.station_a.pk}/", "station"),
            ("/orgs/", "orgs"),
            ("/people/volunteers/signup/", "signup"),
        ):
            page.goto(base + path)
            _shot(page, f"{name}-{suffix}")
            if viewport is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, path

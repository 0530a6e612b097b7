"""In Chromium at phone size: a worker ticks a group's attendance (one big checkbox per member) and records an
activity with a volunteer, each in a few taps, and the station page counts both at once.

Screenshots (phone and desktop) go to /tmp/shots-d14/.
"""

import datetime
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped

from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-d14")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def _setup():
    from shegong.accounts.actor import SystemActor
    from shegong.groups import services
    from shegong.people.models import SocialWorker, Volunteer
    from tests.recipients.helpers import make_recipient

    with unscoped():
        world = build_world()
        make_user(("worker", TOWN_A), username="xiaowang")
        make_user(("township", TOWN_A), username="zhanzhang")
        leader = SocialWorker.objects.create(region=world.regions["town_a"], name="王小社")
        start = datetime.date.today() - datetime.timedelta(days=30)
        group = services.group_create(
            actor=SystemActor(),
            data={
                "node": world.station_a,
                "name": "独居长者互助小组",
                "kind": "support",
                "purpose": "减少独居长者的孤独感",
                "leader": leader,
                "planned_sessions": 6,
                "starts_on": start,
            },
        )
        names = ["刘奶奶", "陈爷爷", "周阿姨", "吴伯伯"]
        members = [
            services.member_add(
                actor=SystemActor(),
                group=group,
                recipient=make_recipient(VILLAGE_A1, name=n),
                joined_on=start,
            )
            for n in names[:3]
        ]
        members.append(services.member_add(actor=SystemActor(), group=group, name=names[3], joined_on=start))
        Volunteer.objects.create(region=world.regions["village_a1"], name="赵敏", phone="13712345678")
    return world, group, members


def test_tick_attendance_and_record_an_activity_on_a_phone(live_server, page_factory):
    from shegong.activities.models import Activity
    from shegong.groups.models import Attendance, GroupSession
    from shegong.people.models import VolunteerHours

    world, group, members = _setup()
    page = page_factory(viewport=PHONE)
    ui_login(page, live_server.url, "xiaowang", PASSWORD)

    # Group attendance: open the group, tap "record", tick three of four, forget the content → kept; fix → saved.
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    with page.expect_navigation():
        page.click("#record-session")
    boxes = page.locator(".attend-list input[type=checkbox]")
    assert boxes.count() == 4
    box = boxes.first.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a thumb-sized target
    for label in ("刘奶奶", "陈爷爷", "吴伯伯"):
        page.get_by_label(label).check()
    assert "3 / 4" in page.inner_text("#attend-count")
    page.fill("#id_place", "三楼活动室")
    _shot(page, "session-form")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#id_place") == "三楼活动室"
    assert page.get_by_label("陈爷爷").is_checked() and not page.get_by_label("周阿姨").is_checked()
    _shot(page, "session-form-error")
    page.fill("#id_content", "分享近况，学习放松技巧")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url.endswith(f"/groups/{group.pk}/")
    assert page.locator("#attendance-grid").is_visible()
    _shot(page, "group-detail")
    with unscoped():
        session = GroupSession.objects.get(group=group)
        assert sorted(
            Attendance.objects.filter(session=session, present=True).values_list("member_id", flat=True)
        ) == sorted([members[0].pk, members[1].pk, members[3].pk])

    # An activity: tap "record", (one node in reach is picked for the worker), fill a few fields, one volunteer.
    page.goto(f"{live_server.url}/activities/")
    with page.expect_navigation():
        page.click("#record-activity")
    if page.locator("#node-choices").count():
        with page.expect_navigation():
            page.click(f"#node-choices a[href='?node={world.station_a.pk}']")
    page.fill("#id_title", "中秋邻里游园会")
    page.select_option("#id_kind", "festival")
    page.select_option("#id_volunteer_0", label="赵敏")
    page.fill("#id_hours_0", "2")
    _shot(page, "activity-form")
    with page.expect_navigation():
        page.click("button[type=submit].primary")  # the head count is missing
    assert "请填写参与人数" in page.inner_text("#error-summary")
    assert page.input_value("#id_title") == "中秋邻里游园会" and page.input_value("#id_hours_0") == "2"
    _shot(page, "activity-form-error")
    page.fill("#id_participants", "60")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert "/activities/new/" not in page.url
    assert page.inner_text("#participants") == "60"
    _shot(page, "activity-detail")
    with unscoped():
        activity = Activity.objects.get()
        assert VolunteerHours.objects.get(activity=activity).status == "logged"

    # The station head's page counts both this month.
    head = page_factory(viewport=PHONE)
    ui_login(head, live_server.url, "zhanzhang", PASSWORD)
    head.goto(f"{live_server.url}/dashboards/station/")
    assert head.inner_text("#kpi-sessions .kpi-value").strip() == "1"
    assert head.inner_text("#kpi-activities .kpi-value").strip() == "1"
    assert head.inner_text("#kpi-served .kpi-value").strip() == "2"  # the resident is not in the registry
    head.wait_for_selector("#service-work .chart[data-rendered='1']")
    _shot(head, "station")
    desk = page_factory(viewport=DESKTOP)
    ui_login(desk, live_server.url, "zhanzhang", PASSWORD)
    for path, name in (
        ("/dashboards/station/", "station"),
        (f"/groups/{group.pk}/", "group-detail"),
        ("/groups/", "groups"),
        ("/activities/", "activities"),
        (f"/groups/{group.pk}/sessions/new/", "session-form"),
        (f"/activities/new/?node={world.station_a.pk}", "activity-form"),
    ):
        desk.goto(f"{live_server.url}{path}")
        _shot(desk, name)

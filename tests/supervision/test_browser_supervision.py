"""A supervisor records a session on a phone; the station head sees the lists and charts on a desktop."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shegong.core.scoping import unscoped
from shegong.network.models import Demonstration, StationStage
from shegong.people.models import SupervisionAssignment, Supervisor, WorkerAssignment
from shegong.supervision.models import Course, Enrolment, Expert, Question, ReferenceProject

from ..browser.support import DESKTOP, PHONE, ui_login
from ..factories import PASSWORD, build_world, make_user
from ..people.helpers import make_worker

SHOTS = Path("/tmp/shots-h17")


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_supervision_pages_on_phone_and_desktop(live_server, page_factory):
    today = datetime.date.today()
    with unscoped():
        world = build_world()
        import importlib

        from django.apps import apps

        importlib.import_module("shegong.supervision.migrations.0002_topics").load(apps, None)
        town = world.regions["town_a"]
        sup_user = make_user("supervisor", username="dd", display_name="督导 周老师")
        make_user("township", username="zz", display_name="站长 陈")
        supervisor = Supervisor.objects.create(
            region=town, name="周老师", level="senior", user=sup_user, lecturer=True
        )
        workers = []
        for seq, name in enumerate(["王小红", "李明", "张华"], start=1):
            worker = make_worker(town, name=name, seq=seq)
            WorkerAssignment.objects.create(
                worker=worker,
                node=world.station_a,
                start_date=today - datetime.timedelta(days=300),
                posting="resident",
            )
            workers.append(worker)
        SupervisionAssignment.objects.create(
            supervisor=supervisor, node=world.station_a, start_date=today - datetime.timedelta(days=60)
        )
        start = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=3))
        course = Course.objects.create(
            region=town,
            title="个案管理与服务计划制定",
            kind="continuing",
            layer="front_line",
            organiser="区民政局",
            starts_on=start,
            ends_on=start,
            hours=Decimal("12"),
            place="指导中心培训室",
        )
        course.lecturers.set([supervisor])
        for worker in workers:
            Enrolment.objects.create(course=course, worker=worker)
        Question.objects.create(
            region=town,
            title="独居老人不愿开门，如何开展首次探访？",
            answer="先请网格员陪同。",
            tags=["老年"],
        )
        Expert.objects.create(
            region=town, name="陈教授", field="老年社会工作", organisation="重庆大学", phone="13800001234"
        )
        ReferenceProject.objects.create(
            region=town, title="“时间银行”互助养老", summary="低龄老人服务高龄老人", year=2025
        )
        StationStage.objects.create(
            node=world.station_a, stage="covered", reached_on=datetime.date(2023, 6, 30), evidence="挂牌照片"
        )
        Demonstration.objects.create(node=world.station_a, level="county", year=2025, named_by="渝中区民政局")
    base = live_server.url

    phone = page_factory(PHONE)
    ui_login(phone, base, "dd", PASSWORD)
    phone.goto(f"{base}/supervision/due/")
    assert "逾期" in phone.content()
    _shot(phone, "phone-due")
    assert _fits(phone)
    phone.click("text=记录督导")
    phone.check("input[name=topics][value=case_review]")
    phone.select_option("select[name=kind]", "group")
    for worker in workers:
        phone.check(f"input[name=attendees][value='{worker.pk}']")
    phone.fill("input[name=minutes]", "90")
    phone.fill("textarea[name=problems]", "个案计划难以推进")
    phone.fill("textarea[name=advice]", "先重新评估需求")
    _shot(phone, "phone-session-form")
    with phone.expect_navigation():
        phone.click("button[type=submit].primary")
    assert "已记录督导" in phone.content()
    _shot(phone, "phone-session-detail")
    assert _fits(phone)
    phone.goto(f"{base}/supervision/resources/?q=老人")
    assert "独居老人不愿开门" in phone.content() and "时间银行" in phone.content()
    _shot(phone, "phone-resources")
    assert _fits(phone)

    desk = page_factory(DESKTOP)
    ui_login(desk, base, "zz", PASSWORD)
    desk.goto(f"{base}/supervision/")
    desk.wait_for_selector("[data-chart][data-rendered='1']")
    _shot(desk, "desktop-sessions")
    desk.goto(f"{base}/supervision/trainings/hours/")
    assert "王小红" in desk.content()
    _shot(desk, "desktop-hours-short")
    desk.goto(f"{base}/supervision/trainings/{course.pk}/")
    for worker in workers[:2]:
        desk.check(f"input[name=present][value='{worker.pk}']")
    with desk.expect_navigation():
        desk.click("text=保存出勤")
    _shot(desk, "desktop-course")
    desk.goto(f"{base}/network/{world.station_a.pk}/")
    assert "2025 县级示范站" in desk.content()
    _shot(desk, "desktop-station")
    desk.goto(f"{base}/people/workers/{workers[0].pk}/")
    assert "培训与督导" in desk.content()
    _shot(desk, "desktop-worker")
    phone2 = page_factory(PHONE)
    ui_login(phone2, base, "zz", PASSWORD)
    phone2.goto(f"{base}/supervision/trainings/hours/")
    _shot(phone2, "phone-hours")
    assert _fits(phone2)
    phone2.goto(f"{base}/network/{world.station_a.pk}/")
    _shot(phone2, "phone-station")
    assert _fits(phone2)

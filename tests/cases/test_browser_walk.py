"""The Done-means walk on a phone-sized Chromium window: a worker opens a case for a recipient, records the
assessment and the plan, submits it; the supervisor approves; the worker adds notes and asks to close; the
supervisor rejects once with a comment, then approves; the case is closed and every step is on the timeline."""

import datetime
from pathlib import Path

import pytest

from shegong.cases.models import Approval, Case
from shegong.core.scoping import unscoped
from shegong.people.models import SocialWorker

from ..browser.support import DESKTOP, PHONE, ui_login
from ..factories import PASSWORD, TOWN_A, VILLAGE_A1, build_world, make_user
from ..recipients.helpers import make_recipient
from .helpers import supervise_station

SHOTS = Path("/tmp/shots-c14")


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def _post(page, selector):
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_casework_walk_on_a_phone(live_server, page_factory):
    with unscoped():
        world = build_world()
        worker_user = make_user("worker", username="sg", display_name="社工 小张")
        SocialWorker.objects.create(region_id=TOWN_A, name="张晓", user=worker_user)
        supervisor = make_user("supervisor", username="dd", display_name="督导 周老师")
        supervise_station(world, supervisor, world.station_a)
        recipient = make_recipient(VILLAGE_A1, name="刘奶奶")
    base = live_server.url
    today = datetime.date.today()

    phone = page_factory(PHONE)
    ui_login(phone, base, "sg", PASSWORD)
    phone.goto(f"{base}/cases/new/?recipient={recipient.pk}")
    phone.check("input[name=source][value=visit]")
    _post(phone, "button[type=submit].primary")  # no problem typed: the form comes back, the choice kept
    assert phone.locator("text=请填写求助问题").count() or phone.locator(".has-error").count()
    assert phone.is_checked("input[name=source][value=visit]")
    phone.fill("textarea[name=presenting_problem]", "独居，近期情绪低落")
    _shot(phone, "case-new-phone")
    _fits(phone)
    _post(phone, "button[type=submit].primary")
    phone.wait_for_selector("text=已接案")
    case_url = phone.url
    phone.select_option("select[name=score_comfort]", "3")
    phone.fill("#assessment textarea[name=text]", "需要精神慰藉与邻里支持")
    _post(phone, "#assessment button[type=submit]")
    phone.wait_for_selector("text=已保存预估")
    phone.fill("#plan textarea[name=text]", "每周上门陪伴一次")
    phone.fill("input[name=goal_1_title]", "情绪改善")
    phone.fill("input[name=goal_1_indicator]", "抑郁量表下降 5 分")
    phone.fill("input[name=goal_1_target_on]", (today + datetime.timedelta(days=60)).isoformat())
    _post(phone, "#plan form.case-form button[type=submit]")
    phone.wait_for_selector("text=已保存服务计划")
    _post(phone, "#submit-plan")
    phone.wait_for_selector("text=服务计划已提交审批")
    _shot(phone, "case-plan-submitted-phone")
    _fits(phone)

    boss = page_factory(PHONE)
    ui_login(boss, base, "dd", PASSWORD)
    boss.goto(f"{base}/cases/approvals/")
    _shot(boss, "approvals-phone")
    boss.click("text=查看并审批")
    boss.wait_for_load_state()
    _post(boss, "#decide-form button[value=approve]")
    boss.wait_for_selector("text=已批准")

    for content in ("上门陪伴，聊家常一小时", "电话关心，提醒服药"):
        phone.goto(case_url)
        phone.click("#add-note")
        phone.wait_for_load_state()
        phone.check("input[name=method][value=home]")
        _post(phone, "button[type=submit].primary")  # no content: kept, and told
        assert phone.is_checked("input[name=method][value=home]")
        phone.fill("textarea[name=content]", content)
        phone.fill("input[name=next_step]", "下周再访")
        _shot(phone, "case-note-phone")
        _fits(phone)
        _post(phone, "button[type=submit].primary")
        phone.wait_for_selector("text=已记录介入")
    phone.click("#evaluation summary")
    goal_select = phone.locator("#evaluation select").first
    goal_select.select_option("met")
    phone.locator("#evaluation textarea").first.fill("量表下降 6 分")
    _post(phone, "#evaluation button[type=submit]")
    phone.wait_for_selector("text=已保存目标评估")
    phone.select_option("#closing select[name=reason]", "goals_met")
    phone.fill("#closing textarea[name=summary]", "情绪明显好转")
    _post(phone, "#ask-close")
    phone.wait_for_selector("text=已申请结案")

    boss.goto(case_url)
    _post(boss, "#decide-form button[value=reject]")  # a rejection needs a comment
    boss.wait_for_selector("text=退回时请填写意见")
    boss.fill("#decide-form textarea[name=comment]", "请补充后续支持安排")
    _post(boss, "#decide-form button[value=reject]")
    boss.wait_for_selector("text=已退回")

    phone.goto(case_url)
    phone.wait_for_selector("text=请补充后续支持安排")
    phone.fill("#closing textarea[name=summary]", "情绪明显好转，已链接志愿者每周探望")
    _post(phone, "#ask-close")
    boss.goto(case_url)
    _post(boss, "#decide-form button[value=approve]")
    boss.wait_for_selector("text=已批准")

    phone.goto(case_url)
    phone.wait_for_selector("text=已结案")
    _shot(phone, "case-closed-phone")
    _fits(phone)
    with unscoped():
        case = Case.objects.get()
        assert case.stage == "closed"
        assert list(Approval.objects.filter(case=case).values_list("kind", "decision")) == [
            ("plan", "approved"),
            ("closing", "rejected"),
            ("closing", "approved"),
        ]
    phone.goto(f"{base}/recipients/{recipient.pk}/timeline/")
    timeline = phone.inner_text(".timeline")
    for fragment in (
        "接案",
        "完成预估",
        "审批通过：服务计划",
        "介入服务",
        "评估了 1 个目标",
        "审批退回：结案",
        "审批通过：结案",
    ):
        assert fragment in timeline, fragment
    _shot(phone, "timeline-phone")

    desk = page_factory(DESKTOP)
    ui_login(desk, base, "sg", PASSWORD)
    desk.goto(case_url)
    _shot(desk, "case-closed-desktop")
    desk.goto(f"{base}/cases/")
    _shot(desk, "case-list-desktop")
    phone.goto(f"{base}/cases/")
    _shot(phone, "case-list-phone")
    _fits(phone)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overdue_case_steps_sit_on_the_workers_today_list(live_server, page_factory):
    from shegong.cases import services
    from tests.cases.helpers import open_data, system

    with unscoped():
        world = build_world()
        worker_user = make_user("worker", username="sg", display_name="社工 小张")
        worker = SocialWorker.objects.create(region_id=TOWN_A, name="张晓", user=worker_user)
        make_user("township", username="zz", display_name="陈站长")
        recipient = make_recipient(VILLAGE_A1, name="刘奶奶")
        case = services.case_open(
            actor=system(), station=world.station_a, worker=worker, data=open_data(recipient)
        )
        Case.objects.filter(pk=case.pk).update(opened_on=datetime.date.today() - datetime.timedelta(days=20))
    base = live_server.url
    for who, url, name in (("sg", "/visits/worklist/", "worklist"), ("zz", "/visits/overdue/", "overdue")):
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = page_factory(viewport)
            ui_login(page, base, who, PASSWORD)
            page.goto(f"{base}{url}")
            assert case.number in page.inner_text("#extras")
            assert "预估逾期" in page.inner_text("#extras")
            _shot(page, f"{name}-{label}")
            _fits(page)
    page = page_factory(PHONE)
    ui_login(page, base, "sg", PASSWORD)
    page.goto(f"{base}/cases/?overdue=1")
    assert case.number in page.inner_text("#case-table")

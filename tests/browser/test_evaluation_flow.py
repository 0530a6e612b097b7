"""In Chromium, at both sizes: the evaluation home with its annual table and rank chart, an assessment scored by
its evaluator (a bad score refused with the typed value kept), the public ranking with red flags, the survey."""

import os

import pytest

from ..factories import PASSWORD, build_world
from .support import DESKTOP, PHONE, ui_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("SHEGONG_SHOTS", "/tmp/shots-i19")


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _setup():
    from shegong.accounts.actor import Actor
    from shegong.core.scoping import unscoped
    from shegong.evaluation import services
    from shegong.evaluation.models import QuestionSet
    from tests.evaluation import helpers as h

    with unscoped():
        h.register_stand_in_metrics()
        world = build_world()
        fw = h.framework(world)
        evaluator = h.evaluator_user(world, world.regions["district"].code)
        bulletins = []
        for quarter in (1, 2):
            for node, points in ((world.station_a, "4"), (world.station_b, "3")):
                a = h.assessment(world, fw, node=node, evaluator=evaluator, quarter=(2026, quarter))
                score = a.scores.get(indicator__code="S1")
                services.score_enter(actor=Actor.for_user(evaluator), score=score, points=points)
                services.assessment_sign(actor=Actor.for_user(evaluator), assessment=a)
            b = services.bulletin_generate(
                actor=h.official(world),
                region=world.regions["district"],
                framework=fw,
                year=2026,
                quarter=quarter,
            )
            bulletins.append(services.bulletin_publish(actor=h.official(world), bulletin=b))
        open_one = h.assessment(world, fw, evaluator=evaluator, quarter=(2026, 3))
        qs = QuestionSet.objects.create(
            name="满意度问卷",
            region=world.regions["district"],
            questions=[
                {"key": "q1", "text": "您对社工的服务满意吗？", "kind": "scale"},
                {"key": "q2", "text": "意见和建议", "kind": "text"},
            ],
        )
        _invite, token = services.invite_create(actor=h.official(world), assessment=open_one, questions=qs)
    return world, evaluator, bulletins, open_one, token


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_evaluation_pages(live_server, page_factory, viewport):
    world, evaluator, bulletins, open_one, token = _setup()
    size = "phone" if viewport is PHONE else "desktop"
    page = page_factory(viewport=viewport)
    ui_login(page, live_server.url, world.official_a.username, PASSWORD)
    page.goto(f"{live_server.url}/evaluation/?year=2026")
    assert world.station_a.name in page.content()
    page.wait_for_selector(".chart[data-rendered='1'] canvas")
    _shot(page, f"home-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.goto(f"{live_server.url}/evaluation/bulletins/{bulletins[0].pk}/")
    _shot(page, f"bulletin-{size}")

    page2 = page_factory(viewport=viewport)
    ui_login(page2, live_server.url, evaluator.username, PASSWORD)
    page2.goto(f"{live_server.url}/evaluation/assessments/{open_one.pk}/")
    row = page2.locator("#score-S2")
    row.locator("input[name=points]").fill("9")
    with page2.expect_navigation():
        row.locator("button").click()
    assert "分值须在 0 到 3.00 之间" in page2.locator("#score-S2").inner_text()
    assert page2.locator("#score-S2 input[name=points]").input_value() == "9"
    _shot(page2, f"assessment-{size}")
    assert page2.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1

    public = page_factory(viewport=viewport)
    public.goto(f"{live_server.url}/public/rankings/{bulletins[1].pk}/")
    assert "红旗" in public.content()
    _shot(public, f"public-ranking-{size}")
    public.goto(f"{live_server.url}/public/survey/{token}/")
    public.select_option("select[name=q1]", "5")
    with public.expect_navigation():
        public.click("form.stacked-form button[type=submit]")
    assert "感谢您的评价" in public.content()
    _shot(public, f"survey-done-{size}")

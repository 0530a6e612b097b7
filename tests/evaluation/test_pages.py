import datetime
import re

import pytest

from shegong.accounts.actor import Actor
from shegong.evaluation import services
from shegong.evaluation.models import QuestionSet, RuleKind, SurveyResponse

from ..factories import login_client
from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics():
    h.register_stand_in_metrics()


def test_an_evaluator_sees_only_its_assigned_assessments(world, client):
    mine_user = h.evaluator_user(world)
    other_user = h.evaluator_user(world)
    fw = h.framework(world)
    mine = h.assessment(world, fw, evaluator=mine_user)
    theirs = h.assessment(world, fw, evaluator=other_user, party="buyer")
    login_client(client, mine_user)
    assert client.get(f"/evaluation/assessments/{mine.pk}/").status_code == 200
    assert client.get(f"/evaluation/assessments/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/assessments/{theirs.pk}").status_code == 404
    listed = client.get("/api/v1/assessments").json()
    assert [a["id"] for a in listed["results"]] == [mine.pk]
    entered = theirs.scores.filter(indicator__rule=RuleKind.ENTERED).first()
    response = client.put(
        f"/api/v1/assessments/{theirs.pk}/scores/{entered.pk}",
        {"points": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_bad_score_names_the_field_and_keeps_what_was_typed(world, client):
    user = h.evaluator_user(world)
    a = h.assessment(world, evaluator=user)
    score = a.scores.filter(indicator__rule=RuleKind.ENTERED).first()
    login_client(client, user)
    response = client.post(
        f"/evaluation/assessments/{a.pk}/scores/{score.pk}/", {"points": "77", "evidence": "照片"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "分值须在 0 到" in body and 'value="77"' in body
    api = client.put(
        f"/api/v1/assessments/{a.pk}/scores/{score.pk}", {"points": "abc"}, content_type="application/json"
    )
    assert api.status_code == 422 and api.json()["detail"][0]["field"] == "points"


def test_a_survey_link_works_once_and_reveals_nothing_of_other_answers(world, client):
    a = h.assessment(world, party="users")
    qs = QuestionSet.objects.create(
        name="服务满意度",
        region=world.regions["district"],
        questions=[{"key": "q1", "text": "您对社工服务满意吗", "kind": "scale"}],
    )
    services.answer_record(
        actor=h.official(world),
        assessment=a,
        questions=qs,
        channel="phone",
        answers={"q1": 1},
        received_on=datetime.date(2026, 2, 1),
    )
    _invite, token = services.invite_create(actor=h.official(world), assessment=a, questions=qs)
    page = client.get(f"/public/survey/{token}/")
    body = page.content.decode()
    assert page.status_code == 200 and "您对社工服务满意吗" in body
    assert world.station_a.name not in body and "1 份" not in body
    bad = client.post(f"/public/survey/{token}/", {"q1": ""})
    assert bad.status_code == 400 and "请选择 1 到 5 分" in bad.content.decode()
    assert client.post(f"/public/survey/{token}/", {"q1": "4"}).status_code == 200
    assert SurveyResponse.objects.filter(channel="link").count() == 1
    again = client.get(f"/public/survey/{token}/")
    assert again.status_code == 404 and "您对社工服务满意吗" not in again.content.decode()
    assert client.post(f"/public/survey/{token}/", {"q1": "5"}).status_code == 404
    assert SurveyResponse.objects.filter(channel="link").count() == 1


def test_the_honeypot_stores_nothing(world, client):
    a = h.assessment(world, party="users")
    qs = QuestionSet.objects.create(
        name="问卷",
        region=world.regions["district"],
        questions=[{"key": "q1", "text": "满意吗", "kind": "scale"}],
    )
    _invite, token = services.invite_create(actor=h.official(world), assessment=a, questions=qs)
    assert client.post(f"/public/survey/{token}/", {"q1": "5", "website": "http://spam"}).status_code == 200
    assert not SurveyResponse.objects.exists()


def _published(world):
    fw = h.framework(world)
    evaluator = h.evaluator_user(world)
    a = h.assessment(world, fw, evaluator=evaluator)
    services.assessment_sign(actor=Actor.for_user(evaluator), assessment=a)
    bulletin = services.bulletin_generate(
        actor=h.official(world), region=world.regions["district"], framework=fw, year=2026, quarter=1
    )
    return services.bulletin_publish(actor=h.official(world), bulletin=bulletin)


def test_the_public_ranking_page_shows_published_bulletins_with_red_flags(world, client):
    bulletin = _published(world)
    listing = client.get("/public/rankings/").content.decode()
    assert world.station_a.name in listing
    detail = client.get(f"/public/rankings/{bulletin.pk}/").content.decode()
    assert "红旗" in detail and world.station_a.name in detail
    assert "MARKERA" not in re.sub(re.escape(world.station_a.name), "", detail)


def test_an_evaluator_reads_its_regions_published_bulletins_on_its_own_page(world, client):
    """Drafts are the bureau's; a published bulletin is public. The evaluator's page listed none ("尚无通报")
    beside the quarterly assessments it signed; it lists its region's published ones, linked to their public
    page, and no other region's."""
    from shegong.evaluation.models import Bulletin

    bulletin = _published(world)
    draft = services.bulletin_generate(
        actor=h.official(world),
        region=world.regions["district"],
        framework=bulletin.framework,
        year=2026,
        quarter=2,
    )
    elsewhere = Bulletin.objects.create(
        region=world.regions["town_b"],
        region_code=world.regions["town_b"].code,
        framework=bulletin.framework,
        year=2026,
        quarter=1,
        status=Bulletin.Status.PUBLISHED,
    )
    login_client(client, h.evaluator_user(world))
    response = client.get("/evaluation/")
    body = response.content.decode()
    assert [b.pk for b in response.context["bulletins"]] == [bulletin.pk]
    assert f"/public/rankings/{bulletin.pk}/" in body and f"/evaluation/bulletins/{bulletin.pk}/" not in body
    assert "尚无通报" not in body and draft.pk != elsewhere.pk
    # Another township's evaluator sees its own township's bulletin and the district's above it, never town A's
    # view of town B's (town A's evaluator above did not see ``elsewhere``).
    login_client(client, h.evaluator_user(world, region=world.regions["town_b"].code))
    other = client.get("/evaluation/").context["bulletins"]
    assert sorted(b.pk for b in other) == sorted([bulletin.pk, elsewhere.pk])


def test_the_bulletin_pdf_has_chinese_text_in_an_embedded_cjk_font(world, client):
    bulletin = _published(world)
    response = client.get(f"/public/rankings/{bulletin.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    assert b"CJK" in content  # the Noto CJK font is embedded (subset), not boxes of a Latin font
    pathlib = __import__("pathlib")
    out = pathlib.Path("/tmp/shots-i19")
    out.mkdir(exist_ok=True)
    (out / "bulletin.pdf").write_bytes(content)


def test_the_bulletin_excel_lists_the_ranking(world, client):
    bulletin = _published(world)
    login_client(client, world.official_a)
    response = client.get(f"/evaluation/bulletins/{bulletin.pk}.xlsx")
    assert response.status_code == 200
    from tests.test_cross_region import _xlsx_text

    assert world.station_a.name in _xlsx_text(response.content)

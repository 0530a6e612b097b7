"""The question, expert and project banks: a two-character Chinese query finds the entries that contain it (on
SQLite and PostgreSQL: `make test-postgres` runs this module too)."""

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import SystemActor
from shegong.supervision import selectors, services
from shegong.supervision.models import Expert, Question, ReferenceProject
from tests.factories import login_client, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    town = world.regions["town_a"]
    Question.objects.create(
        region=town, title="如何与独居老人建立信任关系", answer="多次探访，先从生活照料入手", tags=["老年"]
    )
    Question.objects.create(region=town, title="青少年厌学怎么办", detail="家长求助", tags=["青少年"])
    Expert.objects.create(
        region=town, name="陈教授", field="老年社会工作", organisation="重庆大学", phone="13800001234"
    )
    Expert.objects.create(
        region=town, name="刘老师", field="心理咨询", organisation="西南大学", phone="13900005678"
    )
    ReferenceProject.objects.create(
        region=town, title="“时间银行”互助养老", summary="低龄老人服务高龄老人", year=2025
    )
    ReferenceProject.objects.create(region=town, title="四点半课堂", summary="放学后的课业辅导", year=2024)


def test_a_two_character_query_finds_every_entry_containing_it(library):
    found = selectors.search_resources("老人")
    assert [q.title for q in found["question"]] == ["如何与独居老人建立信任关系"]
    assert [p.title for p in found["project"]] == ["“时间银行”互助养老"]
    assert found["expert"] == []
    found = selectors.search_resources("老年")  # the tag, the expert's field
    assert [q.title for q in found["question"]] == ["如何与独居老人建立信任关系"]
    assert [e.name for e in found["expert"]] == ["陈教授"]
    assert selectors.search_resources("课业", "project")["project"][0].title == "四点半课堂"
    assert set(selectors.search_resources("课业", "project")) == {"project"}


def test_a_phone_number_is_never_searchable(library):
    assert selectors.search_resources("13800001234")["expert"] == []


def test_search_page_and_api(world, client, library):
    login_client(client, make_user("worker"))
    page = client.get("/supervision/resources/", {"q": "信任"}).content.decode()
    assert "如何与独居老人建立信任关系" in page and "青少年厌学怎么办" not in page
    page = client.get("/supervision/resources/", {"q": "心理", "kind": "expert"}).content.decode()
    assert "刘老师" in page and "13900005678" not in page and "139****5678" in page
    body = client.get("/api/v1/resources", {"q": "厌学"}).json()
    assert body["count"] == 1 and body["results"][0]["kind"] == "question"
    body = client.get("/api/v1/resources", {"q": "大学", "kind": "expert"}).json()
    assert {r["title"] for r in body["results"]} == {"陈教授", "刘老师"}
    assert all("****" in r["phone"] for r in body["results"])
    assert client.get("/api/v1/resources", {"kind": "nonsense"}).json()["code"] == "invalid"


def test_a_supervisor_answers_and_is_named(world, client, library):
    from .helpers import supervisor_with_account

    supervisor, user = supervisor_with_account(world)
    question = Question.objects.get(title="青少年厌学怎么办")
    login_client(client, user)
    assert client.post(f"/supervision/resources/questions/{question.pk}/", {"answer": ""}).status_code == 422
    client.post(f"/supervision/resources/questions/{question.pk}/", {"answer": "先做学业压力评估"})
    question.refresh_from_db()
    assert question.answered_by == supervisor and question.answer == "先做学业压力评估"
    assert question in selectors.search_resources("压力")["question"]  # the answer is searchable


def test_expert_phone_is_validated_and_encrypted(world, client):
    official = make_user(("official", world.regions["town_a"].code))
    login_client(client, official)
    data = {"region": world.regions["town_a"].code, "name": "王专家", "field": "社区治理", "phone": "12345"}
    response = client.post("/supervision/resources/expert/new/", data)
    assert response.status_code == 422 and "王专家" in response.content.decode()
    data["phone"] = "13712341234"
    assert client.post("/supervision/resources/expert/new/", data).status_code == 302
    expert = Expert.objects.get(name="王专家")
    assert "13712341234" not in expert.search_text
    with pytest.raises(ValidationError) as refused:
        services.expert_create(actor=SystemActor("test"), data={"name": "无区划"})
    assert "region" in refused.value.message_dict

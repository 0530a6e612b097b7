import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shegong.accounts.actor import Actor
from shegong.evaluation import ranking, services
from shegong.evaluation.models import Assessment, Bulletin, Indicator, RuleKind
from shegong.recipients.models import VisitRollup
from shegong.regions.models import RegionStandard

from ..factories import VILLAGE_A1
from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics():
    h.register_stand_in_metrics()


def test_shipped_frameworks_are_data_with_their_counts(world):
    sppe = h.framework(world, "SPPE")
    station = h.framework(world, "STATION1000")
    assert Indicator.objects.filter(dimension__framework=sppe).count() == 23
    assert [d.name[:2] for d in sppe.dimensions.all()] == ["标准", "专业", "计划", "成效"]
    assert sppe.max_points == Decimal(100)
    assert station.max_points == Decimal(1000)
    assert [d.name for d in station.dimensions.all()] == [
        "基础建设",
        "制度建设",
        "运营投入",
        "运营管理",
        "服务提供",
        "运营绩效",
    ]
    again = h.framework(world, "SPPE")
    assert again.version == 2 and sppe.version == 1


def _visit_score(a: Assessment):
    return a.scores.get(indicator__metric="visits.rate")


def test_a_visit_change_moves_the_score_on_recompute_and_the_signed_sheet_keeps_its_score(world):
    month = datetime.date(2026, 2, 1)
    rollup = VisitRollup.objects.create(region_code=VILLAGE_A1, month=month, due=10, visited=5)
    evaluator = h.evaluator_user(world)
    a = h.assessment(world, evaluator=evaluator)
    score = _visit_score(a)
    assert score.value == Decimal("50.0000") and score.points == Decimal("0.00")
    assert score.source["cells"] == [["2026-02", "5/10"]]

    VisitRollup.objects.filter(pk=rollup.pk).update(visited=10)
    total = services.assessment_recompute(actor=h.official(world), assessment=a)
    assert _visit_score(a).points == Decimal("8.00")
    assert (
        services.assessment_recompute(actor=h.official(world), assessment=a) == total
    )  # same data, same score

    services.assessment_sign(actor=Actor.for_user(evaluator), assessment=a)
    VisitRollup.objects.filter(pk=rollup.pk).update(visited=0)
    a.refresh_from_db()
    with pytest.raises(ValidationError):
        services.assessment_recompute(actor=h.official(world), assessment=a)
    sheet_visit = next(s for s in a.signed_sheet["scores"] if s["indicator"] == "E1")
    assert sheet_visit["points"] == "8.00" and a.signed_sheet["total"] == str(total)


def test_entered_scores_are_checked_and_only_the_assigned_evaluator_enters_them(world):
    evaluator = h.evaluator_user(world)
    other = h.evaluator_user(world)
    a = h.assessment(world, evaluator=evaluator)
    entered = a.scores.filter(indicator__rule=RuleKind.ENTERED).first()
    with pytest.raises(ValidationError) as exc:
        services.score_enter(actor=Actor.for_user(evaluator), score=entered, points="99")
    assert "points" in exc.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.score_enter(actor=Actor.for_user(other), score=entered, points="1")
    services.score_enter(actor=Actor.for_user(evaluator), score=entered, points="3.5", evidence="照片")
    a.refresh_from_db()
    assert a.total >= Decimal("3.5")


def test_survey_link_works_once_and_feeds_the_survey_indicator(world):
    from shegong.evaluation.models import QuestionSet

    a = h.assessment(world, party="users")
    qs = QuestionSet.objects.create(
        name="满意度",
        region=world.regions["district"],
        questions=[
            {"key": "q1", "text": "满意吗", "kind": "scale"},
            {"key": "note", "text": "建议", "kind": "text"},
        ],
    )
    _invite, token = services.invite_create(actor=h.official(world), assessment=a, questions=qs)
    with pytest.raises(ValidationError):
        services.answer_by_token(token=token, answers={"q1": "9"}, today=datetime.date(2026, 2, 1))
    services.answer_by_token(token=token, answers={"q1": "5", "note": "好"}, today=datetime.date(2026, 2, 1))
    with pytest.raises(services.InviteUsed):
        services.answer_by_token(token=token, answers={"q1": "1"}, today=datetime.date(2026, 2, 1))
    services.assessment_recompute(actor=h.official(world), assessment=a)
    survey = a.scores.get(indicator__rule=RuleKind.SURVEY)
    assert survey.value == Decimal("5.0000") and survey.points == survey.indicator.max_points


def _signed(world, node, fw, entered_points, party="third_party"):
    evaluator = h.evaluator_user(world, node.region_code)
    a = h.assessment(world, fw, node=node, evaluator=evaluator, party=party)
    for score in a.scores.filter(indicator__rule=RuleKind.ENTERED).order_by("id")[: len(entered_points)]:
        points = entered_points.pop(0)
        services.score_enter(actor=Actor.for_user(evaluator), score=score, points=points)
    return services.assessment_sign(actor=Actor.for_user(evaluator), assessment=a)


def test_the_ranking_is_reproducible_with_the_stated_tie_rule_and_flags_the_top(world):
    fw = h.framework(world)
    # Equal totals: station B's points are on results (E5), station A's on blueprint (S1): B ranks first.
    a = _signed(world, world.station_a, fw, ["4"])
    b_eval = h.evaluator_user(world, world.station_b.region_code)
    b = h.assessment(world, fw, node=world.station_b, evaluator=b_eval)
    services.score_enter(actor=Actor.for_user(b_eval), score=b.scores.get(indicator__code="E5"), points="4")
    services.assessment_sign(actor=Actor.for_user(b_eval), assessment=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.total == b.total
    first = ranking.rank(region=world.regions["district"], framework=fw, year=2026, quarter=1)
    assert [r["name"] for r in first] == [world.station_b.name, world.station_a.name]
    assert [r["rank"] for r in first] == [1, 2] and all(r["red_flag"] for r in first)
    assert ranking.rank(region=world.regions["district"], framework=fw, year=2026, quarter=1) == first


def test_a_published_bulletin_is_frozen_and_a_correction_is_a_new_version(world):
    fw = h.framework(world)
    _signed(world, world.station_a, fw, ["4"])
    bulletin = services.bulletin_generate(
        actor=h.official(world), region=world.regions["district"], framework=fw, year=2026, quarter=1
    )
    services.bulletin_publish(actor=h.official(world), bulletin=bulletin)
    frozen = list(bulletin.rows)
    _signed(world, world.station_b, fw, ["4", "3"])
    with pytest.raises(ValidationError):
        services.bulletin_generate(
            actor=h.official(world), region=world.regions["district"], framework=fw, year=2026, quarter=1
        )
    bulletin.refresh_from_db()
    assert bulletin.rows == frozen
    correction = services.bulletin_correct(
        actor=h.official(world), bulletin=bulletin, note="补录解放碑街道评估"
    )
    assert correction.version == 2 and correction.corrects_id == bulletin.pk
    assert correction.rows[0]["name"] == world.station_b.name
    assert Bulletin.objects.count() == 2


@pytest.mark.parametrize(("spent", "expected"), [("900000.00", "300000.00"), ("500000.00", "200000.00")])
def test_subsidy_is_forty_percent_of_recorded_spend_capped(world, spent, expected):
    from shegong.projects.models import BudgetLine, Expenditure
    from tests.projects.helpers import make_project

    project = make_project(world, amount="1000000.00")
    line = BudgetLine.objects.create(project=project, category="personnel", amount="1000000.00")
    Expenditure.objects.create(
        project=project,
        line=line,
        amount=spent,
        spent_on=datetime.date(2026, 3, 1),
        description="人员",
        status="reviewed",
    )
    # Recorded but not yet approved and reviewed: not counted.
    Expenditure.objects.create(
        project=project, line=line, amount="1000.00", spent_on=datetime.date(2026, 3, 2), description="人员"
    )
    subsidy = services.subsidy_compute(actor=h.official(world), year=2026, node=world.station_a)
    assert subsidy.investment == Decimal(spent)
    assert subsidy.amount == Decimal(expected)
    assert subsidy.sources[0][1] == project.code


def test_the_subsidy_rate_and_cap_are_local_policy(world):
    RegionStandard.objects.create(
        region=world.regions["district"], subsidy_percent=50, subsidy_cap_yuan=100000
    )
    assert services.subsidy_amount(Decimal("150000"), 50, Decimal("100000")) == Decimal("75000.00")
    subsidy = services.subsidy_compute(actor=h.official(world), year=2026, node=world.station_a)
    assert (subsidy.percent, subsidy.cap, subsidy.amount) == (50, Decimal("100000.00"), Decimal("0.00"))
    services.subsidy_approve(actor=h.official(world), subsidy=subsidy)
    with pytest.raises(ValidationError):
        services.subsidy_compute(actor=h.official(world), year=2026, node=world.station_a)


def test_a_subsidy_below_the_district_threshold_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.subsidy_compute(
            actor=h.official(world),
            year=2026,
            node=world.station_a,
            score=Decimal("70"),
            max_points=Decimal(100),
        )
    assert "80.00" in exc.value.message_dict["score"][0]
    ok = services.subsidy_compute(
        actor=h.official(world), year=2026, node=world.station_a, score=Decimal("85"), max_points=Decimal(100)
    )
    assert ok.score == Decimal("85")


def test_recording_a_visit_raises_the_visit_rate_indicator_on_recompute(world):
    """Through the visit write itself: the visit-care rollup it keeps is what the indicator reads."""
    from django.utils import timezone

    from shegong.recipients.models import RiskTier
    from shegong.visits.services import visit_record
    from tests.factories import TOWN_A, make_user
    from tests.recipients.helpers import key, make_recipient, visit_data

    people = [make_recipient(VILLAGE_A1, tier=RiskTier.KEY) for _ in range(2)]
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    a = h.assessment(world, quarter=(today.year, quarter), stage="periodic")
    before = _visit_score(a)
    assert before.value == Decimal("0.0000") and before.points == Decimal("0.00")
    worker = Actor.for_user(make_user("worker", region_code=TOWN_A))
    for person in people:
        visit_record(actor=worker, recipient=person, data=visit_data(), idempotency_key=key())
    services.assessment_recompute(actor=h.official(world), assessment=a)
    after = _visit_score(a)
    assert after.value == Decimal("100.0000") and after.points == after.indicator.max_points


def test_the_committee_weights_combine_the_parties_and_are_checked(world):
    fw = h.framework(world)
    with pytest.raises(ValidationError) as exc:
        services.framework_set_weights(
            actor=h.official(world), framework=fw, weights={"self": 50, "third_party": 60}
        )
    assert "party_weights" in exc.value.message_dict
    services.framework_set_weights(
        actor=h.official(world), framework=fw, weights={"self": 0, "third_party": 75, "buyer": 25, "users": 0}
    )
    _signed(world, world.station_a, fw, ["4"], party="third_party")  # 4 points
    _signed(world, world.station_a, fw, [], party="buyer")  # 0 points
    rows = ranking.rank(region=world.regions["district"], framework=fw, year=2026, quarter=1)
    mine = next(r for r in rows if r["node_id"] == world.station_a.pk)
    assert mine["parties"] == {"buyer": "0.00", "third_party": "4.00"}
    assert mine["total"] == "3.00"  # (75 × 4 + 25 × 0) / 100


def test_the_evaluation_home_page_query_count_holds(world, client, django_assert_max_num_queries):
    from tests.factories import login_client

    fw = h.framework(world)
    for _ in range(3):
        _signed(world, world.station_a, fw, ["4"])
    services.bulletin_publish(
        actor=h.official(world),
        bulletin=services.bulletin_generate(
            actor=h.official(world), region=world.regions["district"], framework=fw, year=2026, quarter=1
        ),
    )
    login_client(client, world.official_a)
    with django_assert_max_num_queries(30):
        assert client.get("/evaluation/?year=2026").status_code == 200

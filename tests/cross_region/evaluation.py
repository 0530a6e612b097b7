"""Evaluation: A's framework, an assessment of A's station assigned to no one in the harness, a question set, a
published bulletin of the district (stations' ranks are public), and a subsidy of A's station."""

import datetime

from . import Endpoint


def _a(w):
    return w.extras["assessment_a"].pk


def _form(name, url, body):
    return Endpoint(name, "write", url, method="POST", body=body, content_type="form")


ENDPOINTS = [
    Endpoint("evaluation:home", "list", lambda w: "/evaluation/"),
    Endpoint(
        "evaluation:framework", "detail", lambda w: f"/evaluation/frameworks/{w.extras['framework_a'].pk}/"
    ),
    Endpoint("evaluation:assessment", "detail", lambda w: f"/evaluation/assessments/{_a(w)}/"),
    Endpoint(
        "evaluation:assessment_create",
        "create",
        lambda w: "/evaluation/assessments/new/",
        method="POST",
        content_type="form",
        body=lambda w: {
            "framework": w.extras["framework_a"].pk,
            "node": w.station_a.pk,
            "stage": "periodic",
            "party": "self",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
    ),
    _form(
        "evaluation:assessment_action",
        lambda w: f"/evaluation/assessments/{_a(w)}/do/",
        lambda w: {"action": "sign"},
    ),
    _form(
        "evaluation:score_enter",
        lambda w: f"/evaluation/assessments/{_a(w)}/scores/{w.extras['score_a'].pk}/",
        lambda w: {"points": "1"},
    ),
    Endpoint(
        "evaluation:bulletin_generate",
        "create",
        lambda w: "/evaluation/bulletins/new/",
        method="POST",
        content_type="form",
        body=lambda w: {"framework": w.extras["framework_a"].pk, "year": "2026", "quarter": "2"},
    ),
    Endpoint(
        "evaluation:bulletin", "detail", lambda w: f"/evaluation/bulletins/{w.extras['bulletin_a'].pk}/"
    ),
    _form(
        "evaluation:bulletin_action",
        lambda w: f"/evaluation/bulletins/{w.extras['bulletin_a'].pk}/do/",
        lambda w: {"action": "correct", "note": "x"},
    ),
    Endpoint(
        "evaluation:bulletin_xlsx",
        "detail",
        lambda w: f"/evaluation/bulletins/{w.extras['bulletin_a'].pk}.xlsx",
    ),
    Endpoint(
        "evaluation:bulletin_pdf",
        "detail",
        lambda w: f"/evaluation/bulletins/{w.extras['bulletin_a'].pk}.pdf",
    ),
    Endpoint("evaluation:subsidy", "detail", lambda w: f"/evaluation/subsidies/{w.extras['subsidy_a'].pk}/"),
    _form(
        "evaluation:subsidy_approve",
        lambda w: f"/evaluation/subsidies/{w.extras['subsidy_a'].pk}/approve/",
        lambda w: {},
    ),
    # Public: published bulletins of every region (stations' scores, no personal data) and the one-time survey.
    Endpoint("rankings:list", "open", lambda w: "/public/rankings/"),
    Endpoint("rankings:detail", "open", lambda w: f"/public/rankings/{w.extras['bulletin_a'].pk}/"),
    Endpoint("rankings:pdf", "open", lambda w: f"/public/rankings/{w.extras['bulletin_a'].pk}.pdf"),
    Endpoint("rankings:survey", "open", lambda w: "/public/survey/not-a-token/"),
    Endpoint("shegong_evaluation_api_list_frameworks", "list", lambda w: "/api/v1/frameworks", api=True),
    Endpoint(
        "shegong_evaluation_api_get_framework",
        "detail",
        lambda w: f"/api/v1/frameworks/{w.extras['framework_a'].pk}",
        api=True,
    ),
    Endpoint("shegong_evaluation_api_list_assessments", "list", lambda w: "/api/v1/assessments", api=True),
    Endpoint(
        "shegong_evaluation_api_get_assessment", "detail", lambda w: f"/api/v1/assessments/{_a(w)}", api=True
    ),
    Endpoint(
        "shegong_evaluation_api_enter_score",
        "write",
        lambda w: f"/api/v1/assessments/{_a(w)}/scores/{w.extras['score_a'].pk}",
        method="PUT",
        api=True,
        body=lambda w: {"points": "1.00"},
    ),
    Endpoint(
        "shegong_evaluation_api_sign_assessment",
        "write",
        lambda w: f"/api/v1/assessments/{_a(w)}/sign",
        method="POST",
        api=True,
        body=lambda w: {},
    ),
    Endpoint(
        "shegong_evaluation_api_record_answer",
        "write",
        lambda w: "/api/v1/surveys/answers",
        method="POST",
        api=True,
        body=lambda w: {
            "assessment": _a(w),
            "questions": w.extras["questions_a"].pk,
            "channel": "phone",
            "answers": {"q1": 5},
        },
    ),
    Endpoint("shegong_evaluation_api_list_rankings", "list", lambda w: "/api/v1/rankings", api=True),
    Endpoint(
        "shegong_evaluation_api_get_ranking",
        "detail",
        lambda w: f"/api/v1/rankings/{w.extras['bulletin_a'].pk}",
        api=True,
    ),
]


def extend(world):
    from shegong.accounts.actor import SystemActor
    from shegong.evaluation import services
    from shegong.evaluation.models import Bulletin, QuestionSet, RuleKind, Subsidy
    from shegong.evaluation.templates_data import TEMPLATES

    town = world.regions["town_a"]
    actor = SystemActor()
    framework = services.framework_install(actor=actor, region=town, code="SPPE")
    assessment = services.assessment_create(
        actor=actor,
        framework=framework,
        stage="quarter",
        party="third_party",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        node=world.station_a,
    )
    questions = QuestionSet.objects.create(
        name="满意度MARKERA", region=town, questions=[{"key": "q1", "text": "满意吗", "kind": "scale"}]
    )
    bulletin = Bulletin.objects.create(
        region=town,
        framework=framework,
        year=2026,
        quarter=1,
        status="published",
        rows=[
            {
                "node_id": world.station_a.pk,
                "name": world.station_a.name,
                "region_code": town.code,
                "rank": 1,
                "total": "50.00",
                "themes": {},
                "parties": {},
                "assessments": [assessment.pk],
                "red_flag": True,
            }
        ],
    )
    subsidy = Subsidy.objects.create(
        subject="station",
        node=world.station_a,
        year=2026,
        investment="1000.00",
        percent=40,
        cap="300000.00",
        amount="400.00",
        region_code=world.station_a.region_code,
    )
    world.extras.update(
        framework_a=framework,
        assessment_a=assessment,
        score_a=assessment.scores.filter(indicator__rule=RuleKind.ENTERED).first(),
        questions_a=questions,
        bulletin_a=bulletin,
        subsidy_a=subsidy,
        marker_questions="满意度MARKERA",
    )
    _ = TEMPLATES

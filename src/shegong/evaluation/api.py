"""/api/v1/frameworks, /assessments, /surveys and /rankings: scoped like the pages, writes through the services."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS, StrictSchema, paginated
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Assessment, Bulletin, Framework, QuestionSet, Score

frameworks = Router(tags=["evaluation"])
assessments = Router(tags=["evaluation"])
surveys = Router(tags=["evaluation"])
rankings = Router(tags=["evaluation"])


class PageIn(Schema):
    page: int = Field(1, ge=1, le=100000)


class FrameworkOut(Schema):
    id: int
    code: str
    version: int
    name: str
    subject: str
    max_points: str
    party_weights: dict[str, int]


class IndicatorOut(Schema):
    code: str
    name: str
    dimension: str
    max_points: str
    rule: str
    metric: str
    theme: str
    evidence: str


class FrameworkDetailOut(FrameworkOut):
    indicators: list[IndicatorOut]


class FrameworkPage(Schema):
    count: int
    page: int
    pages: int
    results: list[FrameworkOut]


def _framework(f: Framework) -> dict:
    return {
        "id": f.pk,
        "code": f.code,
        "version": f.version,
        "name": f.name,
        "subject": f.subject,
        "max_points": f"{f.max_points:.2f}",
        "party_weights": f.party_weights,
    }


@frameworks.get("", response={200: FrameworkPage, **STANDARD_ERRORS})
def list_frameworks(request, filters: Query[PageIn]):
    request.auth.require("evaluation.view")
    queryset = selectors.frameworks().prefetch_related("dimensions__indicators")
    return paginated(queryset, filters.page, _framework)


@frameworks.get("/{int:framework_id}", response={200: FrameworkDetailOut, **STANDARD_ERRORS})
def get_framework(request, framework_id: int):
    request.auth.require("evaluation.view")
    f = get_scoped_or_404(Framework.objects.prefetch_related("dimensions__indicators"), pk=framework_id)
    return {
        **_framework(f),
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "dimension": d.name,
                "max_points": f"{i.max_points:.2f}",
                "rule": i.rule,
                "metric": i.metric,
                "theme": i.theme,
                "evidence": i.evidence,
            }
            for d in f.dimensions.all()
            for i in d.indicators.all()
        ],
    }


class AssessmentOut(Schema):
    id: int
    framework: int
    subject: str
    node: int | None
    project: int | None
    subject_name: str
    stage: str
    party: str
    period_start: datetime.date
    period_end: datetime.date
    status: str
    total: str


class ScoreOut(Schema):
    id: int | None
    indicator: str
    name: str
    max_points: str
    value: str | None
    points: str
    evidence: str
    source: dict[str, Any]


class AssessmentDetailOut(AssessmentOut):
    scores: list[ScoreOut]


class AssessmentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AssessmentOut]


def _assessment(a: Assessment) -> dict:
    return {
        "id": a.pk,
        "framework": a.framework_id,
        "subject": a.subject,
        "node": a.node_id,
        "project": a.project_id,
        "subject_name": a.subject_name,
        "stage": a.stage,
        "party": a.party,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "status": a.status,
        "total": a.signed_sheet["total"] if a.is_signed else f"{a.total:.2f}",
    }


@assessments.get("", response={200: AssessmentPage, **STANDARD_ERRORS})
def list_assessments(request, filters: Query[PageIn]):
    """The assessments the caller may see: an evaluator only those assigned to it."""
    request.auth.require("evaluation.view")
    return paginated(selectors.assessments(), filters.page, _assessment)


def _fetch(request, assessment_id: int) -> Assessment:
    request.auth.require("evaluation.view")
    return get_scoped_or_404(selectors.assessments(), pk=assessment_id)


@assessments.get("/{int:assessment_id}", response={200: AssessmentDetailOut, **STANDARD_ERRORS})
def get_assessment(request, assessment_id: int):
    a = _fetch(request, assessment_id)
    rows = [row for group in selectors.sheet(a) for row in group["rows"]]
    return {
        **_assessment(a),
        "scores": [
            {
                "id": r["pk"],
                "indicator": r["code"],
                "name": r["name"],
                "max_points": str(r["max"]),
                "value": None if r["value"] is None else str(r["value"]),
                "points": str(r["points"]),
                "evidence": r["evidence"],
                "source": r["source"] or {},
            }
            for r in rows
        ],
    }


class ScoreIn(StrictSchema):
    points: str = Field(max_length=12, description="points as a string, at most 2 decimal places")
    evidence: str = Field("", max_length=2000)


@assessments.put(
    "/{int:assessment_id}/scores/{int:score_id}", response={200: AssessmentOut, **STANDARD_ERRORS}
)
def enter_score(request, assessment_id: int, score_id: int, payload: ScoreIn):
    """An evaluator's score for an entered indicator; 422 (field ``points``) outside 0 to its maximum."""
    a = _fetch(request, assessment_id)
    score = get_scoped_or_404(Score.objects.filter(assessment=a).select_related("indicator"), pk=score_id)
    services.score_enter(actor=request.auth, score=score, points=payload.points, evidence=payload.evidence)
    a.refresh_from_db()
    return _assessment(a)


@assessments.post("/{int:assessment_id}/sign", response={200: AssessmentOut, **STANDARD_ERRORS})
def sign_assessment(request, assessment_id: int):
    a = _fetch(request, assessment_id)
    services.assessment_sign(actor=request.auth, assessment=a)
    return _assessment(a)


class AnswerIn(StrictSchema):
    assessment: int
    questions: int
    channel: Literal["phone", "forum"]
    answers: dict[str, int | str]
    received_on: datetime.date | None = None


class AnswerOut(Schema):
    id: int
    assessment: int
    channel: str


@surveys.post("/answers", response={201: AnswerOut, **STANDARD_ERRORS})
def record_answer(request, payload: AnswerIn):
    """An answer sheet taken by phone or at a forum; it names no respondent."""
    a = _fetch(request, payload.assessment)
    questions = get_scoped_or_404(QuestionSet, pk=payload.questions)
    response = services.answer_record(
        actor=request.auth,
        assessment=a,
        questions=questions,
        channel=payload.channel,
        answers=payload.answers,
        received_on=payload.received_on,
    )
    return Status(201, {"id": response.pk, "assessment": a.pk, "channel": response.channel})


class RankingRow(Schema):
    rank: int | None
    node_id: int
    name: str
    total: str | None
    themes: dict[str, str]
    red_flag: bool


class BulletinOut(Schema):
    id: int
    region: str
    year: int
    quarter: int
    version: int
    status: str
    corrects: int | None
    correction_note: str
    published_at: datetime.datetime | None
    rows: list[RankingRow]


class BulletinPage(Schema):
    count: int
    page: int
    pages: int
    results: list[BulletinOut]


def _bulletin(b: Bulletin) -> dict:
    return {
        "id": b.pk,
        "region": b.region_id,
        "year": b.year,
        "quarter": b.quarter,
        "version": b.version,
        "status": b.status,
        "corrects": b.corrects_id,
        "correction_note": b.correction_note,
        "published_at": b.published_at,
        "rows": [
            {k: r[k] for k in ("rank", "node_id", "name", "total", "themes", "red_flag")} for r in b.rows
        ],
    }


@rankings.get("", response={200: BulletinPage, **STANDARD_ERRORS})
def list_rankings(request, filters: Query[PageIn]):
    request.auth.require("evaluation.view")
    return paginated(selectors.bulletins(), filters.page, _bulletin)


@rankings.get("/{int:bulletin_id}", response={200: BulletinOut, **STANDARD_ERRORS})
def get_ranking(request, bulletin_id: int):
    request.auth.require("evaluation.view")
    return _bulletin(get_scoped_or_404(selectors.bulletins(), pk=bulletin_id))


ROUTERS = [
    ("/frameworks", frameworks),
    ("/assessments", assessments),
    ("/surveys", surveys),
    ("/rankings", rankings),
]

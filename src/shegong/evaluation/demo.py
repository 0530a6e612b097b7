"""Demo evaluation for Yuzhong: both frameworks, four quarters of the competition for its 11 stations (a signed
third-party assessment per station and quarter, scored from the city's live figures plus entered points) with a
published bulletin each, mid-term and final assessments of several projects with survey answers, and each
station's computed subsidy. Rows are bulk-inserted; computed scores go through the same metrics the pages use."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.accounts.models import User
from shegong.audit.services import record
from shegong.regions.models import RegionStandard

from . import metrics, ranking, selectors, services
from .models import (
    Assessment,
    AssessmentStage,
    AssessmentStatus,
    Bulletin,
    Indicator,
    Party,
    QuestionSet,
    RuleKind,
    Score,
    SubjectKind,
    SurveyChannel,
    SurveyResponse,
)

QUESTIONS = [
    {"key": "attitude", "text": "您对社工的服务态度满意吗？", "kind": "scale"},
    {"key": "help", "text": "社工的服务对您有帮助吗？", "kind": "scale"},
    {"key": "timely", "text": "您反映的需求是否得到及时回应？", "kind": "scale"},
    {"key": "advice", "text": "您对社工站还有什么意见和建议？", "kind": "text"},
]
ADVICE = ["", "希望多来走访", "活动很丰富", "", "社工很耐心", ""]


def already_loaded() -> bool:
    return Bulletin.objects.filter(region_code__startswith="500103").exists()


def recent_quarters(today: datetime.date, count: int = 4) -> list[tuple[int, int]]:
    """The ``count`` most recent complete quarters, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append((year, quarter))
    return list(reversed(out))


def _sheet(framework, indicators, scores, total) -> dict:
    return {
        "framework": {"code": framework.code, "version": framework.version},
        "total": str(total),
        "scores": [
            {
                "indicator": i.code,
                "name": i.name,
                "dimension": i.dimension.name,
                "theme": i.theme,
                "max": str(i.max_points),
                "value": None if s.value is None else str(s.value),
                "points": str(s.points),
                "evidence": s.evidence,
                "source": s.source,
            }
            for i, s in zip(indicators, scores, strict=True)
        ],
    }


def _scored(indicators, subject, since, until, rng, strength):
    """Scores for the indicators: computed ones measured, entered ones drawn around the station's strength."""
    out = []
    for indicator in indicators:
        score = Score(indicator=indicator)
        if indicator.rule == RuleKind.COMPUTED:
            found = metrics.measure(indicator.metric, subject, since, until)
            score.value = found.value
            score.points = metrics.score_on_curve(found.value, indicator.curve, indicator.max_points)
            score.source = {"counted": found.counted, "cells": found.cells, "metric": indicator.metric}
        elif indicator.rule == RuleKind.ENTERED:
            share = min(Decimal(1), Decimal(str(round(strength + rng.uniform(-0.15, 0.1), 2))))
            score.points = (indicator.max_points * max(Decimal("0.3"), share)).quantize(Decimal("0.01"))
            score.evidence = indicator.evidence
            score.source = {"entered_by": "demo"}
        out.append(score)
    return out


def load(ctx) -> None:
    if not ctx.stations or not ctx.district:
        return
    actor, rng, today = ctx.actor, ctx.rng, ctx.today
    district = ctx.district
    sppe = services.framework_install(actor=actor, region=district, code="SPPE")
    services.framework_install(actor=actor, region=district, code="STATION1000")
    questions = QuestionSet.objects.create(name="服务对象满意度问卷", region=district, questions=QUESTIONS)
    evaluator = User.objects.filter(username="pinggu").first()
    indicators = list(
        Indicator.objects.filter(dimension__framework=sppe)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    survey_ids = [i.pk for i in indicators if i.rule == RuleKind.SURVEY]
    strengths = {s.pk: rng.uniform(0.55, 0.95) for s in ctx.stations}
    now = timezone.now()

    quarters = recent_quarters(today)
    planned = []  # (assessment, scores)
    for year, quarter in quarters:
        start, end = ranking.quarter_bounds(year, quarter)
        for station in ctx.stations:
            subject = metrics.Subject(codes=[station.region_id])
            scores = _scored(indicators, subject, start, end, rng, strengths[station.pk])
            # Survey: a handful of answer sheets per quarter (bulk below); the average feeds the Effect dimension.
            average = Decimal(
                str(round(min(5.0, 3.2 + strengths[station.pk] * 2 + rng.uniform(-0.3, 0.3)), 2))
            )
            for score in scores:
                if score.indicator_id in survey_ids:
                    score.value = average
                    score.points = ((average - 1) / 4 * score.indicator.max_points).quantize(Decimal("0.01"))
                    score.source = {"counted": True, "sheets": 6}
            total = sum((s.points for s in scores), Decimal(0))
            assessment = Assessment(
                framework=sppe,
                subject=SubjectKind.STATION,
                node=station,
                organisation_id=station.operator_id,
                stage=AssessmentStage.QUARTER,
                party=Party.THIRD_PARTY,
                period_start=start,
                period_end=end,
                evaluator=evaluator,
                status=AssessmentStatus.SIGNED,
                total=total,
                signed_at=now,
                signed_by=evaluator,
                signed_sheet=_sheet(sppe, indicators, scores, total),
                region_code=station.region_id,
            )
            planned.append((assessment, scores))
    Assessment.objects.bulk_create([a for a, _ in planned])
    rows, answers = [], []
    for assessment, scores in planned:
        for score in scores:
            score.assessment = assessment
            score.region_code = assessment.region_code
            rows.append(score)
        for n in range(6):
            day = assessment.period_start + datetime.timedelta(days=rng.randrange(0, 80))
            answers.append(
                SurveyResponse(
                    assessment=assessment,
                    questions=questions,
                    channel=[SurveyChannel.PHONE, SurveyChannel.LINK, SurveyChannel.FORUM][n % 3],
                    answers={
                        "attitude": rng.choice([4, 5, 5]),
                        "help": rng.choice([3, 4, 5]),
                        "timely": rng.choice([3, 4, 5]),
                        "advice": ADVICE[n],
                    },
                    received_on=day,
                    region_code=assessment.region_code,
                )
            )
    Score.objects.bulk_create(rows, batch_size=500)
    SurveyResponse.objects.bulk_create(answers, batch_size=500)

    for year, quarter in quarters:
        start, _end = ranking.quarter_bounds(year, quarter)
        published_at = timezone.make_aware(
            datetime.datetime.combine(_end + datetime.timedelta(days=10), datetime.time(10))
        )
        bulletin = Bulletin.objects.create(
            region=district,
            framework=sppe,
            year=year,
            quarter=quarter,
            status=Bulletin.Status.PUBLISHED,
            published_at=published_at,
            rows=ranking.rank(region=district, framework=sppe, year=year, quarter=quarter),
        )
        record("evaluation.bulletin.publish", actor=actor, obj=bulletin, changes={"version": 1})

    # Mid-term and final assessments of a few projects, by the third party, with a phone survey each.
    projects = [
        p for p in ctx.extra.get("projects", []) if p.state in ("mid_review", "final_review", "executing")
    ][:4]
    for index, project in enumerate(projects):
        stage = AssessmentStage.FINAL if index % 2 else AssessmentStage.MID
        assessment = services.assessment_create(
            actor=actor,
            framework=sppe,
            stage=stage,
            party=Party.THIRD_PARTY,
            period_start=project.starts_on,
            period_end=min(project.ends_on, today),
            project=project,
            evaluator=evaluator,
        )
        for n in range(3):
            services.answer_record(
                actor=actor,
                assessment=assessment,
                questions=questions,
                channel=SurveyChannel.PHONE if n else SurveyChannel.FORUM,
                answers={"attitude": 5, "help": 4 + n % 2, "timely": 4, "advice": ADVICE[n]},
                received_on=min(project.ends_on, today),
            )
        if index < 2:
            services.assessment_sign(actor=actor, assessment=assessment)

    # Subsidies for the year of the latest bulletin: each station's recorded spend, at the district's policy.
    year = quarters[-1][0]
    annual = {row["node_id"]: row["total"] for row in selectors.annual(district.code, year)}
    full = sppe.max_points * len([q for q in quarters if q[0] == year])
    # Yuzhong's own threshold (local policy): half the points, while cases, groups and demands are not yet counted.
    RegionStandard.objects.update_or_create(region=district, defaults={"subsidy_min_score_percent": 50})
    for station in ctx.stations:
        try:
            subsidy = services.subsidy_compute(
                actor=actor, year=year, node=station, score=annual.get(station.pk), max_points=full
            )
        except ValidationError:
            continue  # below the district's threshold: no subsidy
        if subsidy.amount and strengths[station.pk] > 0.75:
            services.subsidy_approve(actor=actor, subsidy=subsidy)

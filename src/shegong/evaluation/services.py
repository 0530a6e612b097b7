"""Writes of the evaluation app: frameworks, assessments and their scores, surveys, bulletins, subsidies.

Every write is atomic, cleaned before it is saved and audited. Scores of a draft assessment are recomputed from live
data (``assessment_recompute``); a signed assessment is frozen, its sheet kept in ``signed_sheet``.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.actor import Actor
from shegong.audit.services import record
from shegong.core.scoping import across_regions
from shegong.projects.models import Expenditure, ExpenditureStatus, Project
from shegong.regions.selectors import policy_for

from . import metrics
from .models import (
    Assessment,
    AssessmentStatus,
    Bulletin,
    Dimension,
    Framework,
    Indicator,
    QuestionSet,
    RuleKind,
    Score,
    SubjectKind,
    Subsidy,
    SurveyChannel,
    SurveyInvite,
    SurveyResponse,
)
from .templates_data import TEMPLATES

CENT = Decimal("0.01")


# Frameworks -----------------------------------------------------------------------------------------------------


def framework_install(*, actor, region, code: str) -> Framework:
    """A new version of a shipped template in ``region`` (the first is version 1)."""
    actor.require("evaluation.manage", region.code)
    template = TEMPLATES.get(code)
    if template is None:
        raise ValidationError({"code": _("没有这个指标框架模板")})
    with transaction.atomic():
        latest = Framework.objects.filter(region=region, code=code).aggregate(v=Max("version"))["v"] or 0
        framework = Framework(
            code=code,
            version=latest + 1,
            name=template["name"],
            subject=template["subject"],
            region=region,
            region_code=region.code,
            party_weights=template["party_weights"],
        )
        framework.full_clean()
        framework.save()
        for d_order, (d_code, d_name, indicators) in enumerate(template["dimensions"]):
            dimension = Dimension.objects.create(framework=framework, code=d_code, name=d_name, order=d_order)
            Indicator.objects.bulk_create(
                Indicator(
                    dimension=dimension,
                    code=i_code,
                    name=name,
                    max_points=Decimal(points),
                    rule=rule,
                    metric=metric,
                    curve=curve,
                    evidence=evidence,
                    theme=theme,
                    order=i_order,
                )
                for i_order, (i_code, name, points, rule, metric, curve, evidence, theme) in enumerate(
                    indicators
                )
            )
        record(
            "evaluation.framework.create", actor=actor, obj=framework, changes={"version": framework.version}
        )
    return framework


def framework_set_weights(*, actor, framework: Framework, weights: dict) -> Framework:
    """The four-party committee's weights (percent, summing to 100). An assessment already scored keeps its
    points; the weights only combine parties' totals."""
    actor.require("evaluation.manage", framework.region_code)
    keys = {"self", "third_party", "buyer", "users"}
    errors = {}
    clean = {}
    for key in sorted(keys):
        try:
            clean[key] = int(weights.get(key, 0))
        except (TypeError, ValueError):
            errors[key] = [_("权重须为整数")]
            continue
        if clean[key] < 0:
            errors[key] = [_("权重不能为负数")]
    if not errors and sum(clean.values()) != 100:
        errors["party_weights"] = [_("四方权重之和须为 100")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(framework.party_weights)
        framework.party_weights = clean
        framework.save(update_fields=["party_weights"])
        record(
            "evaluation.framework.weights",
            actor=actor,
            obj=framework,
            changes={"before": before, "after": clean},
        )
    return framework


# Assessments ----------------------------------------------------------------------------------------------------


def assessment_create(
    *,
    actor,
    framework: Framework,
    stage: str,
    party: str,
    period_start: datetime.date,
    period_end: datetime.date,
    node=None,
    project: Project | None = None,
    evaluator=None,
) -> Assessment:
    subject = node or project
    if subject is None:
        raise ValidationError({"node": _("请选择评估对象")})
    actor.require("evaluation.manage", subject.region_code)
    assessment = Assessment(
        framework=framework,
        subject=SubjectKind.STATION if node else SubjectKind.PROJECT,
        node=node,
        project=project,
        organisation_id=node.operator_id if node else project.operator_id,
        stage=stage,
        party=party,
        period_start=period_start,
        period_end=period_end,
        evaluator=evaluator,
        region_code=subject.region_code,
    )
    errors = {}
    if period_end and period_start and period_end < period_start:
        errors["period_end"] = [_("结束日期不能早于开始日期")]
    if evaluator is not None and not Actor.for_user(evaluator).can("evaluation.score", subject.region_code):
        errors["evaluator"] = [_("该账号在此区划没有评估人员角色")]
    try:
        assessment.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment.save()
        indicators = Indicator.objects.filter(dimension__framework=framework)
        Score.objects.bulk_create(
            Score(assessment=assessment, indicator=i, region_code=assessment.region_code) for i in indicators
        )
        _recompute(assessment)
        record(
            "evaluation.assessment.create",
            actor=actor,
            obj=assessment,
            changes={"stage": stage, "party": party},
        )
    return assessment


def _subject(assessment: Assessment) -> metrics.Subject:
    if assessment.project_id:
        project = assessment.project
        return metrics.Subject(codes=sorted(r.code for r in project.service_regions.all()), project=project)
    return metrics.Subject(codes=[assessment.node.region_code])


def survey_average(assessment: Assessment) -> tuple[Decimal | None, int]:
    """The average of every scale answer (1–5) about the assessment's subject over its period, and how many
    answer sheets it came from. Answers about the same subject from every party's survey count."""
    responses = SurveyResponse.objects.filter(
        received_on__gte=assessment.period_start, received_on__lte=assessment.period_end
    ).select_related("questions")
    if assessment.node_id:
        responses = responses.filter(assessment__node_id=assessment.node_id)
    else:
        responses = responses.filter(assessment__project_id=assessment.project_id)
    values, sheets = [], 0
    for response in responses:
        sheets += 1
        for key in response.questions.scale_keys:
            value = response.answers.get(key)
            if isinstance(value, int) and 1 <= value <= 5:
                values.append(Decimal(value))
    if not values:
        return None, sheets
    return (sum(values) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), sheets


def _recompute(assessment: Assessment) -> Decimal:
    subject = _subject(assessment)
    scores = list(assessment.scores.select_related("indicator"))
    average, sheets = survey_average(assessment)
    for score in scores:
        indicator = score.indicator
        if indicator.rule == RuleKind.COMPUTED:
            found = metrics.measure(indicator.metric, subject, assessment.period_start, assessment.period_end)
            score.value = found.value
            score.points = metrics.score_on_curve(found.value, indicator.curve, indicator.max_points)
            score.source = {"counted": found.counted, "cells": found.cells, "metric": indicator.metric}
        elif indicator.rule == RuleKind.SURVEY:
            score.value = average
            fraction = Decimal(0) if average is None else (average - 1) / 4
            score.points = (fraction * indicator.max_points).quantize(CENT, rounding=ROUND_HALF_UP)
            score.source = {"counted": average is not None, "sheets": sheets}
    Score.objects.bulk_update(scores, ["value", "points", "source"])
    assessment.total = sum((s.points for s in scores), Decimal(0)).quantize(CENT)
    assessment.save(update_fields=["total"])
    return assessment.total


def _editable(assessment: Assessment) -> None:
    if assessment.is_signed:
        raise ValidationError({"status": _("评估已签署，不能再修改；如需更正请新建评估")})


def assessment_recompute(*, actor, assessment: Assessment) -> Decimal:
    actor.require("evaluation.view", assessment.region_code)
    _editable(assessment)
    with transaction.atomic():
        before = assessment.total
        total = _recompute(assessment)
        if total != before:
            record(
                "evaluation.assessment.recompute",
                actor=actor,
                obj=assessment,
                changes={"total": {"before": before, "after": total}},
            )
    return total


def _may_score(actor, assessment: Assessment) -> None:
    """The assigned evaluator scores; the bureau may too (a self-assessment is entered by the operator)."""
    if actor.can("evaluation.manage", assessment.region_code):
        return
    if assessment.party == "self" and actor.can("evaluation.self", assessment.region_code):
        return
    if actor.can("evaluation.score", assessment.region_code) and assessment.evaluator_id == actor.user.pk:
        return
    raise PermissionDenied("evaluation.score")


def score_enter(*, actor, score: Score, points, evidence: str = "") -> Score:
    assessment = score.assessment
    _may_score(actor, assessment)
    _editable(assessment)
    if score.indicator.rule != RuleKind.ENTERED:
        raise ValidationError({"points": _("该指标由系统计算，不能手工评分")})
    try:
        value = Decimal(str(points).strip())
    except ArithmeticError:
        raise ValidationError({"points": _("请填写数字分值")}) from None
    if not value.is_finite() or value < 0 or value > score.indicator.max_points:
        raise ValidationError(
            {"points": _("分值须在 0 到 %(max)s 之间") % {"max": score.indicator.max_points}}
        )
    if value != value.quantize(CENT):
        raise ValidationError({"points": _("分值最多保留两位小数")})
    with transaction.atomic():
        before = {"points": score.points, "evidence": score.evidence}
        score.points = value.quantize(CENT)
        score.evidence = evidence.strip()[:2000]
        score.source = {"entered_by": actor.user.pk}
        score.full_clean()
        score.save()
        _recompute(assessment)
        record(
            "evaluation.score.enter",
            actor=actor,
            obj=assessment,
            changes={score.indicator.code: {"before": before, "after": {"points": score.points}}},
        )
    return score


def sheet_of(assessment: Assessment) -> dict:
    """The assessment's sheet as it stands: what sign-off freezes."""
    scores = assessment.scores.select_related("indicator__dimension").order_by(
        "indicator__dimension__order", "indicator__order"
    )
    return {
        "framework": {"code": assessment.framework.code, "version": assessment.framework.version},
        "total": str(assessment.total),
        "scores": [
            {
                "indicator": s.indicator.code,
                "name": s.indicator.name,
                "dimension": s.indicator.dimension.name,
                "theme": s.indicator.theme,
                "max": str(s.indicator.max_points),
                "value": None if s.value is None else str(s.value),
                "points": str(s.points),
                "evidence": s.evidence,
                "source": s.source,
            }
            for s in scores
        ],
    }


def assessment_sign(*, actor, assessment: Assessment, now=None) -> Assessment:
    _may_score(actor, assessment)
    _editable(assessment)
    with transaction.atomic():
        _recompute(assessment)
        assessment.signed_sheet = sheet_of(assessment)
        assessment.status = AssessmentStatus.SIGNED
        assessment.signed_at = now or timezone.now()
        assessment.signed_by = actor.user
        assessment.save(update_fields=["signed_sheet", "status", "signed_at", "signed_by"])
        record("evaluation.assessment.sign", actor=actor, obj=assessment, changes={"total": assessment.total})
    return assessment


# Surveys --------------------------------------------------------------------------------------------------------


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_answers(questions: QuestionSet, answers: dict) -> dict:
    errors, clean = {}, {}
    for q in questions.questions:
        value = answers.get(q["key"])
        if q.get("kind") == "scale":
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors[q["key"]] = [_("请选择 1 到 5 分")]
                continue
            if not 1 <= number <= 5:
                errors[q["key"]] = [_("请选择 1 到 5 分")]
                continue
            clean[q["key"]] = number
        else:
            clean[q["key"]] = str(value or "").strip()[:1000]
    if errors:
        raise ValidationError(errors)
    return clean


def invite_create(*, actor, assessment: Assessment, questions: QuestionSet) -> tuple[SurveyInvite, str]:
    """A one-time link for one service user; the token is shown once and only its digest is kept."""
    actor.require("evaluation.manage", assessment.region_code)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        invite = SurveyInvite.objects.create(
            assessment=assessment, questions=questions, token_digest=digest(token)
        )
        record("evaluation.survey.invite", actor=actor, obj=assessment)
    return invite, token


class InviteUsed(Exception):
    """The link was answered already, or never existed: the same answer for both."""


def invite_for_token(token: str) -> SurveyInvite:
    with across_regions("a one-time survey link is opened by someone without an account"):
        invite = (
            SurveyInvite.objects.select_related("questions", "assessment")
            .filter(token_digest=digest(token))
            .first()
        )
    if invite is None or invite.used_at is not None:
        raise InviteUsed
    return invite


def answer_by_token(*, token: str, answers: dict, today=None) -> None:
    """Answer a one-time link: the sheet keeps no link to the invite, so the answer is anonymous."""
    with transaction.atomic(), across_regions("a one-time survey link is answered without an account"):
        invite = SurveyInvite.objects.select_for_update().filter(token_digest=digest(token)).first()
        if invite is None or invite.used_at is not None:
            raise InviteUsed
        clean = _clean_answers(invite.questions, answers)
        SurveyResponse.objects.create(
            assessment=invite.assessment,
            questions=invite.questions,
            channel=SurveyChannel.LINK,
            answers=clean,
            received_on=today or timezone.localdate(),
        )
        invite.used_at = timezone.now()
        invite.save(update_fields=["used_at"])
        record(
            "evaluation.survey.answer",
            actor=None,
            obj=invite.assessment,
            actor_name="survey-link",
            changes={"channel": "link"},
        )


def answer_record(
    *, actor, assessment: Assessment, questions: QuestionSet, channel: str, answers: dict, received_on=None
) -> SurveyResponse:
    """An answer taken by phone or gathered at a forum, recorded by staff."""
    _may_score(actor, assessment)
    if channel not in (SurveyChannel.PHONE, SurveyChannel.FORUM):
        raise ValidationError({"channel": _("请选择电话回访或座谈会")})
    clean = _clean_answers(questions, answers)
    with transaction.atomic():
        response = SurveyResponse(
            assessment=assessment,
            questions=questions,
            channel=channel,
            answers=clean,
            received_on=received_on or timezone.localdate(),
            region_code=assessment.region_code,
        )
        response.full_clean()
        response.save()
        if not assessment.is_signed:
            _recompute(assessment)
        record("evaluation.survey.answer", actor=actor, obj=assessment, changes={"channel": channel})
    return response


# The quarterly competition -------------------------------------------------------------------------------------


def bulletin_generate(*, actor, region, framework: Framework, year: int, quarter: int) -> Bulletin:
    """A draft bulletin for the quarter (or the draft regenerated from the data as it stands)."""
    from . import ranking

    actor.require("evaluation.manage", region.code)
    if not 1 <= int(quarter) <= 4:
        raise ValidationError({"quarter": _("季度须为 1 到 4")})
    with transaction.atomic():
        existing = (
            Bulletin.objects.filter(region=region, year=year, quarter=quarter).order_by("-version").first()
        )
        rows = ranking.rank(region=region, framework=framework, year=year, quarter=quarter)
        if existing and existing.status == Bulletin.Status.DRAFT:
            existing.rows, existing.framework = rows, framework
            existing.save(update_fields=["rows", "framework"])
            bulletin = existing
        elif existing:
            raise ValidationError({"quarter": _("该季度的通报已发布；如需更正请发布更正版")})
        else:
            bulletin = Bulletin.objects.create(
                region=region, framework=framework, year=year, quarter=quarter, rows=rows
            )
        record("evaluation.bulletin.generate", actor=actor, obj=bulletin, changes={"rows": len(rows)})
    return bulletin


def bulletin_publish(*, actor, bulletin: Bulletin, now=None) -> Bulletin:
    actor.require("evaluation.publish", bulletin.region_code)
    if bulletin.status == Bulletin.Status.PUBLISHED:
        raise ValidationError({"status": _("通报已发布，不能修改")})
    with transaction.atomic():
        bulletin.status = Bulletin.Status.PUBLISHED
        bulletin.published_at = now or timezone.now()
        bulletin.save(update_fields=["status", "published_at"])
        record(
            "evaluation.bulletin.publish", actor=actor, obj=bulletin, changes={"version": bulletin.version}
        )
    return bulletin


def bulletin_correct(*, actor, bulletin: Bulletin, note: str) -> Bulletin:
    """A correction: a new draft version, ranked from the data as it stands, saying what it corrects."""
    from . import ranking

    actor.require("evaluation.manage", bulletin.region_code)
    if not note.strip():
        raise ValidationError({"note": _("请说明更正的内容")})
    if bulletin.status != Bulletin.Status.PUBLISHED:
        raise ValidationError({"note": _("只有已发布的通报可以更正")})
    with transaction.atomic():
        latest = Bulletin.objects.filter(
            region_id=bulletin.region_id, year=bulletin.year, quarter=bulletin.quarter
        )
        version = latest.aggregate(v=Max("version"))["v"] + 1
        correction = Bulletin.objects.create(
            region_id=bulletin.region_id,
            framework=bulletin.framework,
            year=bulletin.year,
            quarter=bulletin.quarter,
            version=version,
            corrects=bulletin,
            correction_note=note.strip()[:300],
            rows=ranking.rank(
                region=bulletin.region,
                framework=bulletin.framework,
                year=bulletin.year,
                quarter=bulletin.quarter,
            ),
        )
        record("evaluation.bulletin.correct", actor=actor, obj=correction, changes={"corrects": bulletin.pk})
    return correction


# Subsidy ---------------------------------------------------------------------------------------------------------


def subsidy_amount(investment: Decimal, percent: int, cap: Decimal) -> Decimal:
    """``percent`` of the investment, at most ``cap``: ¥900,000 at 40% capped at ¥300,000 is ¥300,000."""
    raw = (Decimal(investment) * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(raw, Decimal(cap).quantize(CENT))


def investment_of(*, node=None, project=None, year: int) -> tuple[Decimal, list]:
    """Actual investment in the year from the projects' recorded spending: a project's own; a station's, the
    spending of the projects bought by its township (the station-operation projects). Returns the sum and, per
    project, [id, code, name, spent] — the drill-down."""
    projects = (
        Project.objects.filter(pk=project.pk) if project else Project.objects.filter(buyer_id=node.region_id)
    )
    rows = (
        # Only spending the operator's finance approved and the buyer reviewed counts (projects' rule).
        Expenditure.objects.filter(
            project__in=projects, spent_on__year=year, status=ExpenditureStatus.REVIEWED
        )
        .values("project_id", "project__code", "project__name")
        .annotate(spent=Sum("amount"))
        .order_by("project__code")
    )
    sources = [[r["project_id"], r["project__code"], r["project__name"], str(r["spent"])] for r in rows]
    return sum((r["spent"] for r in rows), Decimal(0)), sources


def subsidy_compute(
    *,
    actor,
    year: int,
    node=None,
    project=None,
    score: Decimal | None = None,
    max_points: Decimal | None = None,
) -> Subsidy:
    """The subsidy of a station or project that evaluated well: with ``score`` out of ``max_points`` given, one
    below the district's threshold (``subsidy_min_score_percent``) is refused, naming the threshold."""
    subject = node or project
    actor.require("evaluation.manage", subject.region_code)
    policy = policy_for(subject.region_code)
    if score is not None and max_points:
        needed = (Decimal(max_points) * policy.subsidy_min_score_percent / 100).quantize(CENT)
        if Decimal(score) < needed:
            raise ValidationError(
                {"score": _("评估得分 %(s)s 未达到补贴门槛 %(n)s 分") % {"s": score, "n": needed}}
            )
    investment, sources = investment_of(node=node, project=project, year=year)
    cap = Decimal(policy.subsidy_cap_yuan)
    with transaction.atomic():
        existing = Subsidy.objects.filter(node=node, project=project, year=year).first()
        if existing and existing.status == Subsidy.Status.APPROVED:
            raise ValidationError({"year": _("该年度补贴已批准，不能重新核算")})
        subsidy = existing or Subsidy(
            subject=SubjectKind.STATION if node else SubjectKind.PROJECT,
            node=node,
            project=project,
            year=year,
        )
        subsidy.region_code = subject.region_code
        subsidy.investment = investment
        subsidy.percent = policy.subsidy_percent
        subsidy.cap = cap
        subsidy.amount = subsidy_amount(investment, policy.subsidy_percent, cap)
        subsidy.score = score
        subsidy.sources = sources
        subsidy.full_clean()
        subsidy.save()
        record(
            "evaluation.subsidy.compute",
            actor=actor,
            obj=subsidy,
            changes={
                "investment": investment,
                "percent": subsidy.percent,
                "cap": cap,
                "amount": subsidy.amount,
            },
        )
    return subsidy


def subsidy_approve(*, actor, subsidy: Subsidy, now=None) -> Subsidy:
    actor.require("evaluation.approve", subsidy.region_code)
    if subsidy.status == Subsidy.Status.APPROVED:
        raise ValidationError({"status": _("补贴已批准")})
    with transaction.atomic():
        subsidy.status = Subsidy.Status.APPROVED
        subsidy.approved_by = actor.user
        subsidy.approved_at = now or timezone.now()
        subsidy.save(update_fields=["status", "approved_by", "approved_at"])
        record("evaluation.subsidy.approve", actor=actor, obj=subsidy, changes={"amount": subsidy.amount})
    return subsidy

"""Evaluation pages: thin — parse, scoped fetch, one service call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.forms import apply_errors
from shegong.core.money import yuan
from shegong.core.scoping import get_scoped_or_404

from . import pdf, selectors, services
from .forms import AnswerForm, AssessmentForm, BulletinForm, CorrectForm, ScoreForm
from .models import Assessment, Bulletin, Framework, QuestionSet, Score
from .ranking import TIE_RULE


@login_required
def home(request):
    return _home(request)


def _home(request, **bound):
    request.actor.require("evaluation.view")
    year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", year))
    except ValueError:
        pass
    bulletins = list(selectors.bulletins()[:40])
    district = bulletins[0].region_id if bulletins else None
    # A reader bound to relationships (evaluator, operator, supervisor) sees no drafts: it reads the published
    # bulletins of its area, linked to their public pages.
    public = bool(request.actor.scope.relations) and not bulletins
    if public:
        bulletins = selectors.published_bulletins(request.actor.scope.region_codes)
    return render(
        request,
        "evaluation/home.html",
        {
            "frameworks": selectors.frameworks(),
            "assessments": selectors.assessments()[:60],
            "bulletins": bulletins,
            "bulletins_public": public,
            "subsidies": selectors.subsidies()[:40],
            "annual": selectors.annual(district, year) if district else [],
            "history": selectors.rank_history(district, year) if district else None,
            "year": year,
            "can_manage": request.actor.can("evaluation.manage"),
            "assessment_form": AssessmentForm(),
            "bulletin_form": BulletinForm(initial={"year": year}),
            **bound,
        },
    )


@login_required
def framework_detail(request, pk):
    request.actor.require("evaluation.view")
    framework = get_scoped_or_404(Framework, pk=pk)
    return render(request, "evaluation/framework.html", {"framework": framework})


def _assessment(request, pk) -> Assessment:
    request.actor.require("evaluation.view")
    return get_scoped_or_404(selectors.assessments(), pk=pk)


def _assessment_page(request, assessment, **extra):
    context = {
        "a": assessment,
        "sheet": selectors.sheet(assessment),
        "score_form": extra.pop("score_form", ScoreForm()),
        "answer_form": AnswerForm(),
        "question_sets": QuestionSet.objects.order_by("id"),
        "can_manage": request.actor.can("evaluation.manage", assessment.region_code),
        **extra,
    }
    return render(request, "evaluation/assessment.html", context, status=400 if extra.get("error") else 200)


@login_required
def assessment_detail(request, pk):
    return _assessment_page(request, _assessment(request, pk))


@login_required
@require_POST
def assessment_create(request):
    request.actor.require("evaluation.manage")
    form = AssessmentForm(request.POST)
    if form.is_valid():
        evaluator = None
        username = form.cleaned_data["evaluator"].strip()
        if username:
            evaluator = get_user_model().objects.filter(username=username).first()
            if evaluator is None:
                form.add_error("evaluator", _("没有这个账号"))
        if not form.errors:
            try:
                assessment = services.assessment_create(
                    actor=request.actor,
                    **{k: v for k, v in form.cleaned_data.items() if k != "evaluator"},
                    evaluator=evaluator,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("评估已发起"))
                return redirect("evaluation:assessment", assessment.pk)
    return _home(request, assessment_form=form, assessment_open=True)


@login_required
@require_POST
def score_enter(request, pk, score_pk):
    assessment = _assessment(request, pk)
    score = get_scoped_or_404(
        Score.objects.filter(assessment=assessment).select_related("indicator"), pk=score_pk
    )
    form = ScoreForm(request.POST)
    if form.is_valid():
        try:
            services.score_enter(
                actor=request.actor,
                score=score,
                points=form.cleaned_data["points"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”的评分") % {"name": score.indicator.name})
            return redirect("evaluation:assessment", assessment.pk)
    return _assessment_page(request, assessment, score_form=form, error=True, failed_score=score.pk)


@login_required
@require_POST
def assessment_action(request, pk):
    assessment = _assessment(request, pk)
    action = request.POST.get("action")
    try:
        if action == "recompute":
            services.assessment_recompute(actor=request.actor, assessment=assessment)
            messages.success(request, _("已按当前数据重新计算"))
        elif action == "sign":
            services.assessment_sign(actor=request.actor, assessment=assessment)
            messages.success(request, _("评估已签署，评分表已冻结"))
        elif action == "invite":
            questions = get_scoped_or_404(QuestionSet, pk=request.POST.get("questions"))
            _invite, token = services.invite_create(
                actor=request.actor, assessment=assessment, questions=questions
            )
            link = request.build_absolute_uri(f"/public/survey/{token}/")
            return _assessment_page(request, assessment, new_link=link)
        elif action == "answer":
            questions = get_scoped_or_404(QuestionSet, pk=request.POST.get("questions"))
            answers = {q["key"]: request.POST.get(q["key"], "") for q in questions.questions}
            services.answer_record(
                actor=request.actor,
                assessment=assessment,
                questions=questions,
                channel=request.POST.get("channel", ""),
                answers=answers,
            )
            messages.success(request, _("答卷已记录"))
        else:
            messages.error(request, _("未知操作"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("evaluation:assessment", assessment.pk)


# Bulletins -----------------------------------------------------------------------------------------------------


def _bulletin(request, pk) -> Bulletin:
    request.actor.require("evaluation.view")
    return get_scoped_or_404(selectors.bulletins(), pk=pk)


@login_required
@require_POST
def bulletin_generate(request):
    request.actor.require("evaluation.manage")
    form = BulletinForm(request.POST)
    if form.is_valid():
        framework = form.cleaned_data["framework"]
        try:
            bulletin = services.bulletin_generate(
                actor=request.actor,
                region=framework.region,
                framework=framework,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("evaluation:bulletin", bulletin.pk)
    return _home(request, bulletin_form=form)


@login_required
def bulletin_detail(request, pk):
    bulletin = _bulletin(request, pk)
    return render(
        request,
        "evaluation/bulletin.html",
        {
            "b": bulletin,
            "tie_rule": TIE_RULE,
            "correct_form": CorrectForm(),
            "can_publish": request.actor.can("evaluation.publish", bulletin.region_code),
            "can_manage": request.actor.can("evaluation.manage", bulletin.region_code),
        },
    )


@login_required
@require_POST
def bulletin_action(request, pk):
    bulletin = _bulletin(request, pk)
    try:
        if request.POST.get("action") == "publish":
            services.bulletin_publish(actor=request.actor, bulletin=bulletin)
            messages.success(request, _("通报已发布"))
        else:
            bulletin = services.bulletin_correct(
                actor=request.actor, bulletin=bulletin, note=request.POST.get("note", "")
            )
            messages.success(request, _("已生成更正版，审核后发布"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("evaluation:bulletin", bulletin.pk)


def bulletin_rows(bulletin: Bulletin) -> tuple[list[str], list[list]]:
    headers = [_("名次"), _("社工站"), _("总分"), _("蓝图"), _("能力"), _("进度"), _("成果"), _("红旗")]
    rows = [
        [
            r["rank"] or "—",
            r["name"],
            r["total"] or _("未评估"),
            *(r["themes"].get(t, "") for t in ("blueprint", "capability", "progress", "results")),
            "★" if r["red_flag"] else "",
        ]
        for r in bulletin.rows
    ]
    return headers, rows


@login_required
def bulletin_xlsx(request, pk):
    bulletin = _bulletin(request, pk)
    headers, rows = bulletin_rows(bulletin)
    title = _("%(y)s年第%(q)s季度排名通报") % {"y": bulletin.year, "q": bulletin.quarter}
    return xlsx_response(
        f"{title}-v{bulletin.version}.xlsx", build_workbook(title, headers, rows, footer=str(TIE_RULE))
    )


@login_required
def bulletin_pdf(request, pk):
    return pdf.bulletin_response(_bulletin(request, pk))


# Subsidy -------------------------------------------------------------------------------------------------------


@login_required
def subsidy_detail(request, pk):
    request.actor.require("evaluation.view")
    subsidy = get_scoped_or_404(selectors.subsidies(), pk=pk)
    return render(
        request,
        "evaluation/subsidy.html",
        {
            "s": subsidy,
            "yuan": yuan,
            "can_approve": request.actor.can("evaluation.approve", subsidy.region_code),
        },
    )


@login_required
@require_POST
def subsidy_approve(request, pk):
    request.actor.require("evaluation.view")
    subsidy = get_scoped_or_404(selectors.subsidies(), pk=pk)
    try:
        services.subsidy_approve(actor=request.actor, subsidy=subsidy)
        messages.success(request, _("补贴已批准"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("evaluation:subsidy", subsidy.pk)

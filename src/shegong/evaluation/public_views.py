"""Public pages: the published ranking bulletins (/public/rankings/, every region, no personal data — only
stations' names, ranks and scores) and the one-time satisfaction questionnaire (/public/survey/<token>/)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shegong.core.scoping import across_regions

from . import pdf, services
from .models import Bulletin
from .ranking import TIE_RULE

# Answers per client address per 10 minutes: a kiosk at a forum answers many, a script far more.
ANSWER_LIMIT = 60


def ranking_list(request):
    with across_regions("published ranking bulletins are public in every region (stations' scores only)"):
        items = list(
            Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED)
            .select_related("region")
            .order_by("-year", "-quarter", "region_id", "-version")[:200]
        )
    return render(request, "evaluation/public_list.html", {"items": items})


def _published(pk) -> Bulletin:
    with across_regions("published ranking bulletins are public in every region (stations' scores only)"):
        try:
            return Bulletin.objects.select_related("region").get(pk=pk, status=Bulletin.Status.PUBLISHED)
        except (Bulletin.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None


def ranking_detail(request, pk):
    return render(request, "evaluation/public_detail.html", {"b": _published(pk), "tie_rule": TIE_RULE})


def ranking_pdf(request, pk):
    return pdf.bulletin_response(_published(pk))


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def survey_answer(request, token):
    try:
        invite = services.invite_for_token(token)
    except services.InviteUsed:
        return render(request, "evaluation/survey.html", {"gone": True}, status=404)
    errors, typed = {}, {}
    if request.method == "POST":
        key = f"evaluation.survey.{_client(request)}"
        count = cache.get_or_set(key, 0, 600)
        if count >= ANSWER_LIMIT:
            return render(request, "evaluation/survey.html", {"limited": True}, status=429)
        cache.incr(key)
        typed = {q["key"]: request.POST.get(q["key"], "") for q in invite.questions.questions}
        if request.POST.get("website"):
            return render(request, "evaluation/survey.html", {"done": True})  # a bot: thank it, store nothing
        try:
            services.answer_by_token(token=token, answers=typed)
        except services.InviteUsed:
            return render(request, "evaluation/survey.html", {"gone": True}, status=404)
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
        else:
            return render(request, "evaluation/survey.html", {"done": True})
    # Only the questions: nothing about the station's other answers or scores.
    return render(
        request,
        "evaluation/survey.html",
        {
            "questions": invite.questions.questions,
            "title": invite.questions.name,
            "errors": errors,
            "typed": typed,
        },
        status=400 if errors else 200,
    )

"""The pages of background jobs: "my jobs" and one job's progress (``core.jobs``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from . import jobs
from .models import Job
from .scoping import get_scoped_or_404


def _job(request, pk: int) -> Job:
    """A job is its starter's own: to anyone else it does not exist."""
    job = get_scoped_or_404(Job, pk=pk)
    if job.user_id != getattr(request.actor.user, "pk", None):
        raise Http404
    return job


@login_required
def job_list(request):
    return render(request, "core/jobs.html", {"lines": jobs.my_jobs(request.actor.user)})


@login_required
def job_detail(request, pk: int):
    return render(request, "core/job.html", {"job": _job(request, pk)})


@login_required
def job_status(request, pk: int):
    """What the page polls: how far the job got and, once done, where its result is."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": str(job.get_state_display()),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": gettext(job.message) if job.message else "",
            "finished": job.finished,
            "result": job.result,
            "result_url": job.result_url,
        }
    )

"""The project's lifecycle: its steps (and termination), and its monthly releases and their corrections."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS
from shegong.core.scoping import get_scoped_or_404

from .. import services
from ..models import Release, Transition
from ._common import fetch, op, router
from .schemas import ProjectStepIn, ProjectStepOut, ProjectStepsOut, ReleaseCorrectionIn, ReleaseOut


def _step_out(t: Transition) -> dict:
    return {
        "id": t.pk,
        "from_state": t.from_state,
        "to_state": t.to_state,
        "on": t.on,
        "note": t.note,
    }


@router.get(
    "/{int:project_id}/steps",
    response={200: ProjectStepsOut, **STANDARD_ERRORS},
    operation_id=op("list_steps"),
)
def list_steps(request, project_id: int):
    """The steps taken so far (oldest first) and the ones the caller may take now, as the project page offers them."""
    project = fetch(request, project_id)
    return {
        "state": project.state,
        "next": [
            {"to_state": state, "label": _(services.STEP_LABELS[state])}
            for state, (from_state, permission) in services.STEPS.items()
            if from_state == project.state and request.auth.can(permission, project.region_code)
        ],
        "history": [_step_out(t) for t in project.transitions.order_by("on", "pk")],
    }


@router.post(
    "/{int:project_id}/steps", response={201: ProjectStepOut, **STANDARD_ERRORS}, operation_id=op("take_step")
)
def take_step(request, project_id: int, payload: ProjectStepIn):
    """Move the project one step on, by the role that takes that step (403 otherwise); 422 naming ``to_state`` when
    the project is not where the step leaves from or a document it needs is missing. ``terminated`` ends the
    project from any unfinished state and needs its reason in ``note``."""
    project = fetch(request, project_id)
    services.project_transition(
        actor=request.auth, project=project, to_state=payload.to_state, note=payload.note
    )
    return Status(201, _step_out(project.transitions.latest("pk")))


def _release_out(r: Release) -> dict:
    return {
        "id": r.pk,
        "month": f"{r.month:%Y-%m}",
        "version": r.version,
        "published_at": r.published_at,
        "corrects": r.corrects_id,
        "correction_note": r.correction_note,
    }


@router.get(
    "/{int:project_id}/releases",
    response={200: list[ReleaseOut], **STANDARD_ERRORS},
    operation_id=op("list_releases"),
)
def list_releases(request, project_id: int):
    """The project's monthly three-affairs releases, newest month first, each month's versions newest first. Their
    content is public: ``/public/disclosure/{id}.json``."""
    project = fetch(request, project_id)
    return [_release_out(r) for r in Release.objects.filter(project=project).order_by("-month", "-version")]


@router.post(
    "/{int:project_id}/releases/{int:release_id}/corrections",
    response={201: ReleaseOut, **STANDARD_ERRORS},
    operation_id=op("correct_release"),
)
def correct_release(request, project_id: int, release_id: int, payload: ReleaseCorrectionIn):
    """Publish a corrected version of a month's release, saying what it corrects; the release it corrects stays as
    published."""
    project = fetch(request, project_id)
    release = get_scoped_or_404(Release.objects.filter(project=project), pk=release_id)
    correction = services.release_correct(actor=request.auth, release=release, note=payload.correction_note)
    return Status(201, _release_out(correction))

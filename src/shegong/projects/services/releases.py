"""The frozen monthly three-affairs releases (三务公开): publishing and correcting."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.tallies import month_of

from ..models import (
    Project,
    Release,
)


def release_publish(*, project: Project, month: datetime.date, now=None) -> Release | None:
    """Publish ``project``'s release for ``month`` (version 1) unless one exists: running twice publishes nothing."""
    from ..disclosure import release_content

    month = month_of(month)
    now = now or timezone.now()
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if Release.objects.filter(project=project, month=month).exists():
            return None
        release = Release(
            project=project,
            month=month,
            version=1,
            published_at=now,
            content=release_content(project, month, today=timezone.localtime(now).date()),
            region_code=project.region_code,
        )
        release.save()
        record(
            "projects.release.publish",
            actor=None,
            actor_name="system",
            obj=release,
            changes={"month": f"{month:%Y-%m}"},
        )
    return release


def release_correct(*, actor, release: Release, note: str, now=None) -> Release:
    """A correction is a new version that says what it corrects; the release it corrects stays as published."""
    from ..disclosure import release_content

    actor.require("projects.disclose", release.region_code)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"correction_note": [_("请说明更正了什么")]})
    now = now or timezone.now()
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=release.project_id).first()
        latest = (
            Release.objects.filter(project_id=release.project_id, month=release.month)
            .order_by("-version")
            .first()
        )
        correction = Release(
            project=release.project,
            month=release.month,
            version=latest.version + 1,
            published_at=now,
            corrects=latest,
            correction_note=note,
            content=release_content(release.project, release.month, today=timezone.localtime(now).date()),
            region_code=release.region_code,
        )
        correction.full_clean()
        correction.save()
        record(
            "projects.release.correct",
            actor=actor,
            obj=correction,
            reason=note,
            changes={"month": f"{release.month:%Y-%m}", "version": correction.version},
        )
    return correction

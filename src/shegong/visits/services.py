"""Writes on visit care: recording a visit (idempotent), and a region's visit rule table."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core import partitioning, projectlinks, tallies
from shegong.core.photos import Photo, acceptable, photo_errors, photo_type
from shegong.core.scoping import across_regions
from shegong.core.text import join_list
from shegong.people.models import SocialWorker
from shegong.recipients import care

from .models import (
    FINDING_VALUES,
    FINDINGS,
    PhotoDraft,
    Visit,
    VisitKey,
    VisitMethod,
    VisitPhoto,
    photo_content_hash,
)

# How long a photo held for a visit form that came back with an error is kept.
DRAFT_HOURS = 24
# The automatic reason of a phone reveal made to call a recipient from the visit form.
CALL_REASON = "拨打电话：探访联系"


def worker_of(actor):
    user = getattr(actor, "user", None)
    if user is None or not getattr(user, "pk", None):
        return None
    with across_regions("the actor's own worker record, wherever it is filed"):
        return SocialWorker.objects.filter(user=user).first()


def _validate(recipient, data: dict[str, Any], photos: list[Photo]) -> dict[str, list[str]]:
    from shegong.recipients.models import RecipientStatus

    errors: dict[str, list[str]] = {}
    if recipient.status in (RecipientStatus.DECEASED, RecipientStatus.CLOSED):
        errors["recipient"] = [
            _("%(name)s的档案状态为“%(s)s”，不能再登记探访；如信息有误，请先更正档案状态")
            % {"name": recipient.name, "s": RecipientStatus(recipient.status).label}
        ]
    visited_at = data.get("visited_at")
    if not isinstance(visited_at, datetime.datetime):
        errors["visited_at"] = [_("请填写探访时间")]
    elif visited_at > timezone.now() + datetime.timedelta(minutes=10):
        errors["visited_at"] = [_("探访时间不能晚于现在")]
    elif visited_at < timezone.now() - datetime.timedelta(days=366):
        errors["visited_at"] = [_("探访时间不能早于一年前")]
    if data.get("method") not in VisitMethod.values:
        errors["method"] = [_("请选择探访方式")]
    findings = data.get("findings") or {}
    keys = {k for k, _label in FINDINGS}
    bad = [k for k, v in findings.items() if k not in keys or v not in FINDING_VALUES]
    if bad:
        errors["findings"] = [_("探访发现中有无法识别的项目：%(k)s") % {"k": join_list(bad)}]
    location = (data.get("location") or "").strip()
    if location:
        if not data.get("location_consent"):
            errors["location"] = [_("对象未同意记录位置，不能保存位置")]
        else:
            match = re.fullmatch(r"(-?\d{1,3}(?:\.\d+)?),\s*(-?\d{1,3}(?:\.\d+)?)", location)
            if not match or not (-90 <= float(match[1]) <= 90 and -180 <= float(match[2]) <= 180):
                errors["location"] = [_("位置格式应为“纬度,经度”，如 29.5575,106.5774")]
    problems = photo_errors(photos)
    if problems:
        errors["photos"] = problems
    return errors


def visit_record(
    *,
    actor,
    recipient,
    data: dict[str, Any],
    idempotency_key: uuid.UUID | str,
    photos: list[Photo] | None = None,
) -> tuple[Visit, bool]:
    """Record a visit. A retry with the same idempotency key returns the first visit and writes nothing."""
    actor.require("visits.record", recipient.region_code)
    photos = photos or []
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise ValidationError({"idempotency_key": [_("提交编号无效，请刷新页面后重试")]}) from None
    existing = _existing(key)
    if existing is not None:
        if existing.recipient_id != recipient.pk:
            raise ValidationError({"idempotency_key": [_("提交编号已被另一次探访使用，请刷新页面后重试")]})
        return existing, False
    errors = _validate(recipient, data, photos)
    if errors:
        raise ValidationError(errors)
    worker = worker_of(actor)
    project_id = projectlinks.choose(
        worker_id=worker.pk if worker else None,
        on=timezone.localtime(data["visited_at"]).date(),
        project_id=data.get("project_id"),
    )
    findings = {k: data.get("findings", {}).get(k, "na") for k, _label in FINDINGS}
    visit = Visit(
        recipient=recipient,
        worker=worker,
        project_id=project_id,
        recorded_by=getattr(actor, "user", None),
        visited_at=data["visited_at"],
        method=data["method"],
        findings=findings,
        notes=(data.get("notes") or "").strip(),
        needs_found=(data.get("needs_found") or "").strip(),
        follow_up=(data.get("follow_up") or "").strip(),
        location_consent=bool(data.get("location_consent")),
        location=(data.get("location") or "").strip() if data.get("location_consent") else "",
        idempotency_key=key,
        region_code=recipient.region_code,
    )
    try:
        with transaction.atomic():
            visit.save()
            for photo in photos:
                VisitPhoto.objects.create(
                    visit=visit,
                    content_type=photo_type(photo.data),
                    data=photo.data,
                    size=len(photo.data),
                    content_hash=photo_content_hash(photo.data),
                    region_code=visit.region_code,
                )
            care.record_visit(recipient, visit.visited_at)
            tallies.add_member(
                visit.region_code, visit.visited_at, "served.people", f"recipient:{recipient.pk}"
            )
            record(
                "visits.record",
                actor=actor,
                obj=visit,
                changes={
                    "recipient": recipient.pk,
                    "method": visit.method,
                    "visited_at": visit.visited_at,
                    # Health and mental findings stay in the encrypted visit, not in the audit log.
                    "issues": visit.recordable_issues,
                    "photos": len(photos),
                    "project": project_id,
                },
            )
    except IntegrityError:
        # Two submissions with the same key raced: the other one won.
        existing = _existing(key)
        if existing is None:
            raise
        return existing, False
    return visit, True


def _existing(key: uuid.UUID) -> Visit | None:
    with across_regions("an idempotency key is unique across the whole database"):
        if not partitioning.enabled():
            return Visit.objects.filter(idempotency_key=key).first()
        # Partitioned by month: the key table says which visit (and so which month) holds the key, and the visit
        # is then read from that one partition.
        claimed = VisitKey.objects.filter(idempotency_key=key).values_list("visit_id", "visited_at").first()
        if claimed is None:
            return None
        return Visit.objects.filter(pk=claimed[0], visited_at=claimed[1]).first()


def release_detached_keys(_cursor, before: datetime.datetime) -> None:
    """Months before ``before`` were detached for the archive: their visits' idempotency keys go with them."""
    VisitKey.objects.filter(visited_at__lt=before).delete()


def photo_drafts_held(*, actor, key: uuid.UUID) -> list[PhotoDraft]:
    """The photos the actor chose on the visit form with this idempotency key, held after an error."""
    user = getattr(actor, "user", None)
    if user is None or not getattr(user, "pk", None):
        return []
    return list(PhotoDraft.objects.filter(user=user, idempotency_key=key))


def photo_drafts_hold(
    *, actor, recipient, key: uuid.UUID, photos: list[Photo], keep: list[PhotoDraft]
) -> list[PhotoDraft]:
    """Hold the photos of a visit form that came back with an error, so the re-render need not ask for them again.

    ``keep`` are the drafts already held that the user still wants; the others are dropped. A photo the service
    would refuse (too large, not an image) is not held: its error tells the user to choose another. Returns what
    is held now.
    """
    actor.require("visits.record", recipient.region_code)
    user = actor.user
    with transaction.atomic():
        PhotoDraft.objects.filter(
            created_at__lt=timezone.now() - datetime.timedelta(hours=DRAFT_HOURS)
        ).delete()
        PhotoDraft.objects.filter(user=user, idempotency_key=key).exclude(
            pk__in=[d.pk for d in keep]
        ).delete()
        room = max(0, 20 - len(keep))
        for photo in photos[:room]:
            if not acceptable(photo):
                continue
            PhotoDraft.objects.create(
                recipient=recipient,
                user=user,
                idempotency_key=key,
                name=(photo.name or "photo")[:200],
                data=photo.data,
                size=len(photo.data),
            )
    return photo_drafts_held(actor=actor, key=key)


def photo_drafts_discard(*, actor, key: uuid.UUID) -> None:
    """The visit was written (or was written before): its held photos are no longer needed."""
    user = getattr(actor, "user", None)
    if user is not None and getattr(user, "pk", None):
        PhotoDraft.objects.filter(user=user, idempotency_key=key).delete()


def is_assigned_worker(actor, recipient) -> bool:
    """Whether the actor is the recipient's responsible worker (the one who may call from the visit form)."""
    worker = worker_of(actor)
    return worker is not None and recipient.worker_id == worker.pk


def phone_for_call(*, actor, recipient) -> str:
    """The recipient's phone, revealed to its assigned worker to make one call; audited with an automatic reason.

    Anyone else — another worker of the same region included — gets PermissionDenied.
    """
    from django.core.exceptions import PermissionDenied

    from shegong.recipients import services as recipient_services

    if not is_assigned_worker(actor, recipient) or not recipient.phone:
        raise PermissionDenied("visits.call")
    return recipient_services.reveal(actor=actor, recipient=recipient, field="phone", reason=CALL_REASON)

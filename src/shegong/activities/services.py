"""Writes on community activities: recording one (idempotent) with its named participants, volunteers' hours
(entries awaiting confirmation in ``people``), organisations and photos — counted in the same transaction."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core import projectlinks, tallies
from shegong.core.photos import Photo, photo_errors, photo_type
from shegong.core.scoping import across_regions
from shegong.people import services as people_services
from shegong.people.models import SocialWorker

from .models import Activity, ActivityParticipant, ActivityPhoto
from .selectors import HELD_METRIC

MAX_PARTICIPANTS = 100000


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _validate(data: dict[str, Any], recipients, volunteers, photos, today) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写活动名称")]
    if data.get("kind") not in Activity.Kind.values:
        errors["kind"] = [_("请选择活动类型")]
    held_on = data.get("held_on")
    if not isinstance(held_on, datetime.date):
        errors["held_on"] = [_("请填写活动日期")]
    elif held_on > _today(today):
        errors["held_on"] = [_("活动日期不能晚于今天（记录已经举办的活动）")]
    elif held_on < _today(today) - datetime.timedelta(days=366):
        errors["held_on"] = [_("活动日期不能早于一年前")]
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间应晚于开始时间")]
    count = data.get("participants")
    if count is None or not isinstance(count, int) or count < 0 or count > MAX_PARTICIPANTS:
        errors["participants"] = [_("参与人数须是 0 到 100000 的整数")]
    elif count < len(recipients):
        errors["participants"] = [
            _("参与人数（%(n)s）少于点名的服务对象人数（%(m)s）") % {"n": count, "m": len(recipients)}
        ]
    closed = [r.name for r in recipients if not r.is_open]
    if closed:
        errors["recipients"] = [_("%(n)s的档案已不在册，不能记为参与者") % {"n": "、".join(closed)}]
    seen: set[int] = set()
    for volunteer, hours in volunteers:
        if volunteer.pk in seen:
            errors.setdefault("volunteers", []).append(_("志愿者%(n)s重复列出") % {"n": volunteer.name})
        seen.add(volunteer.pk)
        try:
            amount = Decimal(str(hours))
        except (InvalidOperation, ValueError):
            amount = Decimal(-1)
        if not Decimal("0.5") <= amount <= Decimal("24"):
            errors.setdefault("volunteers", []).append(
                _("%(n)s的时长须在 0.5 到 24 小时之间") % {"n": volunteer.name}
            )
    problems = photo_errors(photos)
    if problems:
        errors["photos"] = problems
    return errors


def activity_record(
    *,
    actor,
    node,
    data: dict[str, Any],
    idempotency_key: uuid.UUID | str,
    recipients=(),
    volunteers=(),
    organisations=(),
    photos: list[Photo] | None = None,
    today: datetime.date | None = None,
) -> tuple[Activity, bool]:
    """Record an activity held at ``node``. ``recipients``, ``volunteers`` ((volunteer, hours) pairs) and
    ``organisations`` are rows already fetched in the actor's scope. Each volunteer's hours become an entry awaiting
    a worker's confirmation; each named recipient sees the activity on its timeline and counts as served. A retry
    with the same idempotency key returns the first activity and writes nothing."""
    actor.require("activities.record", node.region_code)
    photos = photos or []
    recipients, volunteers, organisations = list(recipients), list(volunteers), list(organisations)
    try:
        key = uuid.UUID(str(idempotency_key))
    except ValueError:
        raise ValidationError({"idempotency_key": [_("提交编号无效，请刷新页面后重试")]}) from None
    existing = _existing(key)
    if existing is not None:
        if existing.node_id != node.pk:
            raise ValidationError({"idempotency_key": [_("提交编号已被另一次活动使用，请刷新页面后重试")]})
        return existing, False
    errors = _validate(data, recipients, volunteers, photos, today)
    project_id = None
    if not errors:
        # The activity counts for the project the worker recording it serves on that day (core.projectlinks).
        try:
            project_id = projectlinks.choose(
                worker_id=worker_id_of(actor), on=data["held_on"], project_id=data.get("project_id")
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        project_id=project_id,
        node=node,
        title=data["title"].strip(),
        kind=data["kind"],
        held_on=data["held_on"],
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
        place=(data.get("place") or "").strip() or node.name,
        participants=data["participants"],
        outcome=(data.get("outcome") or "").strip(),
        recorded_by=getattr(actor, "user", None),
        idempotency_key=key,
        region_code=node.region_code,
    )
    activity.full_clean()
    unique_recipients = list({r.pk: r for r in recipients}.values())
    try:
        with transaction.atomic():
            activity.save()
            activity.organisations.set(organisations)
            ActivityParticipant.objects.bulk_create(
                [
                    ActivityParticipant(activity=activity, recipient=r, region_code=activity.region_code)
                    for r in unique_recipients
                ]
            )
            for photo in photos:
                ActivityPhoto.objects.create(
                    activity=activity,
                    content_type=photo_type(photo.data),
                    data=photo.data,
                    size=len(photo.data),
                    region_code=activity.region_code,
                )
            for volunteer, hours in volunteers:
                people_services.hours_log_for(
                    actor=actor,
                    volunteer=volunteer,
                    activity=activity,
                    served_on=activity.held_on,
                    hours=hours,
                    description=activity.title,
                )
            tallies.add(activity.region_code, activity.held_on, HELD_METRIC, 1)
            for r in unique_recipients:
                tallies.add_member(r.region_code, activity.held_on, "served.people", f"recipient:{r.pk}")
            record(
                "activities.record",
                actor=actor,
                obj=activity,
                changes={
                    "node": node.pk,
                    "title": activity.title,
                    "kind": activity.kind,
                    "held_on": activity.held_on,
                    "participants": activity.participants,
                    "recipients": [r.pk for r in unique_recipients],
                    "volunteers": [v.pk for v, _h in volunteers],
                    "organisations": [o.pk for o in organisations],
                    "photos": len(photos),
                    "project": project_id,
                },
            )
    except IntegrityError:
        existing = _existing(key)
        if existing is None:
            raise
        return existing, False
    return activity, True


def worker_id_of(actor) -> int | None:
    """The actor's own worker record, wherever it is filed (None: the actor is not a social worker)."""
    user = getattr(actor, "user", None)
    if user is None or not getattr(user, "pk", None):
        return None
    with across_regions("the actor's own worker record, wherever it is filed"):
        return SocialWorker.objects.filter(user=user).values_list("pk", flat=True).first()


def _existing(key: uuid.UUID) -> Activity | None:
    with across_regions("an idempotency key is unique across the whole database"):
        return Activity.objects.filter(idempotency_key=key).first()

"""The field app's share of the sync (``core.sync``): the visit recorded offline, and what the worker's phone
downloads — the recipients assigned to the worker with what a visit needs, nothing more (minimum necessary)."""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import projectlinks, sync
from shegong.core.masking import mask_phone
from shegong.recipients.models import CategoryMembership, Recipient, RecipientStatus
from shegong.recipients.services import fetch as fetch_recipient
from shegong.recipients.sync import versions
from shegong.regions.models import Region
from shegong.regions.selectors import policy_for

from . import services
from .models import FINDING_VALUES, FINDINGS, Visit, VisitMethod

LAST_VISITS = 3
TEXT_FIELDS = {"notes": 4000, "needs_found": 2000, "follow_up": 2000, "location": 60}


def _photos(raw) -> list[services.Photo]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError({"photos": [_("照片格式无效")]})
    photos = []
    for i, item in enumerate(raw, start=1):
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, str) or "," not in data:
            raise ValidationError({"photos": [_("第 %(n)d 张照片格式无效") % {"n": i}]})
        try:
            content = base64.b64decode(data.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"photos": [_("第 %(n)d 张照片格式无效") % {"n": i}]}) from None
        photos.append(services.Photo(name=str(item.get("name") or f"photo{i}.jpg")[:200], data=content))
    return photos


def visit_from_device(actor, payload: dict, key: uuid.UUID):
    """A visit recorded on the phone: the same write as the form's and the API's, under the device's key."""
    errors: dict[str, list[str]] = {}
    recipient_id = payload.get("recipient")
    if not isinstance(recipient_id, int) or isinstance(recipient_id, bool):
        raise ValidationError({"recipient": [_("请选择服务对象")]})
    recipient = fetch_recipient(recipient_id)
    try:
        visited_at = datetime.datetime.fromisoformat(str(payload.get("visited_at") or ""))
        if timezone.is_naive(visited_at):
            visited_at = timezone.make_aware(visited_at)
    except ValueError:
        visited_at = None
        errors["visited_at"] = [_("请填写探访时间")]
    findings = payload.get("findings") or {}
    if not isinstance(findings, dict):
        errors["findings"] = [_("探访发现格式无效")]
        findings = {}
    data = {"visited_at": visited_at, "method": payload.get("method"), "findings": findings}
    for name, limit in TEXT_FIELDS.items():
        value = payload.get(name) or ""
        if not isinstance(value, str):
            errors[name] = [_("格式无效")]
        elif len(value) > limit:
            errors[name] = [_("不能超过 %(n)d 字") % {"n": limit}]
        data[name] = value if isinstance(value, str) else ""
    data["location_consent"] = payload.get("location_consent") is True
    # The project the visit was done under, when the worker serves on several (core.projectlinks checks it).
    data["project_id"] = payload.get("project_id")
    if errors:
        raise ValidationError(errors)
    return services.visit_record(
        actor=actor,
        recipient=recipient,
        data=data,
        idempotency_key=key,
        photos=_photos(payload.get("photos")),
    )


VISIT = sync.Kind(name="visit", label=gettext_lazy("探访记录"), create=visit_from_device)


RECENT_DAYS = 400


def recent_visits(recipient_ids: list[int], now: datetime.datetime | None = None):
    """The last visits of the worker's recipients on the phone, newest first: bounded in time (the last 400 days),
    so on PostgreSQL the query reads only those months' partitions of the visit table."""
    since = (now or timezone.now()) - datetime.timedelta(days=RECENT_DAYS)
    return (
        Visit.objects.filter(recipient_id__in=recipient_ids, visited_at__gte=since)
        .order_by("recipient_id", "-visited_at")
        .values_list("recipient_id", "visited_at", "method")
    )


def _rows(recipients: list[Recipient]) -> list[dict]:
    ids = [r.pk for r in recipients]
    today = timezone.localdate()
    categories: dict[int, list[str]] = defaultdict(list)
    for recipient_id, name in (
        CategoryMembership.objects.filter(recipient_id__in=ids, start_on__lte=today)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .values_list("recipient_id", "category__name")
    ):
        categories[recipient_id].append(name)
    recent: dict[int, list[dict]] = defaultdict(list)
    methods = dict(VisitMethod.choices)
    for recipient_id, at, method in recent_visits(ids):
        if len(recent[recipient_id]) < LAST_VISITS:
            recent[recipient_id].append({"at": at.isoformat(), "method": str(methods.get(method, method))})
    # The village's name, so the phone's search finds "everyone in 新华村".
    codes = {r.region_code for r in recipients}
    villages = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [
        {
            "id": r.pk,
            "name": r.name,
            "address": r.address,
            "village": villages.get(r.region_code, ""),
            "phone": mask_phone(r.phone) if r.phone else "",
            "categories": categories[r.pk],
            "risk": r.risk_tier,
            "risk_label": str(r.get_risk_tier_display()),
            "next_due_on": r.next_due_on.isoformat() if r.next_due_on else None,
            "event_due_at": r.event_due_at.isoformat() if r.event_due_at else None,
            "last_visits": recent[r.pk],
            "versions": versions(r),
        }
        for r in recipients
    ]


def assigned_recipients(actor, since: datetime.datetime | None) -> sync.Section:
    """The worker's own active recipients: all of them, or those changed since the cursor, and the ids to keep."""
    worker = services.worker_of(actor)
    policy = policy_for(actor.home_region_code) if actor.home_region_code else None
    extra = {"wipe_after_days": policy.offline_wipe_days if policy else 7, "projects": []}
    if worker is None:
        return sync.Section(rows=[], keep=[], extra=extra)
    # The projects the worker serves on today: with several, the phone's visit form asks which one a visit was for.
    extra["projects"] = [[c.id, c.label] for c in projectlinks.choices(worker.pk, timezone.localdate())]
    mine = Recipient.objects.filter(worker_id=worker.pk, status=RecipientStatus.ACTIVE)
    changed = mine
    if since is not None:
        # A visit recorded since (by anyone, for any time: an offline one arrives late) changes the last visits.
        visited = Visit.objects.filter(recipient_id=OuterRef("pk"), created_at__gt=since)
        changed = mine.filter(Q(updated_at__gt=since) | Q(Exists(visited)))
    recipients = list(
        changed.only(
            "pk", "uid", "name", "address", "phone", "risk_tier", "next_due_on", "event_due_at", "region_code"
        ).order_by("next_due_on", "pk")
    )
    keep = list(mine.order_by("pk").values_list("pk", flat=True))
    return sync.Section(rows=_rows(recipients), keep=keep, extra=extra)


def form_choices() -> dict:
    """The visit form's choices for the page's catalogue (the form is drawn by the app's script, offline too)."""
    return {
        "methods": [[k, str(v)] for k, v in VisitMethod.choices],
        "findings": [[k, str(v)] for k, v in FINDINGS],
        "finding_values": [[k, str(v)] for k, v in FINDING_VALUES.items()],
    }

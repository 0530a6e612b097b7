"""Writes on the recipient registry. Each one is atomic, audited, adds a timeline entry and re-runs the visit
policy for the person (shegong.recipients.care), so due dates and rollups never lag behind the file."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.identity import check_identity
from shegong.audit.services import diff, record
from shegong.core.crypto import blind_index
from shegong.core.identity import IdentityError, parse_id_number, validate_phone
from shegong.core.regioncodes import Level, parent_code_of
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_list
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.regions.models import Region

from . import care
from . import timeline as lines
from .models import (
    Category,
    CategoryMembership,
    HouseholdMember,
    MajorEvent,
    NeedDomain,
    NeedsAssessment,
    Recipient,
    RecipientStatus,
    RiskTier,
    TimelineEntry,
)

EDITABLE_FIELDS = ["name", "phone", "address", "region", "station", "worker", "notes"]
REVEALABLE = {"id_number": _("身份证号"), "phone": _("联系电话")}


def _actor_name(actor) -> str:
    return str(actor)[:150]


def _timeline(
    recipient: Recipient,
    actor,
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> None:
    TimelineEntry.objects.create(
        recipient=recipient,
        kind=kind,
        message=message,
        params=params or {},
        summary=lines.render(message, params)[:300],
        actor_name=_actor_name(actor),
        at=at or timezone.now(),
    )


def _snapshot(recipient: Recipient) -> dict[str, Any]:
    return {
        "name": recipient.name,
        # A changed number must show as a change (the audit entry and the timeline), never as the number itself.
        "phone": _fingerprint("recipients.phone", recipient.phone),
        "address": recipient.address,
        "region": recipient.region_id,
        "station": recipient.station_id,
        "worker": recipient.worker_id,
        "status": recipient.status,
        "risk_tier": recipient.risk_tier,
        # The notes are encrypted: the audit log records that they changed, never what they say.
        "notes": _fingerprint("recipients.notes", recipient.notes),
    }


def _fingerprint(domain: str, text: str) -> str:
    return blind_index(domain, text)[:16] if text else ""


def station_for_village(village_code: str) -> ServiceNode | None:
    township = parent_code_of(village_code)
    return (
        ServiceNode.objects.filter(region_id=township, level=NodeLevel.STATION)
        .exclude(status=NodeStatus.CLOSED)
        .first()
    )


def resolve_region(value: Any) -> Region:
    """A village-level region the actor can see, or a ValidationError naming the field."""
    if isinstance(value, Region):
        region = value
    else:
        region = Region.objects.filter(code=str(value or "").strip()).first()
        if region is None:
            raise ValidationError({"region": [_("区划 %(c)s 不存在或不在您的管辖范围内") % {"c": value}]})
    if region.level != Level.VILLAGE:
        raise ValidationError({"region": [_("服务对象须登记到村（社区）级区划")]})
    return region


def id_taken(number: str, *, actor, exclude_pk: int | None = None) -> ValidationError | None:
    """One file per person, across every region: the refusal for ``number``, or None when it is free.

    Inside the actor's reach the error carries the existing file's id; outside it names no one and is audited
    (shegong.audit.identity)."""
    return check_identity(
        Recipient,
        number,
        actor=actor,
        exclude_pk=exclude_pk,
        detail_url=lambda pk: reverse("recipients:detail", args=[pk]),
    )


def _clean_identity(data: dict[str, Any], errors: dict[str, list[Any]]) -> None:
    if "id_number" in data:
        try:
            parsed = parse_id_number(data["id_number"])
        except IdentityError as exc:
            errors.setdefault("id_number", []).append(str(exc))
        else:
            data["id_number"] = parsed.number
            data["birth_date"] = parsed.birth_date
            data["sex"] = parsed.sex
    if data.get("phone"):
        try:
            data["phone"] = validate_phone(data["phone"])
        except IdentityError as exc:
            errors.setdefault("phone", []).append(str(exc))


def recipient_create(
    *,
    actor,
    data: dict[str, Any],
    categories: list[dict[str, Any]] | None = None,
    risk_tier: int = RiskTier.GENERAL,
    risk_reason: str = "",
) -> Recipient:
    data = dict(data)
    errors: dict[str, list[Any]] = {}
    try:
        region = resolve_region(data.get("region"))
    except ValidationError as exc:
        raise exc from None
    actor.require("recipients.change", region.code)
    _clean_identity(data, errors)
    if "id_number" not in errors:
        clash = id_taken(data["id_number"], actor=actor)
        if clash is not None:
            errors.setdefault("id_number", []).append(clash)
    if errors:
        raise ValidationError(errors)
    recipient = Recipient(
        name=(data.get("name") or "").strip(),
        id_number=data["id_number"],
        birth_date=data.get("birth_date"),
        sex=data.get("sex", ""),
        phone=data.get("phone") or "",
        address=data.get("address") or "",
        region=region,
        station=data.get("station") or station_for_village(region.code),
        worker=data.get("worker"),
        notes=data.get("notes") or "",
        risk_tier=risk_tier,
        risk_reason=risk_reason,
    )
    recipient.region_code = region.code
    recipient.full_clean(exclude=["id_number_index", "phone_index"])
    with transaction.atomic():
        recipient.save()
        for item in categories or []:
            CategoryMembership.objects.create(recipient=recipient, **item)
        _timeline(recipient, actor, "create", lines.CREATED, {"name": recipient.name})
        care.refresh_recipient(recipient)
        record("recipients.create", actor=actor, obj=recipient, changes=diff({}, _snapshot(recipient)))
    return recipient


def recipient_update(*, actor, recipient: Recipient, data: dict[str, Any]) -> Recipient:
    actor.require("recipients.change", recipient.region_code)
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    errors: dict[str, list[str]] = {}
    if "region" in data:
        data["region"] = resolve_region(data["region"])
        actor.require("recipients.change", data["region"].code)
    _clean_identity(data, errors)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(recipient)
    for key, value in data.items():
        setattr(recipient, key, value if value is not None or key in ("station", "worker") else "")
    recipient.region_code = recipient.region_id
    recipient.full_clean(exclude=["id_number_index", "phone_index"])
    with transaction.atomic():
        recipient.save()
        changes = diff(before, _snapshot(recipient))
        if changes:
            _timeline(
                recipient,
                actor,
                "update",
                lines.UPDATED,
                {"f": lines.fields(list(changes))},
            )
            care.refresh_recipient(recipient)
            record("recipients.update", actor=actor, obj=recipient, changes=changes)
    return recipient


def recipient_set_status(*, actor, recipient: Recipient, status: str, note: str = "") -> Recipient:
    actor.require("recipients.change", recipient.region_code)
    if status not in RecipientStatus.values:
        raise ValidationError({"status": [_("未知的状态")]})
    if status != RecipientStatus.ACTIVE and not note.strip():
        raise ValidationError({"status_note": [_("请说明迁出、死亡或结案的情况")]})
    before = recipient.status
    recipient.status = status
    recipient.status_note = note.strip()
    with transaction.atomic():
        recipient.save(update_fields=["status", "status_note", "updated_at"])
        if status != RecipientStatus.ACTIVE:
            care.drop_open_obligations(recipient, from_month=timezone.localdate().replace(day=1))
        care.refresh_recipient(recipient)
        _timeline(
            recipient,
            actor,
            "status",
            lines.STATUS_CHANGED,
            {"a": lines.choice("status", before), "b": lines.choice("status", status)},
        )
        # The note is encrypted on the recipient: the timeline and the audit log say that it was written only.
        record(
            "recipients.status",
            actor=actor,
            obj=recipient,
            changes={
                "status": {"before": before, "after": status},
                "status_note": _fingerprint("recipients.status_note", recipient.status_note),
            },
        )
    return recipient


def risk_set(
    *, actor, recipient: Recipient, tier: int, reason: str, review_on: datetime.date | None
) -> Recipient:
    actor.require("recipients.change", recipient.region_code)
    errors = {}
    if tier not in RiskTier.values:
        errors["risk_tier"] = [_("请选择风险等级")]
    if not (reason or "").strip():
        errors["risk_reason"] = [_("请填写评定理由")]
    if review_on and review_on < timezone.localdate():
        errors["risk_review_on"] = [_("复核日期不能早于今天")]
    if errors:
        raise ValidationError(errors)
    before = recipient.risk_tier
    recipient.risk_tier, recipient.risk_reason, recipient.risk_review_on = tier, reason.strip(), review_on
    with transaction.atomic():
        recipient.save(update_fields=["risk_tier", "risk_reason", "risk_review_on", "updated_at"])
        care.refresh_recipient(recipient)
        _timeline(
            recipient,
            actor,
            "risk",
            lines.RISK_CHANGED,
            {"a": lines.choice("risk", before), "b": lines.choice("risk", tier)},
        )
        record(
            "recipients.risk",
            actor=actor,
            obj=recipient,
            changes={
                "risk_tier": {"before": before, "after": tier},
                "risk_reason": _fingerprint("recipients.risk_reason", recipient.risk_reason),
            },
        )
    return recipient


def membership_add(
    *,
    actor,
    recipient: Recipient,
    category: Category,
    start_on: datetime.date,
    end_on: datetime.date | None = None,
    authority: str = "",
) -> CategoryMembership:
    actor.require("recipients.change", recipient.region_code)
    membership = CategoryMembership(
        recipient=recipient,
        category=category,
        start_on=start_on,
        end_on=end_on,
        authority=authority.strip(),
        region_code=recipient.region_code,
    )
    membership.full_clean()
    overlapping = recipient.memberships.filter(category=category, end_on__isnull=True)
    if overlapping.exists():
        raise ValidationError({"category": [_("该对象已有未终止的“%(c)s”认定") % {"c": category.name}]})
    with transaction.atomic():
        membership.save()
        care.refresh_recipient(recipient)
        _timeline(
            recipient,
            actor,
            "category",
            lines.CATEGORY_ADDED,
            {"c": category.name, "d": str(start_on), "a": authority or "—"},
        )
        record(
            "recipients.category.add",
            actor=actor,
            obj=recipient,
            changes={
                "category": category.code,
                "start_on": start_on,
                "end_on": end_on,
                "authority": authority,
            },
        )
    return membership


def membership_end(*, actor, membership: CategoryMembership, end_on: datetime.date) -> CategoryMembership:
    recipient = membership.recipient
    actor.require("recipients.change", recipient.region_code)
    if end_on < membership.start_on:
        raise ValidationError({"end_on": [_("终止日期不能早于认定日期")]})
    membership.end_on = end_on
    with transaction.atomic():
        membership.save(update_fields=["end_on"])
        care.refresh_recipient(recipient)
        _timeline(
            recipient,
            actor,
            "category",
            lines.CATEGORY_ENDED,
            {"c": membership.category.name, "d": str(end_on)},
        )
        record(
            "recipients.category.end",
            actor=actor,
            obj=recipient,
            changes={"category": membership.category.code, "end_on": end_on},
        )
    return membership


def household_add(
    *,
    actor,
    recipient: Recipient,
    kind: str,
    name: str,
    relation: str,
    phone: str = "",
    id_number: str = "",
) -> HouseholdMember:
    actor.require("recipients.change", recipient.region_code)
    errors: dict[str, list[str]] = {}
    if id_number:
        try:
            id_number = parse_id_number(id_number).number
        except IdentityError as exc:
            errors["id_number"] = [str(exc)]
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc)]
    if not name.strip():
        errors["name"] = [_("请填写姓名")]
    if errors:
        raise ValidationError(errors)
    member = HouseholdMember(
        recipient=recipient,
        kind=kind,
        name=name.strip(),
        relation=relation.strip(),
        id_number=id_number,
        phone=phone,
        region_code=recipient.region_code,
    )
    member.full_clean()
    with transaction.atomic():
        member.save()
        _timeline(
            recipient,
            actor,
            "household",
            lines.HOUSEHOLD,
            {"k": lines.choice("household", kind), "n": name, "r": relation},
        )
        record(
            "recipients.household.add",
            actor=actor,
            obj=recipient,
            changes={"kind": kind, "name": name, "relation": relation},
        )
    return member


def assessment_add(
    *, actor, recipient: Recipient, assessed_on: datetime.date, scores: dict[str, int], summary: str = ""
) -> NeedsAssessment:
    actor.require("recipients.change", recipient.region_code)
    errors: dict[str, list[str]] = {}
    unknown = [k for k in scores if k not in NeedDomain.values]
    if unknown:
        errors["scores"] = [_("未知的评估领域：%(d)s") % {"d": join_list(unknown)}]
    elif any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 4 for v in scores.values()):
        errors["scores"] = [_("每个领域的得分须为 0–4 的整数")]
    elif not scores:
        errors["scores"] = [_("请至少为一个领域评分")]
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = [_("评估日期不能晚于今天")]
    if errors:
        raise ValidationError(errors)
    assessment = NeedsAssessment(
        recipient=recipient,
        assessed_on=assessed_on,
        scores=scores,
        summary=summary,
        assessor_name=_actor_name(actor),
        region_code=recipient.region_code,
    )
    with transaction.atomic():
        assessment.save()
        high = [k for k, v in scores.items() if v >= 3]
        if high:
            _timeline(
                recipient,
                actor,
                "assessment",
                lines.ASSESSMENT_HIGH,
                {"date": str(assessed_on), "domains": lines.choices("domain", high)},
            )
        else:
            _timeline(recipient, actor, "assessment", lines.ASSESSMENT, {"date": str(assessed_on)})
        # The scores are encrypted with the assessment: the audit log names the domains assessed only.
        record(
            "recipients.assessment.add",
            actor=actor,
            obj=recipient,
            changes={"assessment": assessment.pk, "domains": sorted(scores)},
        )
    return assessment


def event_record(
    *, actor, recipient: Recipient, occurred_at: datetime.datetime, description: str
) -> MajorEvent:
    """A major event: the event rule makes a visit due within its hours (SPEC §5, 24 h by default)."""
    actor.require("recipients.change", recipient.region_code)
    if not description.strip():
        raise ValidationError({"description": [_("请说明发生了什么")]})
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("发生时间不能晚于现在")]})
    event = MajorEvent(
        recipient=recipient,
        occurred_at=occurred_at,
        description=description.strip(),
        region_code=recipient.region_code,
    )
    with transaction.atomic():
        event.save()
        care.refresh_recipient(recipient)
        _timeline(recipient, actor, "event", lines.EVENT, {"d": description.strip()}, at=occurred_at)
        record("recipients.event", actor=actor, obj=recipient, changes={"description": description})
    return event


def reveal(*, actor, recipient: Recipient, field: str, reason: str) -> str:
    actor.require("recipients.reveal", recipient.region_code)
    if field not in REVEALABLE:
        raise ValidationError({"field": [_("该字段不能查看明文")]})
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": [_("查看明文须填写事由")]})
    record("reveal", actor=actor, obj=recipient, reason=reason.strip(), changes={"field": field})
    return getattr(recipient, field) or ""


def fetch(pk: int) -> Recipient:
    return get_scoped_or_404(Recipient.objects.select_related("region", "station", "worker"), pk=pk)


def category_create(*, actor, category: Category) -> Category:
    actor.require("policy.change")
    category.full_clean()
    with transaction.atomic():
        category.save()
        record(
            "recipients.category.create",
            actor=actor,
            obj=category,
            changes={"code": category.code, "name": category.name},
        )
    return category

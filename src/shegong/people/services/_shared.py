"""Helpers the people services share: snapshots for the audit diff, identity checks, resolving references."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.identity import check_identity
from shegong.audit.services import diff, record
from shegong.core.identity import IdentityError, parse_id_number, validate_phone
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.models import Region

SENSITIVE = {"id_number", "phone"}


def _snapshot(obj, fields: list[str]) -> dict[str, Any]:
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        data[name] = "***" if name in SENSITIVE and value else value
    return data


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _resolve(data: dict[str, Any], refs: dict[str, type]) -> dict[str, Any]:
    """Turn codes and ids into rows the actor can see: the same 404 for missing and not-yours."""
    data = dict(data)
    for key, model in refs.items():
        value = data.get(key)
        if value is None or value == "" or isinstance(value, model):
            if value == "":
                data[key] = None
            continue
        lookup = {"code": value} if model is Region else {"pk": value}
        data[key] = get_scoped_or_404(model, **lookup)
    return data


def _clean_identity(obj, errors: dict[str, list[Any]], *, required_id: bool) -> None:
    if obj.id_number:
        try:
            parsed = parse_id_number(obj.id_number)
        except IdentityError as exc:
            errors.setdefault("id_number", []).append(str(exc))
        else:
            obj.id_number = parsed.number
            obj.birth_date = parsed.birth_date
            obj.gender = parsed.sex
    elif required_id:
        errors.setdefault("id_number", []).append(_("请填写身份证号"))
    if obj.phone:
        try:
            obj.phone = validate_phone(obj.phone)
        except IdentityError as exc:
            errors.setdefault("phone", []).append(str(exc))


def _duplicate_identity(model, obj, errors: dict[str, list[Any]], *, actor, request=None) -> None:
    """Identity is unique across every region; outside the actor's reach the refusal names no one (audited)."""
    if not obj.id_number or "id_number" in errors:
        return
    if obj.pk is not None and obj.id_number == getattr(obj, "_stored_id_number", None):
        return  # an edit that keeps the number checks nothing and so counts towards no limit
    clash = check_identity(
        model,
        obj.id_number,
        actor=actor,
        request=request,
        exclude_pk=obj.pk,
        detail_url=lambda pk: reverse(DETAIL_URLS[model._meta.model_name], args=[pk]),
    )
    if clash is not None:
        errors.setdefault("id_number", []).append(clash)


DETAIL_URLS = {"socialworker": "people:worker_detail", "volunteer": "people:volunteer_detail"}


@dataclass(frozen=True)
class PersonKind:
    """How one registry (social workers, volunteers) is written: its permission, fields, checks and audit name."""

    model: type
    permission: str
    fields: list[str]
    refs: dict[str, type]
    validate: Callable[..., None]  # (obj, *, actor, request=None)
    action: str  # audit action prefix, e.g. "people.worker"
    missing_region: str


def create_person(kind: PersonKind, *, actor, data: dict[str, Any]):
    data = _resolve(data, kind.refs)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [kind.missing_region]})
    actor.require(kind.permission, region.code)
    obj = kind.model(**{k: v for k, v in data.items() if k in kind.fields and v is not None})
    obj.region_code = region.code
    kind.validate(obj, actor=actor)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        record(f"{kind.action}.create", actor=actor, obj=obj, changes=diff({}, _snapshot(obj, kind.fields)))
    return obj


def update_person(kind: PersonKind, obj, *, actor, data: dict[str, Any]):
    """Apply ``data``; the audit entry names every changed field, a changed ID number or phone masked."""
    actor.require(kind.permission, obj.region_code)
    data = _resolve(data, kind.refs)
    if data.get("region") is not None:
        actor.require(kind.permission, data["region"].code)
    before = _snapshot(obj, kind.fields)
    old_sensitive = {k: getattr(obj, k) for k in SENSITIVE}
    for key, value in data.items():
        if key in kind.fields:
            setattr(obj, key, "" if value is None and key in SENSITIVE else value)
    obj.region_code = obj.region_id
    obj._stored_id_number = old_sensitive["id_number"]
    kind.validate(obj, actor=actor)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        changes = diff(before, _snapshot(obj, kind.fields))
        for key, old in old_sensitive.items():
            if getattr(obj, key) != old:
                changes[key] = {"before": "***", "after": "*** (changed)"}
        if changes:
            record(f"{kind.action}.update", actor=actor, obj=obj, changes=changes)
    return obj

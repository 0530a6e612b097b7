"""Helpers the people services share: snapshots for the audit diff, identity checks, resolving references."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.identity import check_identity
from shegong.core.identity import IdentityError, parse_id_number, validate_phone
from shegong.core.records import snapshot

SENSITIVE = {"id_number", "phone"}


def _snapshot(obj, fields: list[str]) -> dict[str, Any]:
    return snapshot(obj, fields, SENSITIVE)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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
    if obj.pk is not None and obj.id_number == getattr(obj, "_stored_values", {}).get("id_number"):
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

"""Helpers the people services share: snapshots for the audit diff, identity checks, resolving references."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.fields import blind_index_for
from shegong.core.identity import IdentityError, parse_id_number, validate_phone
from shegong.core.records import resolve_refs, snapshot
from shegong.core.scoping import across_regions

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


_resolve = resolve_refs


def _clean_identity(obj, errors: dict[str, list[str]], *, required_id: bool) -> None:
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


def _duplicate_identity(model, obj, errors: dict[str, list[str]], noun: str) -> None:
    if not obj.id_number or "id_number" in errors:
        return
    index = blind_index_for(model, "id_number_index", obj.id_number)
    # Identity is unique across every region, not only the part the actor can see; the message names no one.
    with across_regions("identity is unique across every region"):
        clash = model.objects.filter(id_number_index=index).exclude(pk=obj.pk).exists()
    if clash:
        errors.setdefault("id_number", []).append(_("该身份证号已登记为%(noun)s") % {"noun": noun})

"""Helpers shared by the project services."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.core.money import parse_yuan

from ..models import ProjectState

S = ProjectState


def _today(today):
    return today or timezone.localdate()


def _money(errors: dict, field: str, value, *, allow_zero=True) -> Decimal | None:
    try:
        return parse_yuan(value, allow_zero=allow_zero)
    except (ValueError, TypeError) as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def _full_clean(obj, errors: dict, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)

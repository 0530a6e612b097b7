"""Timeline lines kept as a message and its values, so each reader sees them in their own language.

A line is stored three ways on ``TimelineEntry``: ``message`` (the untranslated msgid), ``params`` (JSON values
for its placeholders) and ``summary`` (the line as written, in the writer's language — what exports, search and
entries from before messages existed fall back to). A value that is itself a label is stored as a reference and
looked up when shown: ``{"choice": "risk", "value": 1}`` or ``{"fields": ["name", "phone"]}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, gettext_noop

from shegong.core.text import join_list

from .models import HouseholdMember, NeedDomain, Recipient, RecipientStatus, RiskTier

CREATED = gettext_noop("建档：%(name)s")
IMPORTED = gettext_noop("名册导入建档")
DEMO_CREATED = gettext_noop("建档（演示数据）")
UPDATED = gettext_noop("修改档案：%(f)s")
# Entries written before the status note and risk reason were encrypted carry them; new entries leave them in the
# encrypted record (the timeline is stored in clear). The old messages stay so old entries still translate.
STATUS = gettext_noop("状态变更：%(a)s → %(b)s %(n)s")
RISK = gettext_noop("风险等级：%(a)s → %(b)s（%(r)s）")
STATUS_CHANGED = gettext_noop("状态变更：%(a)s → %(b)s")
RISK_CHANGED = gettext_noop("风险等级：%(a)s → %(b)s")
CATEGORY_ADDED = gettext_noop("认定类别：%(c)s（%(d)s 起，%(a)s）")
CATEGORY_ENDED = gettext_noop("终止类别：%(c)s（%(d)s）")
HOUSEHOLD = gettext_noop("登记%(k)s：%(n)s（%(r)s）")
ASSESSMENT = gettext_noop("需求评估（%(date)s）")
ASSESSMENT_HIGH = gettext_noop("需求评估（%(date)s）：较高需求 %(domains)s")
EVENT = gettext_noop("重大变故：%(d)s")

CHOICES: dict[str, Any] = {
    "status": RecipientStatus,
    "risk": RiskTier,
    "household": HouseholdMember.Kind,
    "domain": NeedDomain,
}


def choice(kind: str, value: Any) -> dict[str, Any]:
    """A label stored by its value: shown in the reader's language."""
    return {"choice": kind, "value": value}


def fields(names: list[str]) -> dict[str, Any]:
    """The recipient fields' names, joined the reader's way."""
    return {"fields": list(names)}


def choices(kind: str, values: list[Any]) -> dict[str, Any]:
    return {"choices": kind, "values": list(values)}


def _value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "choice" in value:
        return CHOICES[value["choice"]](value["value"]).label
    if "choices" in value:
        kind = CHOICES[value["choices"]]
        return join_list(str(kind(v).label) for v in value["values"])
    if "fields" in value:
        return join_list(str(Recipient._meta.get_field(name).verbose_name) for name in value["fields"])
    raise ValueError(f"unknown timeline value {value!r}")


def render(message: str, params: dict[str, Any] | None = None) -> str:
    """The line in the active language."""
    text = gettext(message)
    if not params:
        return text
    return text % {key: _value(value) for key, value in params.items()}


def render_or(message: str, params: dict[str, Any] | None, fallback: str) -> str:
    """``render``, or the stored text for an entry written without a message (or one no longer known)."""
    if not message:
        return fallback
    try:
        return render(message, params)
    except (KeyError, ValueError, TypeError, LookupError, FieldDoesNotExist):  # a field renamed since, too
        return fallback

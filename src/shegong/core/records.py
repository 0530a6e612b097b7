"""Create and update a registry row with its audit entry: the one recipe every simple registry write follows.

A registry describes itself once as a ``RecordKind`` (model, permission, editable fields, references, its own
checks, audit name); ``create_record`` and ``update_record`` then resolve references within the actor's scope (the
same 404 for missing and not-yours), check the permission in the old and the new region, validate, save and audit
the changed fields — sensitive ones masked — in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .auditing import record
from .scoping import get_scoped_or_404

MASK = "***"


def _no_checks(obj, *, actor) -> None:
    return None


@dataclass(frozen=True)
class RecordKind:
    model: type
    permission: str
    fields: list[str]
    action: str  # the audit action prefix, e.g. "orgs.organisation": ".create" / ".update" are added
    missing_region: str  # the message when no region is given on create
    refs: dict[str, type] = field(default_factory=dict)  # field -> model, looked up by primary key in scope
    validate: Callable[..., None] = (
        _no_checks  # validate(obj, actor=…): the registry's own rules; raises ValidationError
    )
    sensitive: Collection[str] = ()  # audited as changed, never with their values


def resolve_refs(data: dict[str, Any], refs: dict[str, type]) -> dict[str, Any]:
    """Turn primary keys (ids, region codes) into rows the actor can see: the same 404 for missing and not-yours."""
    data = dict(data)
    for key, model in refs.items():
        value = data.get(key)
        if value == "":
            data[key] = None
        elif value is not None and not isinstance(value, model):
            data[key] = get_scoped_or_404(model, pk=value)
    return data


def snapshot(obj, fields: list[str], sensitive: Collection[str] = ()) -> dict[str, Any]:
    """The fields' stored values for an audit diff; sensitive ones only say whether they are set."""
    data = {}
    for name in fields:
        value = getattr(obj, obj._meta.get_field(name).attname)
        data[name] = MASK if name in sensitive and value else value
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def create_record(kind: RecordKind, *, actor, data: dict[str, Any]):
    """Create a row of ``kind`` from ``data``."""
    data = resolve_refs(data, kind.refs)
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
        record(
            f"{kind.action}.create",
            actor=actor,
            obj=obj,
            changes=diff({}, snapshot(obj, kind.fields, kind.sensitive)),
        )
    return obj


def update_record(kind: RecordKind, obj, *, actor, data: dict[str, Any]):
    """Apply ``data`` to ``obj``; the audit entry names every changed field, a changed sensitive one masked."""
    actor.require(kind.permission, obj.region_code)
    data = resolve_refs(data, kind.refs)
    if data.get("region") is not None:
        actor.require(kind.permission, data["region"].code)
    before = snapshot(obj, kind.fields, kind.sensitive)
    old_sensitive = {k: getattr(obj, k) for k in kind.sensitive}
    for key, value in data.items():
        if key in kind.fields:
            setattr(obj, key, "" if value is None and key in kind.sensitive else value)
    obj.region_code = obj.region_id
    obj._stored_values = old_sensitive  # what the sensitive fields held, for checks that only look at changes
    kind.validate(obj, actor=actor)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        changes = diff(before, snapshot(obj, kind.fields, kind.sensitive))
        for key, old in old_sensitive.items():
            if getattr(obj, key) != old:
                changes[key] = {"before": MASK, "after": f"{MASK} (changed)"}
        if changes:
            record(f"{kind.action}.update", actor=actor, obj=obj, changes=changes)
    return obj

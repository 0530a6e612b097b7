"""Writes on the service network: create, edit and close nodes, keep rules documents on file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record
from shegong.core.regioncodes import LEVEL_LABELS
from shegong.core.scoping import get_scoped_or_404
from shegong.core.text import join_list
from shegong.regions.models import Region

from .models import NODE_REGION_LEVEL, FunctionRoom, NodeDocument, NodeLevel, ServiceNode

EDITABLE_FIELDS = [
    "level",
    "region",
    "name",
    "address",
    "operator",
    "site_area",
    "function_rooms",
    "has_signage",
    "opening_date",
    "status",
    "standardised",
    "phone",
]


def _snapshot(node: ServiceNode) -> dict[str, Any]:
    data = {}
    for name in EDITABLE_FIELDS:
        field = ServiceNode._meta.get_field(name)
        data[name] = getattr(node, field.attname)
    return data


def _validate(node: ServiceNode) -> None:
    errors: dict[str, list[str]] = {}
    allowed_levels = (
        NODE_REGION_LEVEL.get(NodeLevel(node.level), ()) if node.level in NodeLevel.values else ()
    )
    if node.region_id and node.level in NodeLevel.values:
        if node.region.level not in allowed_levels:
            errors.setdefault("region", []).append(
                _("%(node)s应设在%(levels)s区划上")
                % {
                    "node": NodeLevel(node.level).label,
                    "levels": join_list(LEVEL_LABELS[lv] for lv in allowed_levels),
                }
            )
    unknown = [f for f in (node.function_rooms or []) if f not in FunctionRoom.values]
    if unknown:
        errors.setdefault("function_rooms", []).append(_("未知的功能室：%(f)s") % {"f": join_list(unknown)})
    if node.standardised and node.level != NodeLevel.ROOM:
        errors.setdefault("standardised", []).append(_("只有社工室才有“规范化”标识"))
    if errors:
        raise ValidationError(errors)


def _resolve_refs(actor, data: dict[str, Any]) -> dict[str, Any]:
    """Turn region codes and organisation ids into rows the actor can see (404 otherwise)."""
    data = dict(data)
    if "region" in data and not isinstance(data["region"], Region):
        data["region"] = get_scoped_or_404(Region, code=data["region"])
    if "operator" in data and data["operator"] is not None and not hasattr(data["operator"], "pk"):
        from shegong.orgs.models import Organisation

        data["operator"] = get_scoped_or_404(Organisation, pk=data["operator"])
    return data


def node_create(*, actor, data: dict[str, Any]) -> ServiceNode:
    data = _resolve_refs(actor, data)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择所在区划")]})
    actor.require("network.change", region.code)
    node = ServiceNode(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    node.region_code = region.code
    _validate(node)
    node.full_clean()
    with transaction.atomic():
        node.save()
        record("network.node.create", actor=actor, obj=node, changes=diff({}, _snapshot(node)))
    return node


def node_update(*, actor, node: ServiceNode, data: dict[str, Any]) -> ServiceNode:
    actor.require("network.change", node.region_code)
    data = _resolve_refs(actor, data)
    if "region" in data:
        actor.require("network.change", data["region"].code)
    before = _snapshot(node)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(node, key, value)
    node.region_code = node.region_id
    _validate(node)
    node.full_clean()
    with transaction.atomic():
        node.save()
        changes = diff(before, _snapshot(node))
        if changes:
            record("network.node.update", actor=actor, obj=node, changes=changes)
    return node


def node_delete(*, actor, node: ServiceNode) -> None:
    """Delete a node that has no history; one with staff or activities must be closed instead."""
    actor.require("network.change", node.region_code)
    if node.assignments.exists() or node.activities.exists():
        raise ValidationError(_("该阵地已有人员或活动记录，不能删除，请将状态改为“已撤销”"))
    with transaction.atomic():
        record("network.node.delete", actor=actor, obj=node, changes=diff(_snapshot(node), {}))
        node.documents.all().delete()
        node.delete()


def document_add(*, actor, node: ServiceNode, kind: str, title: str) -> NodeDocument:
    actor.require("network.change", node.region_code)
    document = NodeDocument(node=node, kind=kind, title=title.strip(), region_code=node.region_code)
    document.full_clean()
    with transaction.atomic():
        document.save()
        record("network.document.add", actor=actor, obj=document, changes={"title": title, "kind": kind})
    return document

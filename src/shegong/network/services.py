"""Writes on the service network: create, edit and close nodes, keep rules documents on file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.services import diff, record
from shegong.core.records import RecordKind, create_record, snapshot, update_record
from shegong.core.regioncodes import LEVEL_LABELS
from shegong.core.text import join_list
from shegong.regions.models import Region

from .models import (
    NODE_REGION_LEVEL,
    STAGE_ORDER,
    Demonstration,
    DevelopmentStage,
    FunctionRoom,
    NodeDocument,
    NodeLevel,
    ServiceNode,
    StationStage,
)

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


def _validate(node: ServiceNode, *, actor=None) -> None:
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


KIND = RecordKind(
    model=ServiceNode,
    permission="network.change",
    fields=EDITABLE_FIELDS,
    action="network.node",
    missing_region=gettext_lazy("请选择所在区划"),
    refs={"region": Region, "operator": ServiceNode._meta.get_field("operator").related_model},
    validate=_validate,
)


def node_create(*, actor, data: dict[str, Any]) -> ServiceNode:
    return create_record(KIND, actor=actor, data=data)


def node_update(*, actor, node: ServiceNode, data: dict[str, Any]) -> ServiceNode:
    return update_record(KIND, node, actor=actor, data=data)


def node_delete(*, actor, node: ServiceNode) -> None:
    """Delete a node that has no history; one with staff or activities must be closed instead."""
    actor.require("network.change", node.region_code)
    if node.assignments.exists() or node.activities.exists():
        raise ValidationError(_("该阵地已有人员或活动记录，不能删除，请将状态改为“已撤销”"))
    with transaction.atomic():
        record(
            "network.node.delete", actor=actor, obj=node, changes=diff(snapshot(node, EDITABLE_FIELDS), {})
        )
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


def stage_record(*, actor, node: ServiceNode, stage: str, reached_on, evidence: str) -> StationStage:
    """Record that a station reached a development stage (覆盖 → 规范 → 提升), in order, with its evidence."""
    actor.require("network.change", node.region_code)
    errors: dict[str, list[str]] = {}
    if node.level != NodeLevel.STATION:
        errors["stage"] = [_("只有乡镇（街道）社工站记录发展阶段")]
    elif stage in DevelopmentStage.values:
        reached = {s.stage: s for s in node.stages.all()}
        index = STAGE_ORDER.index(DevelopmentStage(stage))
        if index and STAGE_ORDER[index - 1] not in reached:
            errors["stage"] = [
                _("请先记录“%(s)s”阶段") % {"s": DevelopmentStage(STAGE_ORDER[index - 1]).label}
            ]
        elif index and reached_on and reached_on < reached[STAGE_ORDER[index - 1]].reached_on:
            errors["reached_on"] = [_("不能早于上一阶段的达到日期")]
    if not (evidence or "").strip():
        errors["evidence"] = [_("请填写佐证材料")]
    if errors:
        raise ValidationError(errors)
    step = StationStage(node=node, stage=stage, reached_on=reached_on, evidence=evidence.strip())
    step.region_code = node.region_code
    step.full_clean()
    with transaction.atomic():
        step.save()
        record(
            "network.stage.record",
            actor=actor,
            obj=step,
            changes={"stage": stage, "reached_on": str(reached_on), "evidence": step.evidence},
        )
    return step


def demonstration_add(
    *, actor, node: ServiceNode, level: str, year: int, named_by: str = ""
) -> Demonstration:
    """Name a station a demonstration station (示范站) at a level in a year."""
    actor.require("network.change", node.region_code)
    if node.level != NodeLevel.STATION:
        raise ValidationError({"level": [_("只有乡镇（街道）社工站可以命名为示范站")]})
    named = Demonstration(node=node, level=level, year=year, named_by=(named_by or "").strip())
    named.region_code = node.region_code
    named.full_clean()
    with transaction.atomic():
        named.save()
        record("network.demonstration.add", actor=actor, obj=named, changes={"level": level, "year": year})
    return named

"""The supervisor register and who supervises whom (supervision relationships)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.services import record
from shegong.core.records import RecordKind, create_record, update_record
from shegong.core.scoping import get_scoped_or_404
from shegong.network.models import NodeLevel, ServiceNode
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

from ..models import SocialWorker, SupervisionAssignment, Supervisor

SUPERVISOR_FIELDS = ["region", "name", "kind", "organisation", "qualification", "level", "lecturer", "active"]


def _validate_supervisor(supervisor: Supervisor, *, actor) -> None:
    if supervisor.kind == Supervisor.Kind.EXTERNAL and supervisor.organisation_id is None:
        raise ValidationError({"organisation": [_("外聘督导须填写所属机构")]})


_KIND = RecordKind(
    model=Supervisor,
    permission="supervisors.change",
    fields=SUPERVISOR_FIELDS,
    refs={"region": Region, "organisation": Organisation},
    validate=_validate_supervisor,
    action="people.supervisor",
    missing_region=gettext_lazy("请选择登记区划"),
)


def supervisor_create(*, actor, data: dict[str, Any]) -> Supervisor:
    return create_record(_KIND, actor=actor, data=data)


def supervisor_update(*, actor, supervisor: Supervisor, data: dict[str, Any]) -> Supervisor:
    return update_record(_KIND, supervisor, actor=actor, data=data)


def supervision_assign(
    *,
    actor,
    supervisor: Supervisor,
    worker: SocialWorker | int | None = None,
    node: ServiceNode | int | None = None,
    project_name: str = "",
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> SupervisionAssignment:
    """Make ``supervisor`` the supervisor of a worker, a station (or room) or a named project from ``start_date``."""
    if worker is not None and not isinstance(worker, SocialWorker):
        worker = get_scoped_or_404(SocialWorker, pk=worker)
    if node is not None and not isinstance(node, ServiceNode):
        node = get_scoped_or_404(ServiceNode, pk=node)
    project_name = (project_name or "").strip()
    chosen = [x for x in (worker, node, project_name) if x]
    if len(chosen) != 1:
        raise ValidationError({"worker": [_("请选择一名社工、一个阵地或填写一个项目（只选其一）")]})
    assignment = SupervisionAssignment(
        supervisor=supervisor,
        worker=worker,
        node=node,
        project_name=project_name,
        start_date=start_date,
        end_date=end_date,
    )
    assignment.region_code = assignment.derived_region_code()
    actor.require("supervisors.change", assignment.region_code)
    errors: dict[str, list[str]] = {}
    if not supervisor.active:
        errors["supervisor"] = [_("该督导已不在册")]
    if node is not None and node.level not in (NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.HUB):
        errors["node"] = [_("请选择社工站、社工室或指导站")]
    overlapping = SupervisionAssignment.objects.filter(
        supervisor=supervisor, worker=worker, node=node, project_name=project_name
    ).filter(SupervisionAssignment.active_q(start_date))
    if overlapping.exists():
        errors.setdefault("supervisor", []).append(_("该督导关系已存在"))
    if errors:
        raise ValidationError(errors)
    assignment.full_clean()
    with transaction.atomic():
        assignment.save()
        record(
            "people.supervision.assign",
            actor=actor,
            obj=assignment,
            changes={
                "supervisor": supervisor.pk,
                "worker": getattr(worker, "pk", None),
                "node": getattr(node, "pk", None),
                "project_name": project_name,
                "start_date": str(start_date),
            },
        )
    return assignment


def supervision_end(
    *, actor, assignment: SupervisionAssignment, end_date: datetime.date
) -> SupervisionAssignment:
    actor.require("supervisors.change", assignment.region_code)
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": [_("结束日期不能早于开始日期")]})
    with transaction.atomic():
        assignment.end_date = end_date
        assignment.full_clean()
        assignment.save(update_fields=["end_date"])
        record("people.supervision.end", actor=actor, obj=assignment, changes={"end_date": str(end_date)})
    return assignment

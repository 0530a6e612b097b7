"""The project and its lifecycle: publishing a project, moving it step by step, terminating it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.audit.services import record
from shegong.core.regioncodes import in_subtree
from shegong.regions.models import Region

from ..models import (
    FINISHED_STATES,
    Project,
    Transition,
)
from ._common import S, _full_clean, _money, _today
from .documents import missing_document

# The lifecycle (seed 003): each step, the state it leaves from, and the permission that takes it. The buyer (the
# bureau or the township) approves; the operator submits. Termination is possible from any unfinished state.
STEPS: dict[str, tuple[str, str]] = {
    S.APPROVED: (S.DEMAND, "projects.approve"),
    S.STAFFING: (S.APPROVED, "projects.submit"),
    S.EXECUTING: (S.STAFFING, "projects.approve"),
    S.MID_REVIEW: (S.EXECUTING, "projects.submit"),
    S.FINAL_REVIEW: (S.MID_REVIEW, "projects.submit"),
    S.CLOSED: (S.FINAL_REVIEW, "projects.approve"),
}
STEP_LABELS = {
    S.APPROVED: gettext_noop("批准立项"),
    S.STAFFING: gettext_noop("报送项目人员"),
    S.EXECUTING: gettext_noop("确认人员，开始执行"),
    S.MID_REVIEW: gettext_noop("提交中期报告"),
    S.FINAL_REVIEW: gettext_noop("提交末期报告"),
    S.CLOSED: gettext_noop("验收结项"),
}


PROJECT_FIELDS = [
    "code",
    "name",
    "buyer_name",
    "kind",
    "field",
    "starts_on",
    "ends_on",
    "contract_amount",
    "government_funds",
    "charity_funds",
    "behind_margin",
    "demand_codes",
]


def project_create(*, actor, data: dict, buyer: Region, operator, service_regions: list[Region]) -> Project:
    """The buyer publishes a project (需求发布). Its service regions lie in the buyer's own subtree."""
    actor.require("projects.change", buyer.code)
    errors: dict[str, list[str]] = {}
    amounts = {}
    for name in ("contract_amount", "government_funds", "charity_funds"):
        if name in data:
            amounts[name] = _money(errors, name, data[name])
    if not service_regions:
        errors.setdefault("service_regions", []).append(_("请选择至少一个服务区域"))
    for region in service_regions:
        if not in_subtree(region.code, buyer.code):
            errors.setdefault("service_regions", []).append(
                _("服务区域“%(name)s”不在购买方辖区内") % {"name": region.name}
            )
    plain = {k: v for k, v in data.items() if k in PROJECT_FIELDS and k not in amounts}
    project = Project(
        buyer=buyer, operator=operator, **plain, **{k: v for k, v in amounts.items() if v is not None}
    )
    project.region_code = buyer.code
    if not project.buyer_name:
        project.buyer_name = buyer.name
    _full_clean(project, errors, exclude=[k for k in amounts if amounts[k] is None])
    if (
        not errors.get("contract_amount")
        and amounts.get("contract_amount") is not None
        and (amounts.get("government_funds") or 0) + (amounts.get("charity_funds") or 0)
        > amounts["contract_amount"]
    ):
        errors.setdefault("charity_funds", []).append(_("资金来源合计不能超过合同金额"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project.save()
        project.service_regions.set(service_regions)
        Transition.objects.create(
            project=project,
            from_state=S.DEMAND,
            to_state=S.DEMAND,
            on=timezone.localdate(),
            by=getattr(actor, "user", None),
            note="",
            region_code=project.region_code,
        )
        record(
            "projects.project.create",
            actor=actor,
            obj=project,
            changes={
                **{k: getattr(project, k) for k in PROJECT_FIELDS},
                "regions": [r.code for r in service_regions],
            },
        )
    return project


def project_transition(
    *, actor, project: Project, to_state: str, note: str = "", today: datetime.date | None = None
) -> Project:
    """Move the project one step on (or terminate it, with a reason) — by the role allowed to take that step."""
    today = _today(today)
    note = (note or "").strip()
    if to_state == S.TERMINATED:
        actor.require("projects.approve", project.region_code)
        if project.state in FINISHED_STATES:
            raise ValidationError({"to_state": [_("项目已结束，不能终止")]})
        if not note:
            raise ValidationError({"note": [_("终止项目须填写原因")]})
    else:
        if to_state not in STEPS:
            raise ValidationError({"to_state": [_("没有这一步")]})
        from_state, permission = STEPS[to_state]
        actor.require(permission, project.region_code)
        if project.state != from_state:
            raise ValidationError(
                {
                    "to_state": [
                        _("项目当前处于“%(state)s”阶段，不能执行这一步")
                        % {"state": project.get_state_display()}
                    ]
                }
            )
        if to_state == S.STAFFING and not project.staff.filter(end_date__isnull=True).exists():
            raise ValidationError({"to_state": [_("请先添加项目人员再报送")]})
        missing = missing_document(project, to_state)
        if missing is not None:
            raise ValidationError(
                {"to_state": [_("缺少“%(document)s”，请先上传再执行这一步") % {"document": missing}]}
            )
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.state != project.state:
            raise ValidationError({"to_state": [_("项目阶段已被他人更新，请刷新后重试")]})
        before = project.state
        project.state = to_state
        fields = ["state"]
        if to_state == S.APPROVED:
            project.approved_on = today
            fields.append("approved_on")
        if to_state == S.TERMINATED:
            project.termination_reason = note
            fields.append("termination_reason")
            project.staff.filter(end_date__isnull=True).update(end_date=today)
        project.save(update_fields=fields)
        Transition.objects.create(
            project=project,
            from_state=before,
            to_state=to_state,
            on=today,
            by=getattr(actor, "user", None),
            note=note,
            region_code=project.region_code,
        )
        record(
            "projects.project.transition",
            actor=actor,
            obj=project,
            reason=note,
            changes={"state": [before, to_state]},
        )
    return project

"""Writes on purchased service projects: each ``<entity>_<verb>(*, actor, …)``, atomic, validated, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.audit.services import record
from shegong.core.money import parse_yuan, yuan
from shegong.core.regioncodes import in_subtree
from shegong.core.scoping import across_regions
from shegong.core.tallies import month_of
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.people.models import AssignmentFilingStatus, SocialWorker, WorkerStatus
from shegong.people.services.dishonesty import dishonesty_add, dishonesty_bar, dishonesty_message
from shegong.regions.models import Region

from .models import (
    ACTIVE_STATES,
    FINISHED_STATES,
    BudgetLine,
    ClawBack,
    Expenditure,
    Payment,
    Project,
    ProjectStaff,
    ProjectState,
    Release,
    Target,
    Transition,
)

S = ProjectState

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


def _today(today):
    return today or timezone.localdate()


def _money(errors: dict, field: str, value, *, allow_zero=True) -> Decimal | None:
    try:
        return parse_yuan(value, allow_zero=allow_zero)
    except (ValueError, TypeError) as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


# Projects -------------------------------------------------------------------------------------------------------

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


def _full_clean(obj, errors: dict, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)


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


# Staff ----------------------------------------------------------------------------------------------------------


def current_project_of(worker: SocialWorker, *, on: datetime.date, exclude_project_id=None) -> Project | None:
    """The active purchased project ``worker`` serves on, wherever it is: the one-project rule binds in every
    region, so a clash filed elsewhere is found (and named: a project's name is public, SPEC §6)."""
    with across_regions("one registered social worker runs one project at a time, in every region"):
        posts = ProjectStaff.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            worker_id=worker.pk,
            project__state__in=ACTIVE_STATES,
        )
        if exclude_project_id is not None:
            posts = posts.exclude(project_id=exclude_project_id)
        post = posts.select_related("project").order_by("start_date").first()
        return post.project if post else None


def one_project_message(project: Project) -> str:
    return _(
        "该社工已在项目“%(name)s”（%(code)s）中服务，一名社工同一时间只能参与一个在执行的购买服务项目。"
    ) % {
        "name": project.name,
        "code": project.code,
    }


def staff_add(
    *,
    actor,
    project: Project,
    worker: SocialWorker,
    role: str = "worker",
    start_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ProjectStaff:
    """Put a worker on the project. Refused, naming the other project, while the worker serves on another active
    one; refused for a barred or departed worker. The worker row is locked so two concurrent assignments of the
    same worker to two projects cannot both pass the check."""
    actor.require("projects.staff", project.region_code)
    today = _today(today)
    start_date = start_date or today
    if project.state in FINISHED_STATES:
        raise ValidationError({"worker": [_("项目已结束，不能再添加人员")]})
    with transaction.atomic():
        SocialWorker.objects.select_for_update().filter(pk=worker.pk).first()
        worker.refresh_from_db()
        entry = dishonesty_bar(worker, max(today, start_date))
        if entry is not None:
            raise ValidationError({"worker": [dishonesty_message(entry)]})
        if worker.status == WorkerStatus.LEFT:
            raise ValidationError({"worker": [_("该社工已离职")]})
        if project.staff.filter(worker=worker, end_date__isnull=True).exists():
            raise ValidationError({"worker": [_("该社工已在本项目中")]})
        other = current_project_of(worker, on=start_date, exclude_project_id=project.pk)
        if other is not None:
            raise ValidationError({"worker": [one_project_message(other)]})
        staff = ProjectStaff(
            project=project, worker=worker, role=role, start_date=start_date, region_code=project.region_code
        )
        staff.full_clean()
        staff.save()
        Project.objects.filter(pk=project.pk).update(staff_changed_on=today)
        record(
            "projects.staff.add",
            actor=actor,
            obj=project,
            changes={"worker": worker.pk, "role": role, "start_date": start_date},
        )
    return staff


def staff_end(*, actor, staff: ProjectStaff, end_date: datetime.date, today=None) -> ProjectStaff:
    actor.require("projects.staff", staff.region_code)
    if staff.end_date is not None:
        raise ValidationError({"end_date": [_("该人员已离开项目")]})
    if end_date < staff.start_date:
        raise ValidationError({"end_date": [_("离开日期不能早于进入日期")]})
    with transaction.atomic():
        staff.end_date = end_date
        staff.save(update_fields=["end_date"])
        Project.objects.filter(pk=staff.project_id).update(staff_changed_on=_today(today))
        record(
            "projects.staff.end",
            actor=actor,
            obj=staff.project,
            changes={"worker": staff.worker_id, "end_date": end_date},
        )
    return staff


def staff_filing_submit(*, actor, staff: ProjectStaff, today=None) -> ProjectStaff:
    """The operator files the project worker with the bureau (备案), as a station posting is filed."""
    actor.require("filing.submit", staff.region_code)
    if staff.filing_status != AssignmentFilingStatus.UNFILED:
        raise ValidationError(_("该人员已报备，无需重复报备"))
    with transaction.atomic():
        staff.filing_status = AssignmentFilingStatus.SUBMITTED
        staff.filing_submitted_on = _today(today)
        staff.save(update_fields=["filing_status", "filing_submitted_on"])
        record("projects.filing.submit", actor=actor, obj=staff.project, changes={"worker": staff.worker_id})
    return staff


def staff_filing_confirm(*, actor, staff: ProjectStaff, today=None) -> ProjectStaff:
    actor.require("filing.confirm", staff.region_code)
    if staff.filing_status != AssignmentFilingStatus.SUBMITTED:
        raise ValidationError(_("只有已报备的人员才能确认备案"))
    with transaction.atomic():
        staff.filing_status = AssignmentFilingStatus.CONFIRMED
        staff.filing_confirmed_on = _today(today)
        staff.save(update_fields=["filing_status", "filing_confirmed_on"])
        record("projects.filing.confirm", actor=actor, obj=staff.project, changes={"worker": staff.worker_id})
    return staff


# Targets and budget ---------------------------------------------------------------------------------------------


def target_set(
    *, actor, project: Project, indicator: str, quantity, period_start=None, period_end=None
) -> Target:
    actor.require("projects.change", project.region_code)
    period_start = period_start or project.starts_on
    period_end = period_end or project.ends_on
    errors: dict[str, list[str]] = {}
    try:
        quantity = Decimal(str(quantity).strip())
    except ArithmeticError:
        errors["quantity"] = [_("请填写数字")]
    if not errors and (
        period_start < project.starts_on or period_end > project.ends_on or period_end < period_start
    ):
        errors.setdefault("period_end", []).append(_("指标期间须在项目周期内"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target = Target.objects.filter(
            project=project, indicator=indicator, period_start=period_start
        ).first()
        before = target.quantity if target else None
        target = target or Target(project=project, indicator=indicator, period_start=period_start)
        target.quantity, target.period_end, target.region_code = quantity, period_end, project.region_code
        target.full_clean()
        target.save()
        record(
            "projects.target.set",
            actor=actor,
            obj=project,
            changes={
                "indicator": indicator,
                "quantity": [before, quantity],
                "period": [period_start, period_end],
            },
        )
    return target


def budget_line_set(*, actor, project: Project, category: str, amount) -> BudgetLine:
    actor.require("projects.change", project.region_code)
    errors: dict[str, list[str]] = {}
    value = _money(errors, "amount", amount)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line = BudgetLine.objects.select_for_update().filter(project=project, category=category).first()
        before = line.amount if line else None
        line = line or BudgetLine(project=project, category=category)
        if value < line.spent:
            raise ValidationError(
                {"amount": [_("预算不能低于该科目已支出的 %(spent)s") % {"spent": yuan(line.spent)}]}
            )
        line.amount, line.region_code = value, project.region_code
        line.full_clean()
        line.save()
        total = sum(BudgetLine.objects.filter(project=project).values_list("amount", flat=True), Decimal(0))
        if total > project.contract_amount:
            raise ValidationError(
                {
                    "amount": [
                        _("预算合计 %(total)s 超过合同金额 %(contract)s")
                        % {"total": yuan(total), "contract": yuan(project.contract_amount)}
                    ]
                }
            )
        record(
            "projects.budget.set",
            actor=actor,
            obj=project,
            changes={"category": category, "amount": [before, value]},
        )
    return line


class OverBudget(ValidationError):
    """An expenditure that would take its line over budget: refused, and flagged (counted, audited, notified)."""


def expenditure_record(
    *,
    actor,
    project: Project,
    line: BudgetLine,
    amount,
    spent_on: datetime.date,
    description: str,
    voucher_number: str = "",
) -> Expenditure:
    """Record money spent on a budget line. The line is locked (``select_for_update``) while its running total
    is checked and raised, and the database refuses a total above the line's amount: two concurrent payments can
    never together overspend it. An attempt that would overspend is refused, counted on the line, audited and
    notified to the buyer."""
    actor.require("projects.spend", project.region_code)
    errors: dict[str, list[str]] = {}
    value = _money(errors, "amount", amount, allow_zero=False)
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("请填写用途")]
    if line.project_id != project.pk:
        errors["line"] = [_("请选择本项目的预算科目")]
    if spent_on and not (project.starts_on <= spent_on <= project.ends_on):
        errors.setdefault("spent_on", []).append(_("支出日期须在项目周期内"))
    if project.state not in ACTIVE_STATES:
        errors.setdefault("line", []).append(_("项目不在执行中，不能登记支出"))
    if errors:
        raise ValidationError(errors)
    refused = None
    try:
        with transaction.atomic():
            locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
            if locked.spent + value > locked.amount:
                refused = locked
                raise OverBudget(
                    {
                        "amount": [
                            _("超出预算：科目“%(line)s”预算 %(budget)s，已支出 %(spent)s，仅剩 %(left)s")
                            % {
                                "line": locked.get_category_display(),
                                "budget": yuan(locked.amount),
                                "spent": yuan(locked.spent),
                                "left": yuan(locked.remaining),
                            }
                        ]
                    }
                )
            expenditure = Expenditure(
                project=project,
                line=locked,
                amount=value,
                spent_on=spent_on,
                description=description,
                voucher_number=(voucher_number or "").strip(),
                recorded_by=getattr(actor, "user", None),
                region_code=project.region_code,
            )
            expenditure.full_clean()
            expenditure.save()
            BudgetLine.objects.filter(pk=locked.pk).update(spent=F("spent") + value)
            record(
                "projects.expenditure.record",
                actor=actor,
                obj=project,
                changes={"line": locked.category, "amount": value, "spent_on": spent_on},
            )
    except IntegrityError:
        # The database's own check (spent ≤ amount) caught what the lock should have: still an overspend.
        refused = BudgetLine.objects.get(pk=line.pk)
        _flag_overspend(actor, project, refused, value)
        raise OverBudget({"amount": [_("超出预算")]}) from None
    except OverBudget:
        _flag_overspend(actor, project, refused, value)
        raise
    line.refresh_from_db()
    return expenditure


def _flag_overspend(actor, project: Project, line: BudgetLine, value: Decimal) -> None:
    with transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(refused_attempts=F("refused_attempts") + 1)
        record(
            "projects.expenditure.refused",
            actor=actor,
            obj=project,
            changes={"line": line.category, "amount": value, "remaining": line.remaining},
        )
        buyers = role_holders([Role.OFFICIAL, Role.TOWNSHIP], project.region_code)
        notify(
            users=buyers,
            notice=Notice(
                kind=Kind.PROJECT_OVERSPEND,
                title=gettext_noop("项目支出超预算被拒"),
                body=gettext_noop(
                    "项目 %(code)s 的“%(line)s”科目有一笔 %(amount)s 的支出超出预算，已被拒绝。"
                ),
                params={"code": project.code, "line": line.category, "amount": yuan(value)},
                link=reverse("projects:detail", args=[project.pk]),
            ),
            region_code=project.region_code,
            dedupe_key=f"project-overspend:{project.pk}:{line.pk}:{timezone.localdate():%Y-%m-%d}",
        )


def payment_record(*, actor, project: Project, milestone: str, amount, paid_on: datetime.date) -> Payment:
    actor.require("projects.change", project.region_code)
    errors: dict[str, list[str]] = {}
    value = _money(errors, "amount", amount, allow_zero=False)
    if not (milestone or "").strip():
        errors["milestone"] = [_("请填写付款节点")]
    if errors:
        raise ValidationError(errors)
    payment = Payment(
        project=project,
        milestone=milestone.strip(),
        amount=value,
        paid_on=paid_on,
        region_code=project.region_code,
    )
    payment.full_clean()
    with transaction.atomic():
        payment.save()
        record(
            "projects.payment.record",
            actor=actor,
            obj=project,
            changes={"milestone": payment.milestone, "amount": value},
        )
    return payment


def clawback_record(
    *,
    actor,
    project: Project,
    amount,
    reason: str,
    staff: ProjectStaff | None = None,
    list_worker: bool = False,
    today: datetime.date | None = None,
) -> ClawBack:
    """The bureau recovers money from the operator, with its reason; for a staffing breach it may also put the
    worker on the dishonesty list (the people registry's 2-year bar)."""
    actor.require("projects.clawback", project.region_code)
    today = _today(today)
    errors: dict[str, list[str]] = {}
    value = _money(errors, "amount", amount, allow_zero=False)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写追回原因")]
    if staff is not None and staff.project_id != project.pk:
        errors["staff"] = [_("请选择本项目的人员")]
    if list_worker and staff is None:
        errors["staff"] = [_("列入失信名单须选择涉及人员")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        clawback = ClawBack(
            project=project,
            amount=value,
            reason=reason,
            decided_on=today,
            staff=staff,
            region_code=project.region_code,
        )
        clawback.full_clean()
        clawback.save()
        record("projects.clawback.record", actor=actor, obj=project, reason=reason, changes={"amount": value})
        if list_worker:
            dishonesty_add(actor=actor, worker=staff.worker, reason=reason, today=today)
    return clawback


# Releases -------------------------------------------------------------------------------------------------------


def release_publish(*, project: Project, month: datetime.date, now=None) -> Release | None:
    """Publish ``project``'s release for ``month`` (version 1) unless one exists: running twice publishes nothing."""
    from .disclosure import release_content

    month = month_of(month)
    now = now or timezone.now()
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if Release.objects.filter(project=project, month=month).exists():
            return None
        release = Release(
            project=project,
            month=month,
            version=1,
            published_at=now,
            content=release_content(project, month, today=timezone.localtime(now).date()),
            region_code=project.region_code,
        )
        release.save()
        record(
            "projects.release.publish",
            actor=None,
            actor_name="system",
            obj=release,
            changes={"month": f"{month:%Y-%m}"},
        )
    return release


def release_correct(*, actor, release: Release, note: str, now=None) -> Release:
    """A correction is a new version that says what it corrects; the release it corrects stays as published."""
    from .disclosure import release_content

    actor.require("projects.disclose", release.region_code)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"correction_note": [_("请说明更正了什么")]})
    now = now or timezone.now()
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=release.project_id).first()
        latest = (
            Release.objects.filter(project_id=release.project_id, month=release.month)
            .order_by("-version")
            .first()
        )
        correction = Release(
            project=release.project,
            month=release.month,
            version=latest.version + 1,
            published_at=now,
            corrects=latest,
            correction_note=note,
            content=release_content(release.project, release.month, today=timezone.localtime(now).date()),
            region_code=release.region_code,
        )
        correction.full_clean()
        correction.save()
        record(
            "projects.release.correct",
            actor=actor,
            obj=correction,
            reason=note,
            changes={"month": f"{release.month:%Y-%m}", "version": correction.version},
        )
    return correction

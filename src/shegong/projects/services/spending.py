"""Targets, the budget and the money: budget lines, expenditures, payments and claw-backs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.audit.services import record
from shegong.core.money import yuan
from shegong.core.uploads import Upload, document_errors
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.people.services.dishonesty import dishonesty_add
from shegong.regions.selectors import policy_for

from ..models import (
    ACTIVE_STATES,
    BudgetLine,
    ClawBack,
    DocumentType,
    Expenditure,
    ExpenditureStatus,
    Payment,
    Project,
    ProjectDocument,
    ProjectStaff,
    Target,
)
from ._common import _money, _today
from .documents import voucher_store


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
    """An expenditure that would take its line over budget where the region refuses it: refused, and flagged
    (counted, audited, notified)."""


def committed(line: BudgetLine) -> Decimal:
    """What the line has spent or has waiting for approval: every expenditure on it not sent back."""
    return Expenditure.objects.filter(line_id=line.pk).exclude(status=ExpenditureStatus.REJECTED).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)


def expenditure_record(
    *,
    actor,
    project: Project,
    line: BudgetLine,
    amount,
    spent_on: datetime.date,
    description: str,
    voucher: Upload | ProjectDocument | None = None,
    voucher_number: str = "",
) -> Expenditure:
    """The operator records money spent on a budget line, with its voucher; it waits for the operator's finance
    and then the buyer. The line is locked (``select_for_update``) while what it has committed is checked, so
    concurrent recordings are judged one after another. One that would take the line over budget is refused where
    the region's policy refuses overspending (counted on the line, audited, notified to the buyer), and elsewhere
    recorded and flagged (``over_budget``, audited, notified). ``voucher`` is the uploaded file, or a voucher
    document of the project uploaded beforehand (the API's two-step upload)."""
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
    if isinstance(voucher, ProjectDocument):
        if voucher.project_id != project.pk or voucher.doc_type != DocumentType.VOUCHER:
            errors["voucher"] = [_("请选择本项目上传的支出凭证")]
        elif Expenditure.objects.filter(voucher=voucher).exists():
            errors["voucher"] = [_("该凭证已用于另一笔支出")]
    else:
        problems = document_errors(voucher)
        if problems:
            errors["voucher"] = [_("请上传支出凭证")] if voucher is None else problems
    if errors:
        raise ValidationError(errors)
    refuse = policy_for(project.region_code).overspend_refused
    refused = None
    try:
        with transaction.atomic():
            locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
            before = committed(locked)
            over = before + value > locked.amount
            if over and refuse:
                refused = locked
                raise OverBudget(
                    {
                        "amount": [
                            _(
                                "超出预算：科目“%(line)s”预算 %(budget)s，已支出及待审核 %(spent)s，仅剩 %(left)s"
                            )
                            % {
                                "line": locked.get_category_display(),
                                "budget": yuan(locked.amount),
                                "spent": yuan(before),
                                "left": yuan(max(locked.amount - before, Decimal(0))),
                            }
                        ]
                    }
                )
            document = (
                voucher
                if isinstance(voucher, ProjectDocument)
                else voucher_store(actor=actor, project=project, upload=voucher)
            )
            expenditure = Expenditure(
                project=project,
                line=locked,
                amount=value,
                spent_on=spent_on,
                description=description,
                voucher=document,
                voucher_number=(voucher_number or "").strip(),
                over_budget=over,
                recorded_by=getattr(actor, "user", None),
                region_code=project.region_code,
            )
            expenditure.full_clean()
            expenditure.save()
            record(
                "projects.expenditure.record",
                actor=actor,
                obj=project,
                changes={
                    "expenditure": expenditure.pk,
                    "line": locked.category,
                    "amount": value,
                    "spent_on": spent_on,
                    "over_budget": over,
                },
            )
            if over:
                _notify_overspend(project, locked, value, refused=False)
    except OverBudget:
        _flag_overspend(actor, project, refused, value)
        raise
    return expenditure


def _decide(expenditure: Expenditure, expected: str) -> Expenditure:
    locked = Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    if locked.status != expected:
        raise ValidationError(
            {"status": [_("该支出当前为“%(s)s”，不能执行这一步") % {"s": locked.get_status_display()}]}
        )
    return locked


def expenditure_approve(*, actor, expenditure: Expenditure, today=None) -> Expenditure:
    """The operator's finance (机构财务) approves an expenditure; never one the same person recorded."""
    actor.require("projects.finance", expenditure.region_code)
    user = getattr(actor, "user", None)
    if user is not None and expenditure.recorded_by_id == user.pk:
        raise ValidationError({"status": [_("登记支出的人不能审核自己登记的支出")]})
    with transaction.atomic():
        locked = _decide(expenditure, ExpenditureStatus.PENDING)
        locked.status = ExpenditureStatus.APPROVED
        locked.approved_by = user
        locked.approved_on = _today(today)
        locked.save(update_fields=["status", "approved_by", "approved_on"])
        record(
            "projects.expenditure.approve",
            actor=actor,
            obj=locked.project,
            changes={"expenditure": locked.pk, "amount": locked.amount},
        )
    return locked


def expenditure_review(*, actor, expenditure: Expenditure, today=None) -> Expenditure:
    """The buyer (bureau or township) reviews an approved expenditure: from now on it counts as spent."""
    actor.require("projects.approve", expenditure.region_code)
    with transaction.atomic():
        locked = _decide(expenditure, ExpenditureStatus.APPROVED)
        BudgetLine.objects.select_for_update().filter(pk=locked.line_id).first()
        locked.status = ExpenditureStatus.REVIEWED
        locked.reviewed_by = getattr(actor, "user", None)
        locked.reviewed_on = _today(today)
        locked.save(update_fields=["status", "reviewed_by", "reviewed_on"])
        BudgetLine.objects.filter(pk=locked.line_id).update(spent=F("spent") + locked.amount)
        record(
            "projects.expenditure.review",
            actor=actor,
            obj=locked.project,
            changes={"expenditure": locked.pk, "amount": locked.amount},
        )
    return locked


def expenditure_reject(*, actor, expenditure: Expenditure, note: str, today=None) -> Expenditure:
    """Send an expenditure back: the operator's finance while it is pending, the buyer once approved."""
    permission = "projects.finance" if expenditure.status == ExpenditureStatus.PENDING else "projects.approve"
    actor.require(permission, expenditure.region_code)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"rejection_note": [_("请填写退回原因")]})
    if permission == "projects.finance":
        user = getattr(actor, "user", None)
        if user is not None and expenditure.recorded_by_id == user.pk:
            raise ValidationError({"status": [_("登记支出的人不能审核自己登记的支出")]})
    with transaction.atomic():
        locked = _decide(expenditure, expenditure.status)
        if locked.status not in (ExpenditureStatus.PENDING, ExpenditureStatus.APPROVED):
            raise ValidationError({"status": [_("该支出已复核或已退回")]})
        locked.status = ExpenditureStatus.REJECTED
        locked.rejection_note = note[:200]
        locked.save(update_fields=["status", "rejection_note"])
        record(
            "projects.expenditure.reject",
            actor=actor,
            obj=locked.project,
            reason=note,
            changes={"expenditure": locked.pk, "amount": locked.amount},
        )
    return locked


def _flag_overspend(actor, project: Project, line: BudgetLine, value: Decimal) -> None:
    with transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(refused_attempts=F("refused_attempts") + 1)
        record(
            "projects.expenditure.refused",
            actor=actor,
            obj=project,
            changes={"line": line.category, "amount": value, "remaining": line.remaining},
        )
        _notify_overspend(project, line, value, refused=True)


def _notify_overspend(project: Project, line: BudgetLine, value: Decimal, *, refused: bool) -> None:
    buyers = role_holders([Role.OFFICIAL, Role.TOWNSHIP], project.region_code)
    if refused:
        title = gettext_noop("项目支出超预算被拒")
        body = gettext_noop("项目 %(code)s 的“%(line)s”科目有一笔 %(amount)s 的支出超出预算，已被拒绝。")
    else:
        title = gettext_noop("项目支出超预算")
        body = gettext_noop(
            "项目 %(code)s 的“%(line)s”科目登记了一笔 %(amount)s 的支出，超出该科目预算，请复核。"
        )
    notify(
        users=buyers,
        notice=Notice(
            kind=Kind.PROJECT_OVERSPEND,
            title=title,
            body=body,
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
    elif list_worker and not staff.breaches:
        # The dishonesty list is for a worker who broke the leaving commitment (seed 003), on the record.
        errors["list_worker"] = [_("该人员没有违反离职规定的记录，不能列入失信名单")]
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
        record(
            "projects.clawback.record",
            actor=actor,
            obj=project,
            reason=reason,
            changes={
                "amount": value,
                "staff": staff.pk if staff else None,
                "breaches": list(staff.breaches) if staff else [],
                "list_worker": list_worker,
            },
        )
        if list_worker:
            dishonesty_add(actor=actor, worker=staff.worker, reason=reason, today=today)
    return clawback

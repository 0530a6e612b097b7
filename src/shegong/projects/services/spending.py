"""Targets, the budget and the money: budget lines, expenditures, payments and claw-backs."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.accounts.roles import Role
from shegong.accounts.selectors import role_holders
from shegong.audit.services import record
from shegong.core.money import yuan
from shegong.notifications.models import Kind
from shegong.notifications.services import Notice, notify
from shegong.people.services.dishonesty import dishonesty_add

from ..models import (
    ACTIVE_STATES,
    BudgetLine,
    ClawBack,
    Expenditure,
    Payment,
    Project,
    ProjectStaff,
    Target,
)
from ._common import _money, _today


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

"""Targets, the budget and the money: budget lines, expenditures and their review, payments and claw-backs."""

from __future__ import annotations

from ninja import Query
from ninja.responses import Status

from shegong.core.api import STANDARD_ERRORS, paginated
from shegong.core.scoping import get_scoped_or_404

from .. import selectors, services
from ..models import (
    BudgetCategory,
    BudgetLine,
    ClawBack,
    Expenditure,
    Indicator,
    Payment,
    ProjectDocument,
    ProjectStaff,
)
from ._common import fetch, money, op, router
from .projects import line_out, target_out
from .schemas import (
    ExpenditureFilter,
    ExpenditureIn,
    ExpenditureOut,
    ExpenditurePage,
    ExpenditureRejectIn,
    LineOut,
    ProjectBudgetIn,
    ProjectClawbackIn,
    ProjectClawbackOut,
    ProjectPaymentIn,
    ProjectPaymentOut,
    ProjectTargetIn,
    TargetOut,
)

# Targets and budget -----------------------------------------------------------------------------------------------


@router.put(
    "/{int:project_id}/targets/{indicator}",
    response={200: TargetOut, **STANDARD_ERRORS},
    operation_id=op("set_target"),
)
def set_target(request, project_id: int, indicator: Indicator, payload: ProjectTargetIn):
    """Set the indicator's target for the project's whole period (the buyer), answered with its actual so far."""
    project = fetch(request, project_id)
    target = services.target_set(
        actor=request.auth, project=project, indicator=indicator, quantity=payload.quantity
    )
    return target_out(project, next(i for i in selectors.progress(project) if i.target.pk == target.pk))


@router.put(
    "/{int:project_id}/budget/{category}",
    response={200: LineOut, **STANDARD_ERRORS},
    operation_id=op("set_budget_line"),
)
def set_budget_line(request, project_id: int, category: BudgetCategory, payload: ProjectBudgetIn):
    """Set a budget line's amount (the buyer); 422 naming ``amount`` below what the line has spent, or when the
    lines together would exceed the contract amount."""
    project = fetch(request, project_id)
    line = services.budget_line_set(
        actor=request.auth, project=project, category=category, amount=payload.amount
    )
    return line_out(line)


# Expenditures -----------------------------------------------------------------------------------------------------


def _expenditure_out(e: Expenditure, line: BudgetLine | None = None) -> dict:
    line = line or BudgetLine.objects.get(pk=e.line_id)  # read again: a review moves what the line has spent
    return {
        "id": e.pk,
        "line": line.pk,
        "category": line.category,
        "amount": money(e.amount),
        "spent_on": e.spent_on,
        "description": e.description,
        "voucher": e.voucher_id,
        "voucher_number": e.voucher_number,
        "status": e.status,
        "over_budget": e.over_budget,
        "rejection_note": e.rejection_note,
        "line_spent": money(line.spent),
        "line_remaining": money(line.remaining),
    }


def _expenditure(request, project_id: int, expenditure_id: int) -> Expenditure:
    project = fetch(request, project_id)
    return get_scoped_or_404(Expenditure.objects.filter(project=project), pk=expenditure_id)


@router.get(
    "/{int:project_id}/expenditures",
    response={200: ExpenditurePage, **STANDARD_ERRORS},
    operation_id=op("list_expenditures"),
)
def list_expenditures(request, project_id: int, filters: Query[ExpenditureFilter]):
    """The project's expenditures, latest spending day first; ``status=pending`` lists those waiting for the
    operator's finance, ``approved`` those waiting for the buyer."""
    project = fetch(request, project_id)
    queryset = Expenditure.objects.filter(project=project).select_related("line")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return paginated(queryset, filters.page, lambda e: _expenditure_out(e, e.line))


@router.post(
    "/{int:project_id}/expenditures",
    response={201: ExpenditureOut, **STANDARD_ERRORS},
    operation_id=op("record_expenditure"),
)
def record_expenditure(request, project_id: int, payload: ExpenditureIn):
    """Record spending on a budget line with a voucher uploaded beforehand (``POST …/documents`` with type
    ``voucher``); 422 (field ``amount``) when it would take the line over budget where the region refuses that.
    It waits for the operator's finance and the buyer before it counts as spent."""
    project = fetch(request, project_id)
    line = get_scoped_or_404(BudgetLine.objects.filter(project=project), pk=payload.line)
    voucher = get_scoped_or_404(
        ProjectDocument.objects.filter(project=project).defer("data"), pk=payload.voucher
    )
    expenditure = services.expenditure_record(
        actor=request.auth,
        project=project,
        line=line,
        amount=payload.amount,
        spent_on=payload.spent_on,
        description=payload.description,
        voucher=voucher,
        voucher_number=payload.voucher_number,
    )
    return Status(201, _expenditure_out(expenditure))


@router.post(
    "/{int:project_id}/expenditures/{int:expenditure_id}/approve",
    response={200: ExpenditureOut, **STANDARD_ERRORS},
    operation_id=op("approve_expenditure"),
)
def approve_expenditure(request, project_id: int, expenditure_id: int):
    """The operator's finance approves an expenditure (never one its own user recorded: 422)."""
    expenditure = services.expenditure_approve(
        actor=request.auth, expenditure=_expenditure(request, project_id, expenditure_id)
    )
    return _expenditure_out(expenditure)


@router.post(
    "/{int:project_id}/expenditures/{int:expenditure_id}/review",
    response={200: ExpenditureOut, **STANDARD_ERRORS},
    operation_id=op("review_expenditure"),
)
def review_expenditure(request, project_id: int, expenditure_id: int):
    """The buyer reviews an approved expenditure: from then on it counts as spent."""
    expenditure = services.expenditure_review(
        actor=request.auth, expenditure=_expenditure(request, project_id, expenditure_id)
    )
    return _expenditure_out(expenditure)


@router.post(
    "/{int:project_id}/expenditures/{int:expenditure_id}/reject",
    response={200: ExpenditureOut, **STANDARD_ERRORS},
    operation_id=op("reject_expenditure"),
)
def reject_expenditure(request, project_id: int, expenditure_id: int, payload: ExpenditureRejectIn):
    """Send an expenditure back with the reason: the operator's finance while it is pending (never one its own
    user recorded), the buyer once approved; 422 naming ``status`` when it is already reviewed or sent back."""
    expenditure = services.expenditure_reject(
        actor=request.auth,
        expenditure=_expenditure(request, project_id, expenditure_id),
        note=payload.rejection_note,
    )
    return _expenditure_out(expenditure)


# Payments and claw-backs ------------------------------------------------------------------------------------------


def _payment_out(p: Payment) -> dict:
    return {"id": p.pk, "milestone": p.milestone, "amount": money(p.amount), "paid_on": p.paid_on}


def _clawback_out(c: ClawBack) -> dict:
    return {
        "id": c.pk,
        "amount": money(c.amount),
        "reason": c.reason,
        "decided_on": c.decided_on,
        "staff": c.staff_id,
    }


@router.get(
    "/{int:project_id}/payments",
    response={200: list[ProjectPaymentOut], **STANDARD_ERRORS},
    operation_id=op("list_payments"),
)
def list_payments(request, project_id: int):
    """The buyer's payments to the operator, oldest first."""
    project = fetch(request, project_id)
    return [_payment_out(p) for p in Payment.objects.filter(project=project)]


@router.post(
    "/{int:project_id}/payments",
    response={201: ProjectPaymentOut, **STANDARD_ERRORS},
    operation_id=op("record_payment"),
)
def record_payment(request, project_id: int, payload: ProjectPaymentIn):
    """The buyer records a payment (拨款) at a milestone."""
    project = fetch(request, project_id)
    payment = services.payment_record(
        actor=request.auth,
        project=project,
        milestone=payload.milestone,
        amount=payload.amount,
        paid_on=payload.paid_on,
    )
    return Status(201, _payment_out(payment))


@router.get(
    "/{int:project_id}/clawbacks",
    response={200: list[ProjectClawbackOut], **STANDARD_ERRORS},
    operation_id=op("list_clawbacks"),
)
def list_clawbacks(request, project_id: int):
    """The money recovered from the operator, oldest first."""
    project = fetch(request, project_id)
    return [_clawback_out(c) for c in ClawBack.objects.filter(project=project)]


@router.post(
    "/{int:project_id}/clawbacks",
    response={201: ProjectClawbackOut, **STANDARD_ERRORS},
    operation_id=op("record_clawback"),
)
def record_clawback(request, project_id: int, payload: ProjectClawbackIn):
    """The bureau recovers money from the operator, with its reason; for a worker's leaving breach it may also
    put the worker on the dishonesty list (``list_worker``; 422 naming it when the post has no breach)."""
    project = fetch(request, project_id)
    staff = None
    if payload.staff is not None:
        staff = get_scoped_or_404(
            ProjectStaff.objects.filter(project=project).select_related("worker"), pk=payload.staff
        )
    clawback = services.clawback_record(
        actor=request.auth,
        project=project,
        amount=payload.amount,
        reason=payload.reason,
        staff=staff,
        list_worker=payload.list_worker,
    )
    return Status(201, _clawback_out(clawback))

"""Writes on purchased service projects: each ``<entity>_<verb>(*, actor, …)``, atomic, validated, audited. One
module per use case; this package re-exports the public names."""

from .lifecycle import PROJECT_FIELDS, STEP_LABELS, STEPS, project_create, project_transition
from .releases import release_correct, release_publish
from .spending import (
    OverBudget,
    budget_line_set,
    clawback_record,
    expenditure_record,
    payment_record,
    target_set,
)
from .staff import (
    current_project_of,
    one_project_message,
    staff_add,
    staff_end,
    staff_filing_confirm,
    staff_filing_submit,
)

__all__ = [
    "PROJECT_FIELDS",
    "STEPS",
    "STEP_LABELS",
    "OverBudget",
    "budget_line_set",
    "clawback_record",
    "current_project_of",
    "expenditure_record",
    "one_project_message",
    "payment_record",
    "project_create",
    "project_transition",
    "release_correct",
    "release_publish",
    "staff_add",
    "staff_end",
    "staff_filing_confirm",
    "staff_filing_submit",
    "target_set",
]

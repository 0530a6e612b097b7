"""Writes on purchased service projects: each ``<entity>_<verb>(*, actor, …)``, atomic, validated, audited. One
module per use case; this package re-exports the public names."""

from .documents import (
    REQUIRED_DOCUMENT,
    UPLOADABLE,
    document_download,
    document_upload,
    missing_document,
)
from .lifecycle import PROJECT_FIELDS, STEP_LABELS, STEPS, project_create, project_transition
from .releases import release_correct, release_publish
from .spending import (
    OverBudget,
    budget_line_set,
    clawback_record,
    committed,
    expenditure_approve,
    expenditure_record,
    expenditure_reject,
    expenditure_review,
    payment_record,
    target_set,
)
from .staff import (
    BREACH_CODES,
    breach_labels,
    current_project_of,
    leaving_breaches,
    one_project_message,
    staff_add,
    staff_end,
    staff_filing_confirm,
    staff_filing_submit,
    staff_notice,
)

__all__ = [
    "BREACH_CODES",
    "OverBudget",
    "PROJECT_FIELDS",
    "REQUIRED_DOCUMENT",
    "STEPS",
    "STEP_LABELS",
    "UPLOADABLE",
    "breach_labels",
    "budget_line_set",
    "clawback_record",
    "committed",
    "current_project_of",
    "document_download",
    "document_upload",
    "expenditure_approve",
    "expenditure_record",
    "expenditure_reject",
    "expenditure_review",
    "leaving_breaches",
    "missing_document",
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
    "staff_notice",
    "target_set",
]

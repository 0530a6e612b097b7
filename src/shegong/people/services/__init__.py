"""Writes on social workers, their assignments, filings, departures and the dishonesty list; volunteers, teams and
hours. Every function checks the actor's permission in the row's region, validates, writes atomically and audits.

One module per entity; this package re-exports the public names so callers import them from
``shegong.people.services``.
"""

from ._shared import SENSITIVE, add_years
from .assignments import assignment_create, assignment_end, filing_confirm, filing_submit
from .departures import departure_complete, departure_notice
from .dishonesty import dishonesty_add, dishonesty_bar, dishonesty_message
from .hours import (
    hours_confirm,
    hours_confirm_all,
    hours_log,
    hours_log_for,
    hours_reject,
    own_volunteer,
)
from .policy import region_policy_update
from .reveal import reveal
from .supervisors import (
    SUPERVISOR_FIELDS,
    supervision_assign,
    supervision_end,
    supervisor_create,
    supervisor_update,
)
from .teams import TEAM_FIELDS, team_create
from .volunteers import (
    VOLUNTEER_FIELDS,
    VOLUNTEER_REFS,
    volunteer_approve,
    volunteer_create,
    volunteer_self_register,
    volunteer_update,
)
from .workers import WORKER_FIELDS, WORKER_REFS, worker_create, worker_update

__all__ = [
    "region_policy_update",
    "SENSITIVE",
    "TEAM_FIELDS",
    "VOLUNTEER_FIELDS",
    "VOLUNTEER_REFS",
    "WORKER_FIELDS",
    "WORKER_REFS",
    "add_years",
    "assignment_create",
    "assignment_end",
    "departure_complete",
    "departure_notice",
    "dishonesty_add",
    "dishonesty_bar",
    "dishonesty_message",
    "filing_confirm",
    "filing_submit",
    "hours_confirm",
    "hours_confirm_all",
    "hours_log",
    "hours_log_for",
    "hours_reject",
    "own_volunteer",
    "reveal",
    "SUPERVISOR_FIELDS",
    "supervision_assign",
    "supervision_end",
    "supervisor_create",
    "supervisor_update",
    "team_create",
    "volunteer_approve",
    "volunteer_create",
    "volunteer_self_register",
    "volunteer_update",
    "worker_create",
    "worker_update",
]

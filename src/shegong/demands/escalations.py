"""Deadlines of dispatched requests: the reminder (催办) to the receiver before a deadline, the escalation to the
station heads when it passes and to the district's officials later (``services.check_deadlines``).

Each request keeps ``next_check_at``, the moment its next step falls due, so the schedule is due exactly while
some request's moment has come (one indexed query per ``run-due`` tick) and the task touches only those rows.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from shegong.core import schedules
from shegong.core.tasks import scoped_task

from .models import DemandRequest
from .services import check_all_due

logger = logging.getLogger(__name__)


def pending() -> bool:
    return DemandRequest.objects.filter(next_check_at__lte=timezone.now()).exists()


@scoped_task
def check_demand_deadlines(*, actor_id: int | None) -> dict:
    changed = check_all_due()
    logger.info("demand deadlines: %d request(s) reminded or escalated", changed)
    return {"requests": changed}


DEADLINES = schedules.Schedule(
    "demands.deadlines",
    check_demand_deadlines,
    pending,
    "reminds receivers before a request's deadline and escalates overdue requests to the station head, then the district",
)

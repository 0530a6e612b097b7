"""The visit-care schedule: the month-start ledger (registered with ``shegong.core.schedules``)."""

from django.utils import timezone

from shegong.core.schedules import Schedule

from . import care
from .tasks import open_visit_month


def visit_month_due() -> bool:
    return care.villages_to_open(care.policy.month_start(timezone.localdate())).exists()


MONTH_START = Schedule(
    "visits.open-month",
    open_visit_month,
    visit_month_due,
    "opens the current month's visit ledger (obligations, rollups) in every village",
)

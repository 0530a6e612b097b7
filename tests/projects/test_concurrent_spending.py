"""Several operators spending on one budget line at once: the line is never overspent (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from shegong.core.scoping import unscoped
from shegong.projects import services
from shegong.projects.models import BudgetLine, Expenditure, ProjectStaff
from shegong.projects.services import OverBudget

from .helpers import make_project, make_worker, official, operator, pdf

WRITERS = 6
EACH = 4


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one write transaction at a time (and its shared in-memory test database locks tables)"
        )


def _race(work):
    start, errors = threading.Barrier(WRITERS), []

    def run(index):
        try:
            with unscoped():
                start.wait(10)
                work(index)
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_never_takes_a_line_over_budget(world):
    _postgres_only()
    project = make_project(world)
    # Room for exactly 10 of the 24 attempted payments of ¥100.10.
    line = services.budget_line_set(
        actor=official(world), project=project, category="activities", amount="1001.00"
    )
    actors = [operator(world) for _ in range(WRITERS)]
    accepted, refused = [], []

    def spend(index):
        for _ in range(EACH):
            try:
                services.expenditure_record(
                    actor=actors[index],
                    project=project,
                    line=BudgetLine.objects.get(pk=line.pk),
                    amount="100.10",
                    spent_on=project.starts_on,
                    description="并发支出",
                    voucher=pdf(),
                )
                accepted.append(1)
            except OverBudget:
                refused.append(1)

    assert _race(spend) == []
    line.refresh_from_db()
    assert len(accepted) == 10 and len(refused) == WRITERS * EACH - 10
    # Recorded, waiting for approval: committed to the line, not yet spent.
    assert line.spent == Decimal("0") and services.committed(line) == Decimal("1001.00")
    assert sum(e.amount for e in Expenditure.objects.filter(line=line)) == Decimal("1001.00")
    assert line.refused_attempts == len(refused)


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_put_a_worker_on_one_project_only(world):
    _postgres_only()
    projects = [make_project(world) for _ in range(WRITERS)]
    worker = make_worker(world)
    actors = [operator(world) for _ in range(WRITERS)]
    outcomes = []

    def assign(index):
        try:
            services.staff_add(actor=actors[index], project=projects[index], worker=worker)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(type(exc).__name__)

    assert _race(assign) == []
    assert outcomes.count("ok") == 1
    assert ProjectStaff.objects.filter(worker=worker).count() == 1

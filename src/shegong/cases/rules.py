"""The casework time rules (region-configurable through local policy, ``regions.selectors.Policy``): assessment
within N days of intake, a plan within M days, a plan review every K days, and a flag on cases open longer than
a number of months. One place computes a case's due steps; lists filter with the same rules as a database query."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.regions.selectors import Policy, policy_overrides, policy_q

from .models import OPEN_STAGES, PlanStatus, Stage

STEP_LABELS = {
    "assessment": _("预估逾期"),
    "plan": _("服务计划逾期"),
    "review": _("计划复核逾期"),
    "long_open": _("开案超过期限"),
}
BEFORE_PLAN = (Stage.INTAKE, Stage.ASSESSMENT, Stage.PLAN)
PLAN_NOT_SUBMITTED = (PlanStatus.NONE, PlanStatus.DRAFT)
UNDER_PLAN = (Stage.INTERVENTION, Stage.EVALUATION)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DueStep:
    step: str
    due_on: datetime.date

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.step])

    def days_late(self, today: datetime.date) -> int:
        return max((today - self.due_on).days, 0)


def due_steps(case, policy: Policy) -> list[DueStep]:
    """The steps the case owes and when each falls due (whether passed or not); nothing for an ended case."""
    if case.stage not in OPEN_STAGES:
        return []
    steps = []
    if case.stage == Stage.INTAKE:
        steps.append(
            DueStep("assessment", case.opened_on + datetime.timedelta(days=policy.case_assessment_days))
        )
    if case.stage in BEFORE_PLAN and case.plan_status in PLAN_NOT_SUBMITTED:
        steps.append(DueStep("plan", case.opened_on + datetime.timedelta(days=policy.case_plan_days)))
    if case.stage in UNDER_PLAN and case.plan_reviewed_on:
        steps.append(
            DueStep("review", case.plan_reviewed_on + datetime.timedelta(days=policy.case_review_days))
        )
    steps.append(DueStep("long_open", add_months(case.opened_on, policy.case_long_open_months)))
    return steps


def overdue_steps(case, policy: Policy, today: datetime.date) -> list[DueStep]:
    """The steps past their due date: due yesterday or earlier (the due day itself is still in time). A case is
    open "longer than n months" when it was opened before the same day n months ago."""
    return [
        s
        for s in due_steps(case, policy)
        if (
            case.opened_on < add_months(today, -policy.case_long_open_months)
            if s.step == "long_open"
            else s.due_on < today
        )
    ]


def overdue_q(today: datetime.date) -> Q:
    """Open cases with a step past due, each region by its own policy (the database form of ``overdue_steps``)."""
    days = datetime.timedelta

    def assessment(n):
        return Q(stage=Stage.INTAKE, opened_on__lt=today - days(days=n))

    def plan(n):
        return Q(
            stage__in=BEFORE_PLAN, plan_status__in=PLAN_NOT_SUBMITTED, opened_on__lt=today - days(days=n)
        )

    def review(n):
        return Q(stage__in=UNDER_PLAN, plan_reviewed_on__lt=today - days(days=n))

    def long_open(n):
        return Q(stage__in=OPEN_STAGES, opened_on__lt=add_months(today, -n))

    names = ["case_assessment_days", "case_plan_days", "case_review_days", "case_long_open_months"]
    found = policy_overrides(names)
    return (
        policy_q("case_assessment_days", assessment, overrides=found["case_assessment_days"])
        | policy_q("case_plan_days", plan, overrides=found["case_plan_days"])
        | policy_q("case_review_days", review, overrides=found["case_review_days"])
        | policy_q("case_long_open_months", long_open, overrides=found["case_long_open_months"])
    )

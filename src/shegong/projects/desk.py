"""Reads for an operator organisation's desk (机构工作台): the projects it runs with what is behind, and what it
owes the bureau now — workers to file, workers leaving and their replacement, spending waiting for its finance.

Everything here is read through the caller's scope, so an operator sees its own organisation's projects only
(``Project.relationship``); the figures are the project pages' own (``selectors.progress``, ``budget``,
``staff_rows``), so the desk and a project's page never disagree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from shegong.people.models import AssignmentFilingStatus
from shegong.regions.selectors import policies_for

from . import selectors
from .models import ACTIVE_STATES, Expenditure, ExpenditureStatus, Project, ProjectStaff


@dataclass
class LeavingRow:
    """A worker who gave notice and is still in post: when it may leave at the earliest, when at the latest, and
    who replaces it if someone is in post already (the rules ``services.staff`` checks on the leaving day)."""

    row: selectors.StaffRow
    earliest: datetime.date
    latest: datetime.date
    days_left: int
    replacement: ProjectStaff | None

    @property
    def staff(self):
        return self.row.staff


@dataclass
class DeskProject:
    project: Project
    progress: list[selectors.Progress]
    budget: selectors.BudgetView
    staffing: dict
    staff: list[selectors.StaffRow]

    @property
    def behind(self) -> list[selectors.Progress]:
        return [p for p in self.progress if p.behind]

    @property
    def elapsed_percent(self) -> int:
        return int(self.budget.share_elapsed * 100)

    @property
    def spent_percent(self) -> int | None:
        return None if self.budget.share_spent is None else int(self.budget.share_spent * 100)


@dataclass
class Desk:
    projects: list[DeskProject] = field(default_factory=list)
    filings: list[tuple[Project, selectors.StaffRow]] = field(default_factory=list)
    leaving: list[tuple[Project, LeavingRow]] = field(default_factory=list)
    expenditures: list[Expenditure] = field(default_factory=list)

    @property
    def overdue_filings(self) -> int:
        return sum(1 for _project, row in self.filings if row.overdue)

    @property
    def behind(self) -> int:
        return sum(1 for p in self.projects if p.behind)


def desk(*, today: datetime.date | None = None) -> Desk:
    today = today or timezone.localdate()
    projects = list(
        Project.objects.filter(state__in=ACTIVE_STATES)
        .select_related("operator", "buyer")
        .order_by("ends_on", "code")
    )
    policies = policies_for(sorted({p.region_code for p in projects}))
    out = Desk()
    progress = selectors.progress_many(projects, today=today)
    for project in projects:
        rows = selectors.staff_rows(project, today=today)
        counted = [p for p in progress[project.pk] if p.counted]
        out.projects.append(
            DeskProject(
                project=project,
                progress=counted,
                budget=selectors.budget(project, today=today),
                staffing=selectors.staffing_check(project, rows),
                staff=rows,
            )
        )
        policy = policies[project.region_code]
        for row in rows:
            post = row.staff
            if post.end_date is not None:
                continue
            if post.filing_status == AssignmentFilingStatus.UNFILED:
                out.filings.append((project, row))
            if post.notice_date:
                latest = post.notice_date + datetime.timedelta(days=policy.notice_max_days)
                out.leaving.append(
                    (
                        project,
                        LeavingRow(
                            row=row,
                            earliest=post.notice_date + datetime.timedelta(days=policy.notice_min_days),
                            latest=latest,
                            days_left=(latest - today).days,
                            replacement=selectors.replacement_for(post, today),
                        ),
                    )
                )
    out.filings.sort(key=lambda item: item[1].filing_due)
    out.leaving.sort(key=lambda item: item[1].latest)
    out.expenditures = list(
        Expenditure.objects.filter(project__in=projects, status=ExpenditureStatus.PENDING)
        .select_related("project", "line", "recorded_by")
        .order_by("spent_on", "pk")
    )
    return out

"""The demo city's purchased projects: every stage the issue asks for, and releases without personal data."""

import json

from shegong.activities.models import Activity
from shegong.cases.models import Case
from shegong.core.uploads import document_type
from shegong.demands.models import DemandRequest
from shegong.groups.models import GroupSession
from shegong.people.models import SocialWorker
from shegong.projects import selectors
from shegong.projects.models import (
    BudgetLine,
    ClawBack,
    Expenditure,
    Project,
    ProjectDocument,
    ProjectStaff,
    Release,
)
from shegong.visits.models import Visit


def check_projects():
    projects = Project.objects.all()
    assert projects.count() == 13
    assert {"demand", "approved", "staffing", "executing", "mid_review"} <= set(
        projects.values_list("state", flat=True)
    )
    assert ProjectStaff.objects.filter(filing_status="unfiled").exists()
    assert ProjectStaff.objects.filter(filing_status="confirmed").exists()
    # One project per worker, but for the one the integrity demo plants on two (tests/integrity/demo_checks.py).
    assert len(list(selectors.overlapping_workers())) == 1
    assert BudgetLine.objects.filter(refused_attempts__gt=0).count() == 1
    [clawback] = ClawBack.objects.all()
    assert clawback.staff is not None and clawback.staff.breaches and clawback.staff.end_date
    # Every project past a stage holds the document that stage needs; the demand-stage plan has two versions.
    for project in projects.exclude(state="demand"):
        assert project.documents.filter(doc_type="plan").exists()
    for project in projects.filter(state__in=["staffing", "executing", "mid_review"]):
        assert project.documents.filter(doc_type="agreement").exists()
    assert ProjectDocument.objects.filter(doc_type="plan", version=2).exists()
    assert all(document_type(bytes(d.data)) == "application/pdf" for d in ProjectDocument.objects.all()[:3])
    [waiting] = Expenditure.objects.filter(status="pending")
    assert waiting.voucher is not None
    assert any(selectors.is_behind(p) for p in projects.filter(state="executing"))
    per_project = Release.objects.values_list("project_id", flat=True)
    assert max(list(per_project).count(p) for p in set(per_project)) >= 11
    names = set(SocialWorker.objects.values_list("name", flat=True))
    text = json.dumps(list(Release.objects.values_list("content", flat=True)), ensure_ascii=False)
    assert not [n for n in names if n in text]
    # Actuals come from linked records: every running project shows some, each drills down to exactly them.
    running = projects.filter(state__in=["executing", "mid_review"])
    for project in running:
        figures = {i.target.indicator: i.actual for i in selectors.progress(project)}
        assert figures["visits"] > 0, project.code
        assert figures["visits"] == Visit.objects.filter(project=project).count()
        assert len(selectors.drilldown(project, "visits")) == figures["visits"]
    assert Activity.objects.filter(project__isnull=False).exists()
    assert Case.objects.filter(project__isnull=False).exists()
    assert DemandRequest.objects.filter(project__isnull=False).exists()
    assert GroupSession.objects.filter(project__isnull=False).exists()
    # A record is linked only to a project its worker was on that day.
    visit = Visit.objects.filter(project__isnull=False).select_related("project").first()
    assert ProjectStaff.objects.filter(project=visit.project, worker_id=visit.worker_id).exists()

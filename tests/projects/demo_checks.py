"""The demo city's purchased projects: every stage the issue asks for, and releases without personal data."""

import json

from shegong.people.models import SocialWorker
from shegong.projects import selectors
from shegong.projects.models import BudgetLine, ClawBack, Project, ProjectStaff, Release


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
    assert ClawBack.objects.count() == 1
    assert any(selectors.is_behind(p) for p in projects.filter(state="executing"))
    per_project = Release.objects.values_list("project_id", flat=True)
    assert max(list(per_project).count(p) for p in set(per_project)) >= 11
    names = set(SocialWorker.objects.values_list("name", flat=True))
    text = json.dumps(list(Release.objects.values_list("content", flat=True)), ensure_ascii=False)
    assert not [n for n in names if n in text]
    shared = Project.objects.get(code__endswith="-D01")
    assert selectors.shared_with(shared)

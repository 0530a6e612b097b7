"""The demo city's planted integrity problems are each found by the checks run at the end of the load."""

import datetime

from django.utils import timezone

from shegong.integrity.demo import REUSED_PHOTO
from shegong.integrity.models import Finding, IntegrityRun
from shegong.projects import selectors as project_selectors
from shegong.projects.models import BudgetLine
from shegong.recipients.models import RecipientStatus
from shegong.visits.models import Visit, photo_content_hash


def check_integrity():
    run = IntegrityRun.objects.get()
    assert run.status == "done" and run.done == run.total and run.found > 0
    open_findings = Finding.objects.filter(state="open")
    subjects = set(open_findings.values_list("check_code", "subject"))
    # A worker on two projects.
    twice = [row["worker_id"] for row in project_selectors.overlapping_workers()]
    assert len(twice) == 1 and ("staff.two_projects", f"worker:{twice[0]}") in subjects
    # Two home visits ten minutes apart, yesterday morning.
    seven = timezone.localtime().replace(hour=7, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=1
    )
    mine = Visit.objects.filter(worker__user__username="shegong")
    first = mine.get(visited_at=seven)
    second = mine.get(visited_at=seven + datetime.timedelta(minutes=10))
    assert ("visits.overlap", f"visit:{first.pk}|visit:{second.pk}") in subjects
    # The rest of the demo's visits are spread over each worker's day: the planted pair is the only overlap, and no
    # worker is over the day's ceiling.
    assert [s for c, s in subjects if c == "visits.overlap"] == [f"visit:{first.pk}|visit:{second.pk}"]
    assert not open_findings.filter(check_code="visits.daily_ceiling").exists()
    # A visit dated after the person's death.
    after = mine.filter(recipient__status=RecipientStatus.DECEASED, visited_at__gte=seven).get()
    assert ("records.after_end", f"visits.visit:{after.pk}") in subjects
    # One photo on two visits.
    digest = photo_content_hash(REUSED_PHOTO)
    photo = open_findings.get(check_code="visits.reused_photo", subject=f"photo:{digest[:40]}")
    assert len(photo.evidence) == 2
    # The overspent line the projects demo holds.
    refused = {f"budgetline:{line.pk}" for line in BudgetLine.objects.filter(refused_attempts__gt=0)}
    assert refused and refused <= {s for c, s in subjects if c == "project.overspent"}
    # Every finding names its evidence and who it is assigned to.
    assert not open_findings.filter(evidence=[]).exists()
    assert set(open_findings.values_list("assigned_to", flat=True)) <= {"station", "bureau"}

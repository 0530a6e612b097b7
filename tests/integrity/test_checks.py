"""Every check finds exactly the planted violations, and nothing on the clean records; re-runs update rather than
duplicate; a problem that goes away closes its finding; a region's settings turn a check off or move its
threshold, inherited down the tree."""

from __future__ import annotations

from collections import defaultdict

import pytest

from shegong.integrity import checks
from shegong.integrity.models import Finding, FindingState, IntegritySetting
from shegong.integrity.services import run_checks
from shegong.people.models import SocialWorker
from shegong.projects.models import BudgetLine
from shegong.recipients.models import Recipient
from shegong.regions.models import Region

from ..factories import DISTRICT, TOWN_A
from . import planted


def found() -> dict[str, set[str]]:
    out = defaultdict(set)
    for code, subject in Finding.objects.exclude(state=FindingState.CLOSED).values_list(
        "check_code", "subject"
    ):
        out[code].add(subject)
    return out


def test_on_clean_records_no_check_fires(world):
    planted.build(world, plant=False)
    outcome = run_checks()
    assert outcome.found == 0
    assert not Finding.objects.exists()


def test_every_check_finds_exactly_the_planted_violations(world):
    expected = planted.build(world, plant=True)
    assert set(expected) == set(checks.REGISTRY), "every check has a planted violation"
    run_checks()
    actual = found()
    for code in checks.REGISTRY:
        assert actual.get(code, set()) == expected[code], code


def test_findings_keep_evidence_without_personal_data_and_go_to_the_right_desk(world):
    planted.build(world, plant=True)
    run_checks()
    names = set(Recipient.objects.values_list("name", flat=True)) | set(
        SocialWorker.objects.values_list("name", flat=True)
    )
    for finding in Finding.objects.all():
        assert finding.evidence, finding
        for item in finding.evidence:
            assert set(item) == {"model", "id", "text"}
            assert not [n for n in names if n in item["text"]]
        assert not [n for n in names if n in finding.summary]
    overlap = Finding.objects.get(check_code="visits.overlap")
    assert overlap.assigned_to == "station" and overlap.node_id is not None
    two = Finding.objects.get(check_code="staff.two_projects")
    assert two.assigned_to == "bureau"


def test_a_rerun_updates_the_same_findings(world):
    planted.build(world, plant=True)
    run_checks()
    first = dict(Finding.objects.values_list("subject", "pk"))
    outcome = run_checks()
    assert outcome.opened == 0 and outcome.closed == 0
    assert dict(Finding.objects.values_list("subject", "pk")) == first


def test_a_problem_that_goes_away_closes_its_finding_with_a_note(world):
    planted.build(world, plant=True)
    run_checks()
    finding = Finding.objects.get(check_code="project.overspent")
    BudgetLine.objects.filter(pk=int(finding.subject.split(":")[1])).update(refused_attempts=0)
    outcome = run_checks()
    assert outcome.closed == 1
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED
    assert finding.resolved_at is not None and finding.resolved_note
    # It comes back open when the problem does.
    BudgetLine.objects.filter(pk=int(finding.subject.split(":")[1])).update(refused_attempts=2)
    run_checks()
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN and finding.resolved_at is None


def test_a_run_of_one_check_closes_nothing_of_the_others(world):
    planted.build(world, plant=True)
    run_checks()
    before = Finding.objects.exclude(state=FindingState.CLOSED).count()
    run_checks(codes=["visits.overlap"])
    assert Finding.objects.exclude(state=FindingState.CLOSED).count() == before


def test_a_region_can_turn_a_check_off_and_a_town_inherits_it(world):
    planted.build(world, plant=True)
    IntegritySetting.objects.create(
        region=Region.objects.get(code=DISTRICT), check_code="visits.overlap", enabled=False
    )
    run_checks()
    assert not Finding.objects.filter(check_code="visits.overlap").exists()
    assert Finding.objects.filter(check_code="visits.daily_ceiling").exists()


def test_thresholds_per_region_with_the_nearest_setting_winning(world):
    planted.build(world, plant=True)
    # The district raises the daily ceiling above the planted 13 visits; the town lowers it again.
    IntegritySetting.objects.create(
        region=Region.objects.get(code=DISTRICT),
        check_code="visits.daily_ceiling",
        thresholds={"max_per_day": 20},
    )
    run_checks(codes=["visits.daily_ceiling"])
    assert not Finding.objects.filter(check_code="visits.daily_ceiling").exists()
    IntegritySetting.objects.create(
        region=Region.objects.get(code=TOWN_A),
        check_code="visits.daily_ceiling",
        thresholds={"max_per_day": 1},
    )
    run_checks(codes=["visits.daily_ceiling"])
    # With a ceiling of one, every worker-day with two or more visits in town A is found.
    assert Finding.objects.filter(check_code="visits.daily_ceiling").count() > 1


@pytest.mark.parametrize("gap,expected", [(5, 0), (20, 1)])
def test_the_overlap_gap_is_a_threshold(world, gap, expected):
    planted.build(world, plant=True)
    IntegritySetting.objects.create(
        region=Region.objects.get(code=TOWN_A),
        check_code="visits.overlap",
        thresholds={"min_gap_minutes": gap},
    )
    run_checks(codes=["visits.overlap"])
    assert Finding.objects.filter(check_code="visits.overlap").count() == expected


def test_an_incremental_run_looks_only_at_new_records(world):
    from django.utils import timezone

    planted.build(world, plant=False)
    run_checks()
    since = timezone.now()
    w = planted.worker(world, "新")
    r1 = planted.make_recipient(planted.VILLAGE_A1, name="周建国")
    r2 = planted.make_recipient(planted.VILLAGE_A1, name="吴丽华")
    a = planted.visit(w, r1, planted.at(-1, 9))
    b = planted.visit(w, r2, planted.at(-1, 9, 5))
    run_checks(since=since, codes=["visits.overlap"])
    assert set(Finding.objects.values_list("subject", flat=True)) == {f"visit:{a.pk}|visit:{b.pk}"}

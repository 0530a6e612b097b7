"""The time rules at their boundaries (the due day itself is in time, the day after is late), each region by its
own local policy; overdue steps reach the worker's worklist and the station head's overdue list."""

import datetime

import pytest

from shegong.cases import selectors, services
from shegong.cases.models import Case
from shegong.cases.rules import add_months, overdue_q, overdue_steps
from shegong.regions.models import RegionStandard
from shegong.regions.selectors import policy_for
from tests.cases.helpers import assess, build, open_case, to_intervention
from tests.factories import TOWN_A, login_client

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def cw(world):
    return build(world)


def _steps(case, today=TODAY):
    case.refresh_from_db()
    return {s.step for s in overdue_steps(case, policy_for(case.region_code), today)}


def _listed(case, today=TODAY):
    return Case.objects.filter(overdue_q(today), pk=case.pk).exists()


def _opened(case, day):
    Case.objects.filter(pk=case.pk).update(opened_on=day)


def test_assessment_is_due_within_7_days_of_intake(cw):
    case = open_case(cw)
    _opened(case, TODAY - datetime.timedelta(days=7))
    assert "assessment" not in _steps(case) and not _listed(case)
    _opened(case, TODAY - datetime.timedelta(days=8))
    assert "assessment" in _steps(case) and _listed(case)


def test_the_plan_is_due_within_14_days_and_stops_counting_once_submitted(cw):
    case = open_case(cw)
    assess(cw, case)
    _opened(case, TODAY - datetime.timedelta(days=14))
    assert _steps(case) == set() and not _listed(case)
    _opened(case, TODAY - datetime.timedelta(days=15))
    assert _steps(case) == {"plan"} and _listed(case)
    Case.objects.filter(pk=case.pk).update(plan_status="submitted", stage="plan")
    assert _steps(case) == set() and not _listed(case)


def test_the_plan_is_reviewed_every_90_days(cw):
    case = to_intervention(cw, open_case(cw))
    Case.objects.filter(pk=case.pk).update(plan_reviewed_on=TODAY - datetime.timedelta(days=90))
    assert _steps(case) == set() and not _listed(case)
    Case.objects.filter(pk=case.pk).update(plan_reviewed_on=TODAY - datetime.timedelta(days=91))
    assert _steps(case) == {"review"} and _listed(case)
    services.case_plan_review(actor=cw.lead, case=case)
    assert _steps(case, datetime.date.today()) == set()


def test_a_case_open_longer_than_12_months_is_flagged(cw):
    case = to_intervention(cw, open_case(cw))
    Case.objects.filter(pk=case.pk).update(plan_reviewed_on=TODAY)
    _opened(case, add_months(TODAY, -12))
    assert _steps(case) == set() and not _listed(case)
    _opened(case, add_months(TODAY, -12) - datetime.timedelta(days=1))
    assert _steps(case) == {"long_open"} and _listed(case)


def test_a_region_sets_its_own_deadlines(cw):
    case = open_case(cw)
    _opened(case, TODAY - datetime.timedelta(days=5))
    assert "assessment" not in _steps(case)
    RegionStandard.objects.create(region_id=TOWN_A, case_assessment_days=3)
    assert "assessment" in _steps(case) and _listed(case)


def test_overdue_steps_join_the_workers_worklist_and_the_station_heads_overdue_list(cw, client):
    case = open_case(cw)
    _opened(case, datetime.date.today() - datetime.timedelta(days=9))
    login_client(client, cw.worker_user)
    page = client.get("/visits/worklist/").content.decode()
    assert case.number in page and "预估逾期" in page
    login_client(client, cw.head_user)
    page = client.get("/visits/overdue/").content.decode()
    assert case.number in page and "张晓" in page
    login_client(client, cw.colleague_user)  # another worker's list does not carry it
    assert case.number not in client.get("/visits/worklist/").content.decode()
    assert [d.case.pk for d in selectors.overdue_cases(worker_id=cw.worker.pk)] == [case.pk]

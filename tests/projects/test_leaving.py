"""Leaving a project (SPEC §3, seed 003): 30 days' notice, a replacement in post, gone at most 60 days after the
notice; a departure breaking a rule is recorded and flagged, and the bureau may claw back and list the worker."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from shegong.notifications.models import Message
from shegong.people.models import DishonestyEntry
from shegong.projects import selectors, services
from shegong.projects.models import ClawBack

from .helpers import make_project, make_worker, official, operator

pytestmark = pytest.mark.django_db
NOTICE = datetime.date(2026, 3, 2)


def _post(world, project, start=datetime.date(2026, 1, 5)):
    return services.staff_add(
        actor=operator(world), project=project, worker=make_worker(world), start_date=start
    )


def _leave(world, *, notice_days_before=None, after_notice=None, replaced_on=None, end=None):
    """A post that gave notice on NOTICE and leaves ``after_notice`` days later, with a replacement from
    ``replaced_on`` (None: none)."""
    project = make_project(world)
    staff = _post(world, project)
    if after_notice is not None:
        services.staff_notice(actor=operator(world), staff=staff, notice_date=NOTICE, today=NOTICE)
        end = NOTICE + datetime.timedelta(days=after_notice)
    replacement = _post(world, project, start=replaced_on) if replaced_on else None
    return services.staff_end(actor=operator(world), staff=staff, end_date=end, replacement=replacement)


def test_thirty_days_notice_with_a_replacement_in_post_keeps_the_rules(world):
    staff = _leave(world, after_notice=30, replaced_on=NOTICE + datetime.timedelta(days=20))
    assert staff.breaches == []


def test_twenty_nine_days_notice_is_a_breach(world):
    staff = _leave(world, after_notice=29, replaced_on=NOTICE + datetime.timedelta(days=20))
    assert staff.breaches == ["short_notice"]


def test_leaving_on_day_sixty_is_allowed_and_day_sixty_one_is_a_breach(world):
    assert _leave(world, after_notice=60, replaced_on=NOTICE + datetime.timedelta(days=40)).breaches == []
    assert _leave(world, after_notice=61, replaced_on=NOTICE + datetime.timedelta(days=40)).breaches == [
        "late"
    ]


def test_leaving_before_the_replacement_is_in_post_is_a_breach(world):
    # The replacement starts the day after the worker leaves: not in post on the leaving day.
    staff = _leave(world, after_notice=40, replaced_on=NOTICE + datetime.timedelta(days=41))
    assert staff.breaches == ["no_replacement"]
    assert _leave(world, after_notice=40).breaches == ["no_replacement"]


def test_a_replacement_who_took_up_after_the_notice_is_found_without_being_named(world):
    project = make_project(world)
    staff = _post(world, project)
    services.staff_notice(actor=operator(world), staff=staff, notice_date=NOTICE, today=NOTICE)
    newcomer = _post(world, project, start=NOTICE + datetime.timedelta(days=10))
    ended = services.staff_end(
        actor=operator(world), staff=staff, end_date=NOTICE + datetime.timedelta(days=35)
    )
    assert ended.breaches == [] and ended.replacement == newcomer


def test_leaving_without_notice_is_recorded_flagged_and_told_to_the_buyer(world):
    staff = _leave(world, end=datetime.date(2026, 4, 1))
    staff.refresh_from_db()
    assert staff.end_date == datetime.date(2026, 4, 1)  # recorded all the same
    assert staff.breaches == ["no_notice", "no_replacement"]
    assert Message.objects.filter(kind="project_staff_breach", recipient=world.official_a).exists()
    assert selectors.breached_staff(staff.project) == [staff]


def test_notice_is_checked(world):
    project = make_project(world)
    staff = _post(world, project)
    with pytest.raises(ValidationError) as future:
        services.staff_notice(
            actor=operator(world), staff=staff, notice_date=NOTICE, today=NOTICE - datetime.timedelta(days=1)
        )
    assert "notice_date" in future.value.message_dict
    services.staff_notice(actor=operator(world), staff=staff, notice_date=NOTICE, today=NOTICE)
    with pytest.raises(ValidationError) as twice:
        services.staff_notice(actor=operator(world), staff=staff, notice_date=NOTICE, today=NOTICE)
    assert "notice_date" in twice.value.message_dict


def test_the_bureau_claws_back_for_a_breach_and_lists_the_worker_with_the_existing_bar(world):
    staff = _leave(world, after_notice=10)
    clawback = services.clawback_record(
        actor=official(world),
        project=staff.project,
        amount="2000",
        reason="未满 30 天且未补员即离岗",
        staff=staff,
        list_worker=True,
        today=datetime.date(2026, 3, 20),
    )
    assert ClawBack.objects.get(pk=clawback.pk).staff == staff
    entry = DishonestyEntry.objects.get(worker=staff.worker)
    assert entry.bar_until == datetime.date(2028, 3, 20)  # the people registry's 2-year bar
    other = make_project(world)
    with pytest.raises(ValidationError) as barred:
        services.staff_add(
            actor=operator(world), project=other, worker=staff.worker, today=datetime.date(2026, 4, 1)
        )
    assert "失信名单" in barred.value.message_dict["worker"][0]


def test_the_staffing_standard_counts_workers_certificates_and_volunteers(world):
    from shegong.people.models import Certificate, Volunteer
    from shegong.regions.models import RegionStandard

    RegionStandard.objects.create(
        region=world.regions["district"],
        station_min_fulltime=2,
        station_min_certified=1,
        volunteers_per_worker=1,
    )
    project = make_project(world)
    certified = make_worker(world)
    uncertified = make_worker(world, certificate=Certificate.NONE)
    for worker in (certified, uncertified):
        services.staff_add(actor=operator(world), project=project, worker=worker)
    check = selectors.staffing_check(project, selectors.staff_rows(project))
    assert (check["workers"], check["certified"], check["short_of_volunteers"]) == (2, 1, 2)
    assert check["workers_ok"] and check["certified_ok"] and not check["volunteers_ok"] and not check["ok"]
    for worker in (certified, uncertified):
        Volunteer.objects.create(
            region=world.regions["town_a"],
            name="志愿者",
            recruited_by=worker,
            region_code=world.regions["town_a"].code,
        )
    check = selectors.staffing_check(project, selectors.staff_rows(project))
    assert check["volunteers_ok"] and check["ok"]


def test_the_page_takes_notice_and_leaving_and_flags_the_breach(world, client):
    from ..factories import TOWN_A, login_client, make_user

    project = make_project(world)
    staff = _post(world, project)
    newcomer = _post(world, project, start=datetime.date(2026, 3, 10))
    login_client(client, make_user(("operator", TOWN_A), organisation=world.org_a))
    url = f"/projects/{project.pk}/staff/{staff.pk}/"
    client.post(url, {"action": "notice", "notice_date": "2026-03-02"})
    client.post(url, {"action": "end", "end_date": "2026-03-20", "replacement": newcomer.pk})
    staff.refresh_from_db()
    assert (
        staff.notice_date == NOTICE and staff.replacement == newcomer and staff.breaches == ["short_notice"]
    )
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "离职违规" in page and "提前通知不足 30 天" in page

"""An unfiled assignment older than 7 days is flagged on the station page; filing clears the flag."""

import datetime
from unittest import mock

from django.template import Context, Template
from django.test import RequestFactory

from shegong.accounts.actor import Actor
from shegong.people import selectors, services
from shegong.people.models import AssignmentFilingStatus, WorkerAssignment

from .helpers import days_ago, make_worker


def _assign(world, days: int):
    worker = make_worker(world.regions["town_a"], name="备案社工")
    return services.assignment_create(
        actor=Actor.for_user(world.user_a), worker=worker, node=world.station_a, start_date=days_ago(days)
    )


def test_overdue_after_seven_days_on_the_station_page(world, login, client):
    fresh = _assign(world, 7)
    summary = selectors.station_staffing_summary(world.station_a)
    assert summary.overdue == [] and summary.fulltime == 1
    login(world.user_a)
    assert "备案逾期" not in client.get(f"/people/stations/{world.station_a.pk}/").content.decode()
    # one more day and it is overdue
    with mock.patch(
        "django.utils.timezone.localdate", return_value=datetime.date.today() + datetime.timedelta(1)
    ):
        page = client.get(f"/people/stations/{world.station_a.pk}/").content.decode()
    assert 'id="filing-overdue"' in page and "备案社工" in page
    assert fresh.filing_overdue(datetime.date.today() + datetime.timedelta(days=1))


def test_filing_clears_the_flag(world, login, client):
    assignment = _assign(world, 12)
    login(world.user_a)
    page = client.get(f"/people/stations/{world.station_a.pk}/").content.decode()
    assert 'id="filing-overdue"' in page
    response = client.post(
        f"/people/assignments/{assignment.pk}/file/", {"next": f"/people/stations/{world.station_a.pk}/"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.filing_status == AssignmentFilingStatus.SUBMITTED
    assert 'id="filing-overdue"' not in client.get(f"/people/stations/{world.station_a.pk}/").content.decode()
    # the bureau confirms
    client.post(f"/people/assignments/{assignment.pk}/confirm/")
    assignment.refresh_from_db()
    assert assignment.filing_status == AssignmentFilingStatus.CONFIRMED


def test_district_filings_page_lists_overdue_per_station(world, login, client):
    _assign(world, 20)
    login(world.official_a)
    page = client.get("/people/filings/").content.decode()
    assert "备案社工" in page and world.station_a.name in page


def test_partial_via_template_tag(world):
    _assign(world, 9)
    request = RequestFactory().get("/network/")
    request.actor = Actor.for_user(world.user_a)
    html = Template("{% load people_tags %}{% station_staff node %}").render(
        Context({"node": world.station_a, "request": request})
    )
    assert 'id="filing-overdue"' in html and "专职 1/2" in html


def test_staffing_counts_feed_five_haves(world):
    from shegong.network.selectors import five_haves

    for seq, cert in ((1, "social_worker"), (2, "none")):
        worker = make_worker(
            world.regions["town_a"],
            name=f"w{seq}",
            seq=seq,
            certificate=cert,
            certificate_number="X1" if cert != "none" else "",
        )
        WorkerAssignment.objects.create(worker=worker, node=world.station_a, start_date=days_ago(30))
    haves = five_haves([world.station_a])[world.station_a.pk]
    assert (haves.fulltime_workers, haves.certified_workers) == (2, 1)
    assert haves.staff

"""Reports: a signed report is frozen against later corrections and a new version can be issued; a station's week
shows overdue upward exactly after its deadline and its head is told once; roles; the page flow through a
background job; Excel; the API's scope."""

import datetime
import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.accounts.actor import Actor
from shegong.activities import services as activity_services
from shegong.audit.models import AuditEvent
from shegong.core.models import Job, JobState
from shegong.notifications.models import Message
from shegong.regions.models import RegionStandard
from shegong.reports import figures, overdue, periods, selectors, services
from shegong.reports.models import Report, ReportKind, ReportState
from tests.factories import TOWN_A, login_client, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def official(world):
    return Actor.for_user(world.official_a)


def head(region=TOWN_A):
    return Actor.for_user(make_user(("township", region)))


def hold_activity(world, day=TODAY):
    return activity_services.activity_record(
        actor=Actor.for_user(make_user("worker", region_code=TOWN_A)),
        node=world.station_a,
        data={"title": "邻里节", "kind": "publicity", "held_on": day, "participants": 20},
        idempotency_key=uuid.uuid4(),
    )[0]


def station_row(report, world):
    return next(r for r in report.content["rows"] if r["node_id"] == world.station_a.pk)


def test_a_signed_monthly_bulletin_does_not_change_when_a_record_of_its_month_is_corrected(world):
    hold_activity(world)
    bulletin = services.report_generate(
        actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
    )
    assert station_row(bulletin, world)["values"]["activities.held"] == "1"
    services.report_sign(actor=official(world), report=bulletin)
    frozen = Report.objects.get(pk=bulletin.pk).content

    hold_activity(world)  # a record of the month entered late: the live figure moves
    bulletin.refresh_from_db()
    assert bulletin.content == frozen and station_row(bulletin, world)["values"]["activities.held"] == "1"
    with pytest.raises(ValidationError) as again:
        services.report_generate(
            actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
        )
    assert "day" in again.value.message_dict

    with pytest.raises(ValidationError) as no_note:
        services.report_new_version(actor=official(world), report=bulletin, note=" ")
    assert "note" in no_note.value.message_dict
    correction = services.report_new_version(
        actor=official(world), report=bulletin, note="补录七星岗一场活动"
    )
    assert (correction.version, correction.corrects_id, correction.state) == (
        2,
        bulletin.pk,
        ReportState.DRAFT,
    )
    assert station_row(correction, world)["values"]["activities.held"] == "2"
    assert Report.objects.get(pk=bulletin.pk).content == frozen
    assert selectors.is_latest(correction) and not selectors.is_latest(bulletin)
    assert AuditEvent.objects.filter(action="reports.report.correct").exists()


def test_the_monthly_bulletin_ranks_stations_by_visit_rate_then_the_month_s_figures(world):
    hold_activity(world)
    bulletin = services.report_generate(
        actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
    )
    names = [r["name"] for r in bulletin.content["rows"]]
    # No visits due anywhere: the activity held breaks the tie for station A.
    assert names == [world.station_a.name, world.station_b.name]
    assert [r["rank"] for r in bulletin.content["rows"]] == [1, 2]


def test_who_generates_and_signs_each_kind(world):
    with pytest.raises(PermissionDenied):
        services.report_generate(
            actor=head(), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.report_generate(
            actor=official(world), kind=ReportKind.WEEKLY, node=world.station_a, day=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.report_generate(actor=head(), kind=ReportKind.WEEKLY, node=world.station_b, day=TODAY)
    with pytest.raises(ValidationError) as wrong:
        services.report_generate(
            actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["town_a"], day=TODAY
        )
    assert "region" in wrong.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.report_generate(
            actor=head(), kind=ReportKind.WEEKLY, node=world.station_a, day=TODAY + datetime.timedelta(days=8)
        )
    assert "day" in future.value.message_dict
    weekly = services.report_generate(actor=head(), kind=ReportKind.WEEKLY, node=world.station_a, day=TODAY)
    services.report_remarks(actor=head(), report=weekly, remarks="本周开展邻里节")
    services.report_sign(actor=head(), report=weekly)
    with pytest.raises(ValidationError):
        services.report_remarks(actor=head(), report=weekly, remarks="改")
    assert Report.objects.get(pk=weekly.pk).remarks == "本周开展邻里节"


def test_a_station_s_week_counts_its_records_of_those_seven_days(world):
    start, end = periods.week_of(TODAY)
    hold_activity(world, day=start)
    hold_activity(world, day=start - datetime.timedelta(days=1))  # the Sunday before: not this week
    weekly = services.report_generate(actor=head(), kind=ReportKind.WEEKLY, node=world.station_a, day=TODAY)
    figures = {f["key"]: f["value"] for f in weekly.content["figures"]}
    assert figures["activities.held"] == "1" and (weekly.period_start, weekly.period_end) == (start, end)


def _monday_noon(week_start):
    return datetime.datetime.combine(
        week_start + datetime.timedelta(days=7), datetime.time(12), tzinfo=SHANGHAI
    )


def test_a_week_not_submitted_by_monday_noon_shows_overdue_upward_and_the_head_is_told_once(world, client):
    week = periods.week_of(TODAY)[0] - datetime.timedelta(days=14)
    deadline = _monday_noon(week)
    nodes = selectors.stations(None)
    before = deadline - datetime.timedelta(minutes=1)
    after = deadline + datetime.timedelta(minutes=1)
    assert selectors.last_week(before) == week == selectors.last_week(after)
    assert selectors.overdue(nodes, before) == []
    late = selectors.overdue(nodes, after)
    assert {s.node for s in late} == {world.station_a, world.station_b}

    # Station B submits its week on time; only A stays overdue.
    b_head = head(world.regions["town_b"].code)
    services.report_sign(
        actor=b_head,
        report=services.report_generate(actor=b_head, kind=ReportKind.WEEKLY, node=world.station_b, day=week),
        now=before,
    )
    assert [s.node for s in selectors.overdue(nodes, after)] == [world.station_a]

    a_head = make_user(("township", TOWN_A))
    assert overdue.notify_overdue.call(actor_id=None, now=before) == {"messages": 0}
    overdue.notify_overdue.call(actor_id=None, now=after)
    overdue.notify_overdue.call(actor_id=None, now=after)
    told = Message.objects.filter(recipient=a_head, kind="report_overdue")
    assert told.count() == 1
    assert not Message.objects.filter(kind="report_overdue", recipient__username="bob").exists()


def test_the_deadline_is_local_policy(world):
    week = periods.week_of(TODAY)[0] - datetime.timedelta(days=7)
    assert periods.weekly_deadline(week, TOWN_A) == _monday_noon(week)
    RegionStandard.objects.create(region=world.regions["district"], weekly_report_due_hours=18)
    assert periods.weekly_deadline(week, TOWN_A) == _monday_noon(week) + datetime.timedelta(hours=6)


def test_the_district_page_lists_overdue_stations(world, client):
    login_client(client, world.official_a)
    page = client.get("/reports/?kind=weekly").content.decode()
    assert world.station_a.name in page and world.station_b.name in page
    # Whatever the hour now, a station with no report for last week is either awaiting or overdue, never submitted.
    assert ("逾期未报" in page) or ("待报送" in page)


def test_generating_runs_as_a_job_whose_page_shows_progress_and_the_result(world, client):
    login_client(client, world.official_a)
    response = client.post(
        "/reports/generate/",
        {"kind": "monthly", "region": world.regions["district"].code, "day": TODAY.isoformat()},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    report = Report.objects.get()
    assert job.state == JobState.DONE and job.result == {"report": report.pk}
    status = client.get(f"/jobs/{job.pk}/status").json()
    assert (
        status["percent"] == 100 and status["finished"] and status["result_url"] == f"/reports/{report.pk}/"
    )
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'value="100"' in page and f"/reports/{report.pk}/" in page
    jobs_page = client.get("/jobs/").content.decode()
    assert (
        job.title in jobs_page and '<div class="table-wrap"><table class="table" id="job-list">' in jobs_page
    )
    # Another user's job does not exist for them.
    login_client(client, world.user_a)
    assert client.get(f"/jobs/{job.pk}/status").status_code == 404


def test_a_queued_job_shows_partial_progress(world, client):
    job = Job.objects.create(
        kind="reports.generate",
        title="生成",
        user=world.official_a,
        region_code=TOWN_A,
        total=4,
        done=1,
        state=JobState.RUNNING,
        message="正在汇总数据",
    )
    login_client(client, world.official_a)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'value="25"' in page and "正在汇总数据" in page and "jobs.js" in page
    assert client.get(f"/jobs/{job.pk}/status").json()["percent"] == 25


def test_the_report_page_signs_and_issues_a_new_version_and_exports_excel(world, client):
    bulletin = services.report_generate(
        actor=official(world), kind=ReportKind.QUARTERLY, region=world.regions["district"], day=TODAY
    )
    login_client(client, world.official_a)
    assert client.post(f"/reports/{bulletin.pk}/sign/").status_code == 302
    assert Report.objects.get(pk=bulletin.pk).signed
    client.post(f"/reports/{bulletin.pk}/correct/", {"note": "补录数据"})
    assert Report.objects.filter(corrects=bulletin, version=2).exists()
    response = client.get(f"/reports/{bulletin.pk}.xlsx")
    assert response.status_code == 200
    from tests.test_cross_region import _xlsx_text

    assert "探访率" in _xlsx_text(response.content)
    assert AuditEvent.objects.filter(action="reports.report.export").exists()


def test_the_api_is_scoped(world, client):
    weekly = services.report_generate(actor=head(), kind=ReportKind.WEEKLY, node=world.station_a, day=TODAY)
    outsider = make_user(("township", world.regions["town_b"].code))
    operator = make_user(("operator", TOWN_A))
    for user, code in ((world.official_a, 200), (outsider, 404), (operator, 404)):
        login_client(client, user)
        assert client.get(f"/api/v1/reports/{weekly.pk}").status_code in (
            (code,) if code == 200 else (403, 404)
        )
    login_client(client, outsider)
    assert client.get("/api/v1/reports").json()["count"] == 0
    login_client(client, world.official_a)
    listed = client.get("/api/v1/reports?kind=weekly").json()
    assert [r["id"] for r in listed["results"]] == [weekly.pk]


def _first_page(pdf: bytes, folder) -> tuple[bytes, bytes]:
    """The PDF's first page rendered by pdftoppm (poppler): as a PNG to look at and as grey pixels to count."""
    import shutil
    import subprocess

    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail(
            "pdftoppm is not installed: `make test` installs Debian's poppler-utils (scripts/ensure-chromium.sh)"
        )
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    for option, stem in (("-png", "page"), ("-gray", "grey")):
        subprocess.run(
            [tool, option, "-f", "1", "-l", "1", "-r", "80", str(source), str(folder / stem)], check=True
        )
    png = next(folder.glob("page*.png")).read_bytes()
    pgm = next(folder.glob("grey*.pgm")).read_bytes()
    # A binary PGM: "P5", width, height, maxval, then one byte per pixel.
    magic, width, height, _maxval, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5"
    return png, pixels[: int(width) * int(height)]


def test_the_pdf_of_a_report_renders_chinese(world, client, tmp_path):
    hold_activity(world)
    bulletin = services.report_generate(
        actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
    )
    login_client(client, world.official_a)
    response = client.get(f"/reports/{bulletin.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"CJK" in response.content  # the Noto CJK font, embedded
    png, pixels = _first_page(response.content, tmp_path)
    dark = sum(1 for value in pixels if value < 128)
    assert dark > 2000, "the first page is blank"
    import pathlib

    shots = pathlib.Path("/tmp/shots-reports")
    shots.mkdir(exist_ok=True)
    (shots / "monthly-first-page.png").write_bytes(png)


def test_the_weeks_counted_together_are_the_weeks_counted_one_by_one(world):
    start = periods.week_of(TODAY)[0]
    hold_activity(world, day=start)
    hold_activity(world, day=start - datetime.timedelta(days=1))
    first = start - datetime.timedelta(days=7)
    nodes = list(selectors.stations(None))
    together = figures.weekly_many(world.regions["district"], nodes, first, start)
    for node in nodes:
        for week in (first, start):
            assert together[(node.pk, week)] == figures.weekly(node, week, week + datetime.timedelta(days=6))
    assert {f["key"]: f["value"] for f in together[(world.station_a.pk, first)]["figures"]}[
        "activities.held"
    ] == "1"


def test_a_job_whose_worker_stopped_is_marked_failed_by_the_sweep(world):
    from shegong.core import jobs

    stale = Job.objects.create(kind="reports.generate", title="旧", user=world.official_a, region_code=TOWN_A)
    fresh = Job.objects.create(kind="reports.generate", title="新", user=world.official_a, region_code=TOWN_A)
    Job.objects.filter(pk=stale.pk).update(created_at=stale.created_at - datetime.timedelta(hours=3))
    assert jobs.SWEEP.is_due()
    assert jobs.sweep_stalled.call(actor_id=None) == {"failed": 1}
    assert Job.objects.get(pk=stale.pk).state == JobState.FAILED
    assert Job.objects.get(pk=fresh.pk).state == JobState.QUEUED and not jobs.SWEEP.is_due()


def test_the_list_page_costs_the_same_queries_however_many_reports(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_client(client, world.official_a)
    services.report_generate(
        actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get("/reports/").status_code == 200
    for back in (7, 14, 21):
        services.report_generate(
            actor=head(),
            kind=ReportKind.WEEKLY,
            node=world.station_a,
            day=TODAY - datetime.timedelta(days=back),
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/reports/")
    assert page.content.decode().count("/reports/") > 4
    # More reports cost no more queries (the first measure may include what the session caches later).
    assert len(many.captured_queries) <= len(one.captured_queries) <= 14


def test_the_quarterly_review_counts_each_station_s_submitted_weeks(world):
    start, end = periods.quarter_of(TODAY - datetime.timedelta(days=100))
    a_head = head()
    weekly = services.report_generate(
        actor=a_head, kind=ReportKind.WEEKLY, node=world.station_a, day=start + datetime.timedelta(days=7)
    )
    services.report_sign(actor=a_head, report=weekly)
    review = services.report_generate(
        actor=official(world), kind=ReportKind.QUARTERLY, region=world.regions["district"], day=start
    )
    rows = {s["name"]: s for s in review.content["stations"]}
    assert rows[world.station_a.name]["submitted"] == 1 and rows[world.station_b.name]["submitted"] == 0
    assert 12 <= rows[world.station_a.name]["weeks"] <= 14
    assert [f["key"] for f in review.content["figures"]][0] == "visit_rate"


def _unwrapped_tables(page: str) -> int:
    """Tables not inside a sideways-scrolling panel: on a phone they push the whole page sideways."""
    return page.count("<table") - page.count('<div class="table-wrap"><table')


def test_the_list_and_report_pages_keep_their_tables_in_scrolling_panels(world, client):
    monthly = services.report_generate(
        actor=official(world), kind=ReportKind.MONTHLY, region=world.regions["district"], day=TODAY
    )
    quarterly = services.report_generate(
        actor=official(world), kind=ReportKind.QUARTERLY, region=world.regions["district"], day=TODAY
    )
    login_client(client, world.official_a)
    listing = client.get("/reports/").content.decode()
    assert 'id="report-list"' in listing and _unwrapped_tables(listing) == 0
    assert "badge-overdue" not in listing  # a class no stylesheet defines: overdue is the red tag
    for report in (monthly, quarterly):
        page = client.get(f"/reports/{report.pk}/").content.decode()
        assert page.count("<table") >= 2 and _unwrapped_tables(page) == 0
    # The draft's remarks say to save them before signing, which freezes the report.
    assert "先保存说明，再报送或签发" in client.get(f"/reports/{monthly.pk}/").content.decode()


def test_the_list_pages_through_every_report_instead_of_stopping(world, client):
    """A district with years of weekly submissions: every report is reachable, 50 a page, newest first."""
    from django.utils import timezone

    district = world.regions["district"]
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    Report.objects.bulk_create(
        Report(
            kind=ReportKind.MONTHLY,
            region=district,
            region_code=district.code,
            period_start=monday - datetime.timedelta(weeks=i),
            period_end=monday - datetime.timedelta(weeks=i) + datetime.timedelta(days=6),
            generated_at=timezone.now(),
        )
        for i in range(230)
    )
    login_client(client, world.official_a)
    first = client.get("/reports/")
    assert "共 230 份报告" in first.content.decode()
    assert len(first.context["reports"]) == 50 and first.context["page"].paginator.num_pages == 5
    last = client.get("/reports/?page=5")
    oldest = monday - datetime.timedelta(weeks=229)
    assert [r.period_start for r in last.context["reports"]][-1] == oldest
    assert oldest.isoformat() in last.content.decode()
    filtered = client.get("/reports/?kind=monthly&page=2")
    assert 'href="?kind=monthly&page=3"' in filtered.content.decode()

"""The one audited export (shegong.core.exports): masked by default, plain only with the reveal permission and a
reason, audited with filters and row count, naming its exporter, and above a threshold approved by a second person."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shegong.audit.models import AuditEvent
from shegong.core.models import ExportRequest, ExportStatus
from shegong.recipients.models import RiskTier
from tests.factories import TOWN_A, VILLAGE_A1, login_client, make_user
from tests.recipients.helpers import make_recipient

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture
def people(world):
    return [make_recipient(VILLAGE_A1, name=f"对象{i}", tier=RiskTier.KEY, phone=PHONE) for i in range(3)]


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return book, book.active


def _id_cell(sheet, people):
    """The ID cell of the row for people[0] (rows are not in creation order)."""
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == people[0].name:
            return row[1].value, row[2].value
    raise AssertionError("row missing")


def test_an_officials_export_without_a_reason_is_masked(world, people, login, client):
    login(world.official_a)  # holds recipients.reveal, and got plain numbers before
    book, sheet = _sheet(client.get("/recipients/export/"))
    id_value, phone = _id_cell(sheet, people)
    assert id_value != people[0].id_number and "*" in id_value and id_value.endswith(people[0].id_number[-4:])
    assert phone == "138****8000"
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.changes["rows"] == 3 and event.changes["revealed"] is False and event.reason == ""


def test_a_reason_gives_plain_numbers_and_the_audit_entry_holds_reason_filters_and_rows(
    world, people, login, client
):
    login(world.official_a)
    response = client.post(
        f"/recipients/export/?risk={RiskTier.KEY.value}", {"reveal": "on", "reason": "核对低保名单"}
    )
    _book, sheet = _sheet(response)
    assert _id_cell(sheet, people) == (people[0].id_number, PHONE)
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.reason == "核对低保名单"
    assert event.changes["rows"] == 3 and event.changes["revealed"] is True
    assert event.changes["filters"] == {"risk": str(RiskTier.KEY.value)}
    assert "核对低保名单" in sheet.cell(row=sheet.max_row, column=1).value


def test_reveal_without_a_reason_shows_the_form_again_and_exports_nothing(world, people, login, client):
    login(world.official_a)
    response = client.post("/recipients/export/", {"reveal": "on", "reason": "  "})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "须填写事由" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_actor_without_reveal_permission_cannot_get_plain(world, people, login, client):
    # recipients.export, no recipients.reveal; it sees the recipients served at the station it operates.
    world.station_a.operator = world.org_a
    world.station_a.save()
    type(people[0]).objects.filter(pk__in=[p.pk for p in people]).update(station=world.station_a)
    operator = make_user("operator", region_code=TOWN_A, organisation=world.org_a)
    login(operator)
    page = client.get("/recipients/").content.decode()
    assert "显示完整证件号和电话" not in page  # the option is not offered
    response = client.post("/recipients/export/", {"reveal": "on", "reason": "想看看"})
    assert response.status_code == 403
    assert PHONE.encode() not in response.content
    _book, sheet = _sheet(client.post("/recipients/export/", {"reason": "想看看"}))  # no reveal: masked
    assert _id_cell(sheet, people)[1] == "138****8000"

    login(world.official_a)
    assert "显示完整证件号和电话" in client.get("/recipients/").content.decode()


def test_the_file_names_its_exporter_and_when(world, people, login, client):
    world.official_a.display_name = "张三"
    world.official_a.save()
    login(world.official_a)
    book, sheet = _sheet(client.get("/recipients/export/"))
    footer = sheet.cell(row=sheet.max_row, column=1).value
    assert footer.startswith("导出人：张三  导出时间：20")
    assert book.properties.creator == "张三" and "张三" in book.properties.description
    assert "张三" in sheet.oddFooter.center.text


@pytest.mark.parametrize("url", ["/people/workers/export/", "/people/volunteers/export/"])
def test_people_exports_are_masked_and_name_the_exporter(world, login, client, url):
    login(world.official_a)
    _book, sheet = _sheet(client.get(url))
    assert sheet.cell(row=sheet.max_row, column=1).value.startswith("导出人：official")


def test_above_the_threshold_plain_needs_another_persons_approval(world, people, login, client, settings):
    settings.SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS = 2
    requester = make_user("township", region_code=TOWN_A)
    approver = make_user("township", region_code=TOWN_A)
    no_reveal = make_user("operator", region_code=TOWN_A)
    login(requester)
    response = client.post("/recipients/export/", {"reveal": "on", "reason": "全量核查"})
    export_request = ExportRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{export_request.pk}/"
    assert export_request.status == ExportStatus.PENDING and export_request.row_count == 3
    assert not AuditEvent.objects.filter(action="export").exists()
    assert AuditEvent.objects.filter(action="export.request", reason="全量核查").exists()

    # The requester can neither approve nor download it yet.
    assert "批准导出" not in client.get(f"/exports/{export_request.pk}/").content.decode()
    assert client.post(f"/exports/{export_request.pk}/approve/").status_code == 403
    client.post(f"/exports/{export_request.pk}/download/")
    export_request.refresh_from_db()
    assert export_request.status == ExportStatus.PENDING and export_request.approved_by is None

    # Someone without the reveal permission does not see it at all.
    other = login_client(Client(), no_reveal)
    assert other.get(f"/exports/{export_request.pk}/").status_code == 404
    assert other.post(f"/exports/{export_request.pk}/approve/").status_code == 404

    # A second holder of recipients.reveal in the region approves with one click.
    second = login_client(Client(), approver)
    assert "全量核查" in second.get("/exports/").content.decode()
    assert "批准导出" in second.get(f"/exports/{export_request.pk}/").content.decode()
    assert second.post(f"/exports/{export_request.pk}/approve/").status_code == 302
    export_request.refresh_from_db()
    assert export_request.status == ExportStatus.APPROVED and export_request.approved_by == approver
    assert AuditEvent.objects.filter(action="export.approve", actor_id=approver.pk).exists()
    # The approver cannot download it.
    assert second.post(f"/exports/{export_request.pk}/download/").status_code == 403

    # The requester downloads it once.
    _book, sheet = _sheet(client.post(f"/exports/{export_request.pk}/download/"))
    assert _id_cell(sheet, people) == (people[0].id_number, PHONE)
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor_id == requester.pk and event.reason == "全量核查"
    assert event.changes["rows"] == 3 and event.changes["export_request"] == export_request.pk
    again = client.post(f"/exports/{export_request.pk}/download/")
    assert again.status_code == 302 and AuditEvent.objects.filter(action="export").count() == 1


def test_the_database_refuses_a_self_approval(world):
    from django.db import IntegrityError, transaction

    export_request = ExportRequest.objects.create(
        region_code=TOWN_A,
        export_key="recipients.recipient",
        permission="recipients.reveal",
        reason="x",
        row_count=5000,
        requested_by=world.user_a,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportRequest.objects.filter(pk=export_request.pk).update(approved_by=world.user_a)


def test_an_export_above_the_threshold_is_queued_shows_progress_then_downloads_once(
    world, people, login, client, settings
):
    from shegong.core import exports
    from shegong.core.models import ExportJob, ExportJobStatus

    settings.SHEGONG_BACKGROUND_EXPORT_ROWS = 2
    settings.IMPORT_RUNNER = "worker"  # queued for the worker (after commit): the test plays the worker below
    login(world.official_a)
    response = client.get("/recipients/export/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/{job.pk}/"
    assert job.status == ExportJobStatus.QUEUED and job.total == 3 and job.content is None
    assert AuditEvent.objects.filter(action="export.queue", object_id=str(job.pk)).exists()

    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "<progress" in page and "0 / 3" in page and "hx-trigger" in page
    assert "export-download" not in page
    # Someone else (even with the permission) does not see it.
    assert (
        login_client(Client(), make_user("official", region_code=TOWN_A))
        .get(f"/exports/jobs/{job.pk}/")
        .status_code
        == 404
    )

    exports.build_export_job.call(actor_id=world.official_a.pk, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE and job.done == 3 and job.expires_at > job.finished_at
    assert b"PK" not in bytes(job.content)[:2]  # kept encrypted, not as a plain .xlsx
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor_id == world.official_a.pk and event.changes["rows"] == 3

    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "export-download" in page and "<progress" not in page
    _book, sheet = _sheet(client.post(f"/exports/jobs/{job.pk}/file/"))
    assert _id_cell(sheet, people)[1] == "138****8000"
    footer = sheet.cell(row=sheet.max_row, column=1).value
    assert footer.startswith("导出人：")
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DOWNLOADED and job.content is None
    assert AuditEvent.objects.filter(action="export.download", object_id=str(job.pk)).exists()
    again = client.post(f"/exports/jobs/{job.pk}/file/")
    assert again.status_code == 302 and again["Location"] == f"/exports/jobs/{job.pk}/"


def test_an_unfetched_background_file_expires(world, people, login, client, settings):
    import datetime

    from django.utils import timezone

    from shegong.core import exports
    from shegong.core.models import ExportJob, ExportJobStatus

    settings.SHEGONG_BACKGROUND_EXPORT_ROWS = 2
    settings.IMPORT_RUNNER = "inline"
    login(world.official_a)
    client.get("/recipients/export/")
    job = ExportJob.objects.get()
    assert job.status == ExportJobStatus.DONE
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert exports.SWEEP.is_due()
    exports.sweep_expired.call(actor_id=None)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.EXPIRED and job.content is None
    assert client.post(f"/exports/jobs/{job.pk}/file/").status_code == 302


def test_the_recipient_export_query_count_does_not_grow_with_rows(world, login, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shegong.recipients.models import Category, CategoryMembership

    category = Category.objects.order_by("pk").first()  # seeded by a migration
    assert category is not None

    def add(n):
        for i in range(n):
            r = make_recipient(VILLAGE_A1, name=f"加{n}-{i}", tier=RiskTier.KEY, phone=PHONE)
            CategoryMembership.objects.create(recipient=r, category=category)

    login(world.official_a)
    _sheet(client.get("/recipients/export/"))  # the first request of a session caches its actor
    counts = []
    for n in (2, 30):
        add(n)
        with CaptureQueriesContext(connection) as queries:
            _sheet(client.get("/recipients/export/"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    _book, sheet = _sheet(client.get("/recipients/export/"))
    assert sheet.cell(row=2, column=7).value == category.name  # the current categories are written


def test_the_recipient_export_joins_the_current_categories_in_the_order_they_were_recognised(
    world, login, client
):
    import datetime

    from shegong.recipients.models import Category, CategoryMembership

    first, second, ended = Category.objects.order_by("-pk")[:3]
    recipient = make_recipient(VILLAGE_A1, name="多类别", tier=RiskTier.KEY, phone=PHONE)
    CategoryMembership.objects.create(recipient=recipient, category=first)
    CategoryMembership.objects.create(
        recipient=recipient,
        category=ended,
        end_on=datetime.date(2020, 1, 1),
        start_on=datetime.date(2019, 1, 1),
    )
    CategoryMembership.objects.create(recipient=recipient, category=second)
    make_recipient(VILLAGE_A1, name="无类别", tier=RiskTier.KEY, phone=PHONE)
    login(world.official_a)
    _book, sheet = _sheet(client.get("/recipients/export/"))
    cells = {row[0].value: row[6].value for row in sheet.iter_rows(min_row=2, max_row=3)}
    assert cells == {"多类别": f"{first.name}、{second.name}", "无类别": None}


def test_an_approved_large_plain_export_is_built_in_the_background_for_its_one_download(
    world, people, login, client, settings
):
    from shegong.core.models import ExportJob, ExportJobStatus

    settings.SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS = 2
    settings.SHEGONG_BACKGROUND_EXPORT_ROWS = 2
    settings.IMPORT_RUNNER = "inline"
    requester = make_user("township", region_code=TOWN_A)
    approver = make_user("township", region_code=TOWN_A)
    login(requester)
    client.post("/recipients/export/", {"reveal": "on", "reason": "全量核查"})
    export_request = ExportRequest.objects.get()
    assert not ExportJob.objects.exists()  # approval first
    login_client(Client(), approver).post(f"/exports/{export_request.pk}/approve/")

    response = client.post(f"/exports/{export_request.pk}/download/")
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    export_request.refresh_from_db()
    assert export_request.status == ExportStatus.DOWNLOADED and job.export_request == export_request
    assert job.status == ExportJobStatus.DONE and job.reveal and job.reason == "全量核查"
    _book, sheet = _sheet(client.post(f"/exports/jobs/{job.pk}/file/"))
    assert _id_cell(sheet, people) == (people[0].id_number, PHONE)
    assert "审批人" in sheet.cell(row=sheet.max_row, column=1).value
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.changes["export_request"] == export_request.pk and event.reason == "全量核查"


def test_the_volunteer_hours_and_organisation_exports_write_names_and_labels(world, login, client):
    """These exports read named tuples of their values, not models: the joined names, the choice labels (a JSON
    list of skills too), the confirmed hours and the confirmer's label come out as the pages show them."""
    import datetime
    from decimal import Decimal

    from shegong.orgs.models import Organisation
    from shegong.people.models import HoursStatus, Volunteer, VolunteerHours, VolunteerTeam

    team = VolunteerTeam.objects.create(
        region=world.regions["town_a"], name="七星岗志愿服务总队", level="corps"
    )
    volunteer = Volunteer.objects.create(
        region=world.regions["village_a1"],
        name="周志愿",
        phone=PHONE,
        team=team,
        skills=["care", "legal"],
    )
    for status in (HoursStatus.CONFIRMED, HoursStatus.LOGGED):
        VolunteerHours.objects.create(
            volunteer=volunteer,
            team=team,
            served_on=datetime.date(2026, 1, 5),
            hours=Decimal("2.5"),
            description="陪伴",
            status=status,
            confirmed_by=world.official_a if status == HoursStatus.CONFIRMED else None,
        )
    Organisation.objects.create(
        name="孵化的社工机构", kind="agency", region=world.regions["town_a"], incubated_by=world.org_a
    )
    login(world.official_a)

    def body(url):
        _book, sheet = _sheet(client.get(url))
        return [[c.value for c in r] for r in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 2)]

    assert body("/people/volunteers/export/")[0][2:8] == [
        "138****8000",
        "生活照料、法律服务",
        "七星岗志愿服务总队",
        None,
        "在册",
        world.regions["village_a1"].name,
    ]
    assert body("/people/volunteers/export/")[0][9] == 2.5  # the confirmed hours only
    [confirmed] = body("/people/hours/export/?status=confirmed")
    assert confirmed[:5] == ["周志愿", datetime.datetime(2026, 1, 5), 2.5, "陪伴", "七星岗志愿服务总队"]
    assert confirmed[6:8] == ["已确认", world.official_a.label]
    [waiting] = body("/people/hours/export/")
    assert waiting[6:8] == ["待确认", None]
    org = next(r for r in body("/orgs/export/") if r[0] == "孵化的社工机构")
    assert org[2] == "社会工作服务机构" and org[4] == world.regions["town_a"].name
    assert org[11] == world.org_a.name and org[12] == "未建立"

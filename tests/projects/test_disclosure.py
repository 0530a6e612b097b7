import copy
import datetime
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.core import schedules
from shegong.projects import services
from shegong.projects.disclosure import DISCLOSURE_SCHEDULE, ocds
from shegong.projects.models import ProjectStaff, ProjectState, Release

from .helpers import make_project, make_worker, official, operator, spend

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    real = timezone.localdate

    def set_day(day: datetime.date) -> datetime.date:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return set_day


def _run():
    [outcome] = schedules.run_due(inline=True, schedules=[DISCLOSURE_SCHEDULE])
    return outcome


def _project_with_people(world):
    project = make_project(world)
    worker = make_worker(world, "欧阳娜娜")
    worker.phone = "13912345678"
    worker.id_number = "500103199001011237"
    worker.save()
    staff = services.staff_add(
        actor=operator(world), project=project, worker=worker, start_date=datetime.date(2026, 2, 1)
    )
    line = services.budget_line_set(
        actor=official(world), project=project, category="personnel", amount="100000"
    )
    spend(world, project, line, "8000", spent_on=datetime.date(2026, 5, 10), description="欧阳娜娜 5 月工资")
    services.clawback_record(
        actor=official(world),
        project=project,
        amount="3000.50",
        reason="欧阳娜娜未经交接离岗",
        staff=staff,
        today=datetime.date(2026, 5, 20),
    )
    return project, worker


def test_on_the_15th_each_running_project_publishes_last_month_once(world, clock, client):
    project, worker = _project_with_people(world)
    make_project(world, state=ProjectState.DEMAND)  # not running: publishes nothing
    clock(datetime.date(2026, 6, 14))
    assert _run().detail["releases"] == 0
    clock(datetime.date(2026, 6, 15))
    assert _run().detail["releases"] == 1
    [release] = Release.objects.all()
    assert release.project == project and release.month == datetime.date(2026, 5, 1) and release.version == 1
    assert _run().action == "not due"  # ran today, nothing left to publish
    schedules.run_due(inline=True, schedules=[DISCLOSURE_SCHEDULE])
    clock(datetime.date(2026, 6, 28))
    assert _run().detail["releases"] == 0
    assert Release.objects.count() == 1

    c = release.content
    assert c["finances"]["clawed_back"] == "3000.50"
    assert c["finances"]["clawbacks"][0]["reason"] == "某社工未经交接离岗"
    assert c["finances"]["lines"][0]["spent"] == "8000.00"
    assert c["affairs"]["staff_in_post"] == 1

    # Readable by anyone, in every form, and holding no personal data.
    pages = [
        client.get("/public/disclosure/"),
        client.get(f"/public/disclosure/{release.pk}/"),
        client.get(f"/public/disclosure/{release.pk}.json"),
    ]
    assert all(p.status_code == 200 for p in pages)
    xlsx = client.get(f"/public/disclosure/{release.pk}.xlsx")
    assert xlsx.status_code == 200
    texts = [p.content.decode() for p in pages] + [
        _xlsx_text(xlsx.content),
        json.dumps(c, ensure_ascii=False),
    ]
    assert "某社工" in texts[1]
    for text in texts:
        assert worker.name not in text
        assert "13912345678" not in text and "500103199001011237" not in text
        assert not re.search(r"\b1[3-9]\d{9}\b", text), "a phone number"
        assert not re.search(r"\b\d{17}[\dXx]\b", text), "an ID number"
    data = json.loads(pages[2].content)
    implementation = data["contracts"][0]["implementation"]
    assert {"milestones", "transactions", "metrics"} <= set(implementation)
    assert any(t["value"]["amount"] == "-3000.50" for t in implementation["transactions"])


def _xlsx_text(content: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_a_release_is_frozen_and_a_correction_is_a_new_version(world, clock):
    project, _worker = _project_with_people(world)
    clock(datetime.date(2026, 6, 15))
    release = services.release_publish(project=project, month=datetime.date(2026, 5, 1))
    assert services.release_publish(project=project, month=datetime.date(2026, 5, 1)) is None
    frozen = copy.deepcopy(release.content)
    release.content["finances"]["spent"] = "0.00"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()
    with pytest.raises(ValidationError):
        services.release_correct(actor=official(world), release=release, note="")
    correction = services.release_correct(actor=official(world), release=release, note="补录 5 月一笔支出")
    assert correction.version == 2 and correction.corrects_id == release.pk
    release.refresh_from_db()
    assert release.content == frozen
    assert ocds(correction)["tag"] == ["implementationUpdate"]


def test_the_public_page_needs_no_login_and_says_when_the_next_release_is_due(world, client, clock):
    clock(datetime.date(2026, 6, 3))
    page = client.get("/public/disclosure/")
    assert page.status_code == 200 and "2026-06-15" in page.content.decode()
    assert client.get("/public/disclosure/999999/").status_code == 404


def test_visits_count_the_linked_visits_and_change_at_once(world):
    from shegong.accounts.actor import Actor
    from shegong.projects import selectors
    from shegong.visits.services import visit_record
    from tests.factories import make_user
    from tests.recipients.helpers import key, make_recipient, visit_data

    today = timezone.localdate()
    project = make_project(
        world,
        regions=("village_a1",),
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    services.target_set(actor=official(world), project=project, indicator="visits", quantity="100")
    recipient = make_recipient(world.regions["village_a1"].code)
    elsewhere = make_recipient(world.regions["village_a2"].code)
    before = selectors.progress(project)[0].actual
    user = make_user(("worker", world.regions["town_a"].code))
    on_project = make_worker(world)
    type(on_project)._base_manager.filter(pk=on_project.pk).update(user=user)
    ProjectStaff.objects.create(project=project, worker=on_project, start_date=project.starts_on)
    worker = Actor.for_user(user)
    visit_record(actor=worker, recipient=recipient, data=visit_data(), idempotency_key=key())
    visit_record(actor=worker, recipient=elsewhere, data=visit_data(), idempotency_key=key())
    other = Actor.for_user(make_user(("worker", world.regions["town_a"].code)))  # on no project: not counted
    visit_record(actor=other, recipient=recipient, data=visit_data(), idempotency_key=key())
    assert selectors.progress(project)[0].actual == before + 2  # wherever the worker went
    assert len(selectors.drilldown(project, "visits")) == before + 2


def test_the_release_lists_staff_changes_filings_breaches_and_money_without_naming_anyone(
    world, clock, client
):
    project, worker = _project_with_people(world)
    leaver = make_worker(world, "司马光明")
    leaver.phone = "13800001111"
    leaver.id_number = "500103198802022345"
    leaver.save()
    post = services.staff_add(
        actor=operator(world), project=project, worker=leaver, start_date=datetime.date(2026, 2, 1)
    )
    services.staff_filing_submit(actor=operator(world), staff=post, today=datetime.date(2026, 5, 3))
    services.staff_notice(
        actor=operator(world),
        staff=post,
        notice_date=datetime.date(2026, 5, 4),
        today=datetime.date(2026, 5, 4),
    )
    services.staff_end(actor=operator(world), staff=post, end_date=datetime.date(2026, 5, 20))
    services.clawback_record(
        actor=official(world),
        project=project,
        amount="1000",
        reason="司马光明未满 30 天离岗",
        staff=post,
        list_worker=True,
        today=datetime.date(2026, 5, 25),
    )
    line = project.budget_lines.get()
    spend(world, project, line, "500", spent_on=datetime.date(2026, 5, 12), review=False)
    services.payment_record(
        actor=official(world),
        project=project,
        milestone="首期款",
        amount="50000",
        paid_on=datetime.date(2026, 5, 5),
    )
    clock(datetime.date(2026, 6, 15))
    release = services.release_publish(project=project, month=datetime.date(2026, 5, 1))
    c = release.content
    affairs = c["affairs"]
    assert affairs["notices_in_month"] == 1 and affairs["filings"]["submitted_in_month"] == 1
    assert affairs["changes"] == [
        {"change": "left", "role": "worker", "date": "2026-05-20", "role_label": "项目社工"}
    ]
    [breach] = affairs["breaches"]
    assert breach["rules"] == ["short_notice", "no_replacement"] and breach["role"] == "worker"
    [own_line] = c["finances"]["lines"]
    assert own_line["spent"] == "8000.00" and own_line["pending"] == "500.00"  # pending is not spent
    assert [p["milestone"] for p in c["finances"]["payments"]] == ["首期款"]
    assert {cb["amount"] for cb in c["finances"]["clawbacks"]} == {"3000.50", "1000.00"}
    assert ["short_notice", "no_replacement"] in [cb["breaches"] for cb in c["finances"]["clawbacks"]]
    ocds_record = client.get(f"/public/disclosure/{release.pk}.json").json()
    assert ocds_record["affairs"]["breaches"][0]["rules"] == ["short_notice", "no_replacement"]
    texts = [
        json.dumps(c, ensure_ascii=False),
        client.get(f"/public/disclosure/{release.pk}/").content.decode(),
        json.dumps(ocds_record, ensure_ascii=False),
        _xlsx_text(client.get(f"/public/disclosure/{release.pk}.xlsx").content),
    ]
    assert "违反离职规定" in texts[1] and "违反离职规定" in texts[3]
    for text in texts:
        for person in (worker, leaver):
            assert person.name not in text
        for secret in ("13912345678", "13800001111", "500103199001011237", "500103198802022345"):
            assert secret not in text
        assert not re.search(r"\b1[3-9]\d{9}\b", text), "a phone number"
        assert not re.search(r"\b\d{17}[\dXx]\b", text), "an ID number"


def test_the_public_page_shows_a_count_target_as_a_whole_number(world, client):
    project = make_project(world)
    services.target_set(actor=official(world), project=project, indicator="activities", quantity="24")
    release = services.release_publish(project=project, month=project.starts_on.replace(day=1))
    page = client.get(f"/public/disclosure/{release.pk}/").content.decode()
    assert '<td data-label="目标">24</td>' in page and "24.0" not in page

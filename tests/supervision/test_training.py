"""Courses, enrolment and attendance; hours per worker per year against the required hours; who is short."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from shegong.core import tallies
from shegong.core.models import Tally
from shegong.regions.models import RegionStandard
from shegong.supervision.models import Course, Enrolment
from tests.factories import login_client, make_user

from .helpers import days_ago, posted_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    head = make_user("township")
    short = posted_worker(world, "赵短缺", 1)
    done = posted_worker(world, "钱达标", 2)
    year = datetime.date.today().year
    start = max(datetime.date(year, 1, 1), days_ago(5))
    big = Course.objects.create(
        region=world.regions["town_a"],
        title="年度继续教育",
        kind="continuing",
        organiser="区民政局",
        starts_on=start,
        ends_on=start,
        hours=Decimal("72"),
    )
    Enrolment.objects.create(course=big, worker=done, attended=True, hours=Decimal("72"))
    course = Course.objects.create(
        region=world.regions["town_a"],
        title="个案管理专题",
        kind="thematic",
        organiser="区社工协会",
        starts_on=start,
        ends_on=start,
        hours=Decimal("72"),
    )
    Enrolment.objects.create(course=course, worker=short)
    tallies.reconcile(only=["training.attendances"])  # count the attendance made directly above
    return {"head": head, "short": short, "done": done, "course": course, "year": year}


def test_a_worker_short_of_hours_is_listed_and_leaves_when_attendance_is_recorded(client, setting):
    login_client(client, setting["head"])
    page = client.get("/supervision/trainings/hours/").content.decode()
    assert "赵短缺" in page and "钱达标" not in page
    course = setting["course"]
    response = client.post(
        f"/supervision/trainings/{course.pk}/attendance/", {"present": [str(setting["short"].pk)]}
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(course=course)
    assert enrolment.attended is True and enrolment.hours == Decimal("72")
    page = client.get("/supervision/trainings/hours/").content.decode()
    assert "赵短缺" not in page
    assert Tally.objects.get(metric="training.attendances").value == 2
    # Taking the attendance back puts the worker back on the list and the count back down.
    client.post(f"/supervision/trainings/{course.pk}/attendance/", {})
    assert "赵短缺" in client.get("/supervision/trainings/hours/").content.decode()
    assert Tally.objects.get(metric="training.attendances").value == 1
    assert tallies.reconcile(fix=False, only=["training.attendances"]) == []


def test_required_hours_are_local_policy(world, client, setting):
    RegionStandard.objects.create(region=world.regions["town_a"], training_hours_per_year=0)
    login_client(client, setting["head"])
    assert "赵短缺" not in client.get("/supervision/trainings/hours/").content.decode()


def test_training_history_on_the_workers_page(client, setting):
    login_client(client, setting["head"])
    page = client.get(f"/people/workers/{setting['done'].pk}/").content.decode()
    assert "培训记录" in page and "年度继续教育" in page and "已达标" in page
    page = client.get(f"/people/workers/{setting['short'].pk}/").content.decode()
    assert "差 72 学时" in page


def test_create_enrol_and_export_attendance(world, client, setting):
    login_client(client, setting["head"])
    data = {
        "region": world.regions["town_a"].code,
        "title": "新入职岗前培训",
        "kind": "pre_service",
        "layer": "new_staff",
        "organiser": "区民政局",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-01",
        "hours": "16",
    }
    response = client.post("/supervision/trainings/new/", data)
    assert response.status_code == 422 and "结束日期不能早于开始日期" in response.content.decode()
    assert "新入职岗前培训" in response.content.decode()
    data["ends_on"] = "2026-03-03"
    response = client.post("/supervision/trainings/new/", data)
    course = Course.objects.get(title="新入职岗前培训")
    assert response.status_code == 302 and course.region_code == world.regions["town_a"].code
    client.post(
        f"/supervision/trainings/{course.pk}/enrol/", {"workers": [setting["short"].pk, setting["done"].pk]}
    )
    assert course.enrolments.count() == 2
    export = client.get(f"/supervision/trainings/{setting['course'].pk}/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert any("赵短缺" in [str(c) for c in row] for row in rows)


def test_a_worker_cannot_change_training(client, setting):
    login_client(client, make_user("worker"))
    course = setting["course"]
    assert client.post(f"/supervision/trainings/{course.pk}/attendance/", {"present": []}).status_code == 403

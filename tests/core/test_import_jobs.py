"""Every registry's import is a background job: the upload page returns at once, the job page reports."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shegong.core import importjobs
from shegong.core.models import ImportJob
from shegong.orgs.models import Organisation
from shegong.people.models import SocialWorker, Volunteer
from shegong.recipients.models import CategoryMembership, Recipient, TimelineEntry, VisitObligation
from tests.factories import TOWN_A
from tests.people.helpers import valid_id
from tests.people.test_imports import GOOD_CODE
from tests.people.test_imports import workbook as sheet
from tests.recipients.test_import import good_rows
from tests.recipients.test_import import workbook as roster

ROOT = Path(__file__).resolve().parents[2]


def test_every_registry_registers_its_importer():
    assert {"recipients.roster", "people.workers", "people.volunteers", "orgs.organisations"} <= set(
        importjobs._importers
    )


GOOD_FILES = {
    "/people/workers/import/": (
        lambda: sheet(["姓名", "身份证号"], [["甲", valid_id(seq=1)]]),
        lambda: SocialWorker.objects.filter(name="甲").count(),
    ),
    "/people/volunteers/import/": (
        lambda: sheet(["姓名", "身份证号", "手机号"], [["乙", valid_id(seq=2), "13800000002"]]),
        lambda: Volunteer.objects.filter(name="乙").count(),
    ),
    "/orgs/import/": (
        lambda: sheet(
            ["名称", "统一社会信用代码", "类型"],
            [["测试社工中心", GOOD_CODE, "社会工作服务机构"]],
        ),
        lambda: Organisation.objects.filter(name="测试社工中心").count(),
    ),
    "/recipients/import/": (lambda: roster(good_rows()), lambda: Recipient.objects.count() // 3),
}


@pytest.mark.parametrize("url", list(GOOD_FILES))
def test_upload_redirects_to_the_job_page_which_reports_the_rows(url, world, login, client):
    login(world.user_a)
    content, count = GOOD_FILES[url]
    response = client.post(url, {"file": SimpleUploadedFile("名单.xlsx", content()), "region": TOWN_A})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert job.status == "done", (job.status, job.errors)
    assert count() == 1 and ("已导入" in page or "新增" in page)
    assert "hx-get" not in page  # finished: the page stops polling


def test_a_bad_row_keeps_nothing_and_the_job_page_offers_the_report_and_the_marked_file(world, login, client):
    login(world.user_a)
    content = sheet(["姓名", "身份证号"], [["甲", valid_id(seq=1)], ["乙", "110101199003071234"]])
    response = client.post(
        "/people/workers/import/", {"file": SimpleUploadedFile("w.xlsx", content), "region": TOWN_A}
    )
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert job.status == "rejected" and SocialWorker.objects.count() == 0
    assert "未导入任何数据" in page and "身份证号" in page and f"/imports/{job.pk}/marked/" in page
    marked = client.get(f"/imports/{job.pk}/marked/")
    assert marked.status_code == 200 and marked["Content-Type"].startswith("application/vnd.openxml")


def test_progress_is_polled_while_the_job_runs(world, login, client):
    login(world.user_a)
    job = ImportJob.objects.create(
        kind="people.workers", region_code=TOWN_A, filename="w.xlsx", content=b"", user=world.user_a
    )
    ImportJob.objects.filter(pk=job.pk).update(status="checking", total=200, done=50)
    page = client.get(f"/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-get="/imports/' in page and "50 / 200" in page and 'value="25"' in page


def test_only_the_uploader_sees_the_job(world, login, client):
    from tests.factories import make_user

    job = ImportJob.objects.create(
        kind="people.workers", region_code=TOWN_A, filename="w.xlsx", content=b"", user=world.user_a
    )
    login(make_user(("admin", TOWN_A)))
    assert client.get(f"/imports/{job.pk}/").status_code == 404


def test_with_the_worker_runner_the_page_only_queues_a_task(
    world, login, client, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.IMPORT_RUNNER = "worker"
    login(world.user_a)
    content = sheet(["姓名", "身份证号"], [["甲", valid_id(seq=1)]])
    with pytest.MonkeyPatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(importjobs, "run_job", lambda *a, **k: pytest.fail("the web request ran the import"))
        response = client.post(
            "/people/workers/import/", {"file": SimpleUploadedFile("w.xlsx", content), "region": TOWN_A}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued" and SocialWorker.objects.count() == 0
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "shegong.core.importjobs.run_import"
    assert task.args_kwargs["kwargs"] == {"actor_id": world.user_a.pk, "job_id": job.pk}
    # What `shegong db_worker` does with it: runs it, once.
    importjobs.run_import.call(**task.args_kwargs["kwargs"])
    importjobs.run_import.call(**task.args_kwargs["kwargs"])
    job.refresh_from_db()
    assert job.status == "done" and SocialWorker.objects.count() == 1


def test_an_import_that_dies_mid_write_leaves_nothing(world, monkeypatch):
    """The roster's write dies after its first chunk (recipients and memberships inserted): nothing stays."""
    from shegong.accounts.actor import Actor
    from shegong.recipients import imports

    real = imports.insert_rows
    calls = []

    def dies_after_the_first_chunk(*args, **kwargs):
        calls.append(args[0])
        if len(calls) > 1:
            raise RuntimeError("the writer was killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "insert_rows", dies_after_the_first_chunk)
    before = (Recipient.objects.count(), CategoryMembership.objects.count(), TimelineEntry.objects.count())
    job = importjobs.start(
        kind="recipients.roster",
        actor=Actor.for_user(world.user_a),
        region_code=TOWN_A,
        filename="名册.xlsx",
        content=roster(good_rows()),
    )
    job.refresh_from_db()
    assert calls == [CategoryMembership, TimelineEntry]  # the first chunk went in, then the writer died
    assert job.status == "failed"
    assert (
        Recipient.objects.count(),
        CategoryMembership.objects.count(),
        TimelineEntry.objects.count(),
    ) == before
    assert not VisitObligation.objects.filter(recipient__name="王秀英").exists()


@pytest.mark.slow
def test_visits_submitted_on_sqlite_during_an_import_all_succeed(tmp_path):
    """5,000 roster rows into a file SQLite database while four processes submit visits through
    ``visit_record``: none of them is refused with "database is locked" (bench/imports.py at 100,000 rows)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/import.sqlite3",
        "SHEGONG_VAR": str(tmp_path),
        "SHEGONG_ENV": "bench",
        "DJANGO_SETTINGS_MODULE": "shegong.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", "5000"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    during = figures["during"]
    assert figures["created"] == 5000
    assert during["ok"] > 0 and during["failed"] == 0, during


def test_a_job_whose_worker_stopped_is_marked_failed_by_the_sweep(world):
    import datetime

    from django.utils import timezone

    from shegong.core import schedules
    from shegong.core.models import ImportStatus

    stalled = ImportJob.objects.create(
        kind="people.workers", region_code=TOWN_A, filename="a.xlsx", content=b"", status=ImportStatus.WRITING
    )
    fresh = ImportJob.objects.create(
        kind="people.workers",
        region_code=TOWN_A,
        filename="b.xlsx",
        content=b"",
        status=ImportStatus.CHECKING,
    )
    ImportJob.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - datetime.timedelta(hours=3))
    outcomes = schedules.run_due(schedules=[importjobs.SWEEP], inline=True)
    assert [o.action for o in outcomes] == ["ran"]
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert stalled.status == ImportStatus.FAILED and "未写入任何数据" in stalled.errors[0]["message"]
    assert fresh.status == ImportStatus.CHECKING  # still within its time
    assert [o.action for o in schedules.run_due(schedules=[importjobs.SWEEP])] == ["not due"]

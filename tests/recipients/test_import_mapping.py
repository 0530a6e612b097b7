"""The import page's column-mapping step (issue 12): the guess is shown, corrected, previewed, confirmed and
remembered for next month's file of the same shape."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shegong.core.models import ImportJob, ImportMapping
from shegong.recipients.models import Recipient
from tests.factories import TOWN_A
from tests.recipients.helpers import id_number

pytestmark = pytest.mark.django_db

HEADER = ["序号", "街道", "社区", "户主姓名", "身份证号码", "电话", "手机号码", "救助类别"]


def month_roster(names: list[str]) -> bytes:
    """A roster whose 电话 column is the community office's landline and 手机号码 the person's mobile: the guess
    takes the first phone-like column, which is the wrong one."""
    book = Workbook()
    sheet = book.active
    sheet.append(["七星岗街道困难群众花名册"])
    sheet.merge_cells("A1:H1")
    sheet.append(HEADER)
    for i, name in enumerate(names, start=1):
        sheet.append([i, "七星岗", "金汤街", name, id_number(), "023-63800000", f"1380013800{i}", "城市低保"])
    sheet.append(["合计", None, None, len(names)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="十一月.xlsx"):
    return client.post("/recipients/import/", {"file": SimpleUploadedFile(name, content), "region": TOWN_A})


def test_the_mapping_is_confirmed_corrected_and_remembered(world, login, client):
    login(world.user_a)
    response = upload(client, month_roster(["王秀英", "李建国"]))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/" and job.status == "mapping"
    page = client.get(response["Location"]).content.decode()
    assert "表头在第 2 行" in page and 'name="col5"' in page
    assert "02363800000" in page  # the preview shows the landline as the phone: the wrong guess
    mapping = {f"col{i}": key for i, key in enumerate(["", "township", "community", "name", "id_number"])}
    mapping.update(col5="", col6="phone", col7="categories")
    preview = client.post(f"/imports/{job.pk}/", {**mapping, "action": "preview"}).content.decode()
    assert "13800138001" in preview and "02363800000" not in preview.split("mapping-preview")[1]
    response = client.post(f"/imports/{job.pk}/", {**mapping, "action": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert (job.created, job.skipped) == (2, 1) and job.ignored == ["电话"]
    assert "未导入的列：电话" in client.get(f"/imports/{job.pk}/").content.decode()
    assert sorted(r.phone for r in Recipient.objects.all()) == ["13800138001", "13800138002"]
    assert ImportMapping.objects.filter(user=world.user_a).count() == 1

    # Next month: the same shape is mapped as confirmed, and shown for confirmation.
    upload(client, month_roster(["赵四", "钱五", "孙六"]), name="十二月.xlsx")
    job = ImportJob.objects.latest("pk")
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert job.status == "mapping" and "上次确认过" in page
    assert "13800138003" in page and "02363800000" not in page.split("mapping-preview")[1]


def test_a_mapping_without_a_required_field_is_not_confirmed(world, login, client):
    login(world.user_a)
    upload(client, month_roster(["王秀英"]))
    job = ImportJob.objects.get()
    page = client.post(
        f"/imports/{job.pk}/", {"col1": "township", "col2": "community", "col3": "name", "action": "confirm"}
    ).content.decode()
    job.refresh_from_db()
    assert job.status == "mapping" and "「身份证号」没有对应的列" in page


def test_another_user_cannot_see_or_confirm_the_mapping(world, login, client):
    login(world.user_a)
    upload(client, month_roster(["王秀英"]))
    job = ImportJob.objects.get()
    client.logout()
    login(world.user_b)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.post(f"/imports/{job.pk}/", {"col3": "name", "action": "confirm"}).status_code == 404
    job.refresh_from_db()
    assert job.status == "mapping"

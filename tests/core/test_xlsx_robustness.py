"""Files built to hurt the importer: far-away cells, zip bombs, non-workbooks, merged cells, bare formulas.

Each is refused (or reported) with a message a user can act on, memory stays bounded, and the server keeps
answering."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from shegong.core import xlsx_import as x
from shegong.people.models import SocialWorker
from tests.people.helpers import valid_id

from .test_xlsx_import import SPEC

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def far_cell_file(reference: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(["甲", valid_id(seq=1)])
    sheet[reference] = "x"
    return save(book)


@pytest.mark.parametrize("reference", ["XFD1048576", "T1048576", "A250000"])
def test_a_far_away_cell_is_refused_by_name_before_reading(reference):
    content = far_cell_file(reference)
    assert len(content) < 6000
    result = x.parse_workbook(SPEC, content)
    [error] = result.errors
    # The declared dimension ends at the far cell (its row, for a far row): it is checked first.
    assert error.row == 0 and f"{reference[1:]} 单元格超出模板范围" in error.message
    assert str(error) == error.message  # no "第 0 行"


def test_a_declared_dimension_alone_is_checked():
    content = far_cell_file("B3").replace(b"", b"")
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:B3"', b'<dimension ref="A1:XFD1048576"')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    [error] = x.parse_workbook(SPEC, buffer.getvalue()).errors
    assert "XFD1048576" in error.message


def test_the_far_cell_file_through_the_import_page_and_the_server_keeps_answering(world, login, client):
    login(world.user_a)
    for reference in ("XFD1048576", "T1048576"):
        upload = io.BytesIO(far_cell_file(reference))
        upload.name = "workers.xlsx"
        response = client.post(
            "/people/workers/import/", {"file": upload, "region": world.regions["town_a"].code}, follow=True
        )
        text = response.content.decode()
        assert response.status_code == 200 and f"第 {reference} 单元格超出模板范围" in text
    assert client.get("/people/workers/").status_code == 200
    assert SocialWorker.objects.count() == 0


def test_the_far_cell_file_through_the_command_line(world, tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_file("XFD1048576"))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("workers", "import", str(path), "--region", world.regions["town_a"].code, stderr=stderr)
    assert "第 XFD1048576 单元格超出模板范围" in stderr.getvalue() and "第 0 行" not in stderr.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "recipients", "import", str(path), "--region", world.regions["town_a"].code, stderr=stderr
        )


_BOUNDED_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 * 1024 * 1024,) * 2)
import django
django.setup()
from shegong.core import xlsx_import as x
from tests.core.test_xlsx_import import SPEC
errors = [str(e) for path in sys.argv[1:] for e in x.parse_workbook(SPEC, open(path, "rb").read()).errors]
print(json.dumps({"errors": errors, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def test_memory_stays_bounded_reading_the_far_cell_files(tmp_path):
    """Under a 768 MB address-space cap (the old reader wanted 512 GB and 1.76 GB) the parse refuses both files."""
    paths = []
    for reference in ("XFD1048576", "T1048576"):
        path = tmp_path / f"{reference}.xlsx"
        path.write_bytes(far_cell_file(reference))
        paths.append(str(path))
    environment = {"PYTHONPATH": str(REPO / "src") + ":" + str(REPO), "SHEGONG_ENV": "test"}
    import os

    environment = {**os.environ, **environment, "DJANGO_SETTINGS_MODULE": "shegong.settings"}
    child = subprocess.run(
        [sys.executable, "-c", _BOUNDED_CHILD, *paths],
        capture_output=True,
        cwd=REPO,
        env=environment,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr.decode()[-2000:]
    report = json.loads(child.stdout.decode().strip().splitlines()[-1])
    assert len(report["errors"]) == 2 and all("超出模板范围" in e for e in report["errors"])
    # The old reader wanted 512 GB and 1.76 GB; the child (interpreter, Django and the check) stays far below the
    # cap whatever else the machine is doing — the figure varies by a few tens of MB between runs.
    assert report["peak_kb"] < 640 * 1024


def test_a_reader_crash_costs_the_child_not_the_server():
    """Straight to the sandboxed reader, skipping the inspection: calamine aborts, the caller gets a refusal."""
    with pytest.raises(x.WorkbookRefused) as refused:
        x.read_rows_sandboxed(far_cell_file("XFD1048576"), memory_bytes=512 * 1024 * 1024)
    assert "无法读取文件" in refused.value.message


def test_the_sandboxed_reader_gives_what_calamine_gives():
    import datetime

    book = Workbook()
    book.active.append(["姓名", "日期", "数", "时刻"])
    book.active.append(["甲", datetime.datetime(2024, 3, 1, 8, 30), 1.5, datetime.time(9, 15)])
    rows = x.read_in_sandbox(save(book), SPEC)
    assert rows[1][0] == "甲" and rows[1][1] == datetime.datetime(2024, 3, 1, 8, 30) and rows[1][2] == 1.5
    assert rows[1][3] == datetime.time(9, 15)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(x, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    book.active.append(["甲" * 30000, valid_id(seq=1)])
    for _row in range(40):
        book.active.append(["甲" * 30000, valid_id(seq=1)])
    [error] = x.parse_workbook(SPEC, save(book)).errors
    assert "解压后" in error.message


@pytest.mark.parametrize(
    "content",
    [b"not a spreadsheet", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "zip-without-workbook"],
)
def test_a_file_that_is_not_an_xlsx_is_refused_without_a_row(content):
    if content == "zip-without-workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    [error] = x.parse_workbook(SPEC, content).errors
    assert "xlsx" in error.message and str(error) == error.message
    rejected = x.ImportRejected([error], None)
    assert (
        "第 0 行" not in str(rejected) and str(rejected).startswith("无法读取文件") or "xlsx" in str(rejected)
    )


def test_a_header_only_file_says_it_has_no_data_rows():
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    [error] = x.parse_workbook(SPEC, save(book)).errors
    assert "没有数据行" in error.message


def test_a_header_only_file_through_the_import_page(world, login, client):
    login(world.user_a)
    book = Workbook()
    book.active.append(["姓名", "身份证号"])
    upload = io.BytesIO(save(book))
    upload.name = "workers.xlsx"
    response = client.post(
        "/people/workers/import/", {"file": upload, "region": world.regions["town_a"].code}, follow=True
    )
    text = response.content.decode()
    assert "没有数据行" in text and "已导入 0 条" not in text


def test_a_formula_without_a_computed_value_is_named_as_such():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(['="张"&"三"', valid_id(seq=1)])  # openpyxl saves formulas without a cached value
    sheet.append(["李四", valid_id(seq=2)])
    [error] = x.parse_workbook(SPEC, save(book)).errors
    assert error.cell == "A2"
    assert error.message == "第 2 行「姓名」列是公式，没有计算结果，请在 Excel 中另存为数值"


def test_merged_cells_in_data_rows_are_reported_and_the_marked_copy_is_written():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "开始日期"])
    sheet.append(["王五", "110105194912310021", "2024-01-01"])
    sheet.append(["赵六", valid_id(seq=3), "2024-13-01"])
    sheet.merge_cells("A2:B2")  # B2 (the bad ID number) becomes a read-only MergedCell
    sheet.merge_cells("B3:C3")
    content = save(book)
    result = x.parse_workbook(SPEC, content)
    messages = [e.message for e in result.errors]
    assert any("A2:B2 是合并单元格" in m for m in messages)
    marked = load_workbook(io.BytesIO(x.marked_copy(content, result.errors))).active
    assert marked["A2"].comment is not None and "合并单元格" in marked["A2"].comment.text
    assert marked["B3"].fill.fgColor.rgb.endswith("FFC7CE")


def test_marked_copy_of_an_error_inside_a_merged_range():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    sheet.append(["甲", "bad"])
    sheet.merge_cells("A2:B2")
    error = x.RowError(2, "身份证号", "校验位不对", 1)
    marked = load_workbook(io.BytesIO(x.marked_copy(save(book), [error]))).active
    assert "校验位不对" in marked["A2"].comment.text

"""Roster import: all or nothing, the marked copy, normalisation, idempotent re-import, and the CLI."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from shegong.accounts.actor import Actor
from shegong.core.xlsx_import import ImportRejected
from shegong.recipients.imports import import_roster, roster_spec
from shegong.recipients.models import CategoryMembership, Recipient, VisitRollup
from tests.factories import TOWN_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.recipients.helpers import id_number, system

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "身份证号",
    "联系电话",
    "村（社区）区划代码",
    "居住地址",
    "对象类别",
    "认定日期",
    "认定机关",
    "风险等级",
    "评定理由",
]


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows():
    full_width = id_number().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return [
        [
            "王秀英",
            id_number(),
            "13800138000",
            VILLAGE_A1,
            "金汤街 1 号",
            "最低生活保障、困难老人（独居）",
            "2024-03-01",
            "渝中区民政局",
            "重点",
            "独居高龄",
        ],
        [
            "  李  建国 ",
            full_width,
            " 139 0013 9000 ",
            "５００１０３００１００２",
            "",
            "",
            "",
            "",
            "一般",
            "",
        ],
        ["赵四", id_number().lower().replace("x", "x"), "", VILLAGE_A2, "", "孤儿", "2023/5/6", "", "", ""],
    ]


def test_one_bad_row_changes_nothing_and_returns_the_marked_file(world):
    rows = good_rows()
    bad = rows[0][1][:17] + ("0" if rows[0][1][17] != "0" else "1")
    rows.append(["坏校验位", bad, "", VILLAGE_A1, "", "", "", "", "", ""])
    rows.append(["重复", rows[2][1], "", VILLAGE_A1, "", "", "", "", "", ""])
    rows.append(["外区", id_number(), "", "500103009001", "", "", "", "", "", ""])
    rows.append(["坏日期", id_number(), "", VILLAGE_A1, "", "孤儿", "2024-13-45", "", "", ""])
    rows.append(["数字身份证", 5.00103194503121e17, "", VILLAGE_A1, "", "", "", "", "", ""])
    content = workbook(rows)
    with pytest.raises(ImportRejected) as caught:
        import_roster(actor=system(), content=content, region_code=TOWN_A)
    by_row = {(e.row, e.column) for e in caught.value.errors}
    assert (5, "身份证号") in by_row  # check digit
    assert (6, "身份证号") in by_row  # duplicate of row 4
    assert (7, "村（社区）区划代码") in by_row  # unknown region
    assert (8, "认定日期") in by_row  # bad date
    assert (9, "身份证号") in by_row  # stored as a number by Excel
    assert not any(e.row in (2, 3, 4) for e in caught.value.errors)
    assert "Excel" in next(e.message for e in caught.value.errors if e.row == 9)
    assert Recipient.objects.count() == 0 and CategoryMembership.objects.count() == 0
    marked = load_workbook(io.BytesIO(caught.value.marked)).active
    assert marked["B5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "校验位" in marked["B5"].comment.text
    assert marked.cell(row=5, column=len(HEADER) + 1).value


def test_corrected_file_imports_every_row_once_and_again_adds_nothing(world):
    content = workbook(good_rows())
    first = import_roster(actor=system(), content=content, region_code=TOWN_A)
    assert (first.created, first.existing) == (3, 0)
    li = Recipient.objects.get(name="李 建国")
    assert li.region_code == VILLAGE_A2 and li.phone == "13900139000"
    assert li.station_id == world.station_a.pk
    wang = Recipient.objects.get(name="王秀英")
    assert {m.category.code for m in wang.memberships.all()} == {"dibao", "elderly_solitary"}
    assert wang.frequency == "semimonthly"  # the solitary-elderly rule beats the key tier
    assert wang.next_due_on is not None
    # The two general (quarterly) people count as due only in a quarter's last month.
    expected_due = 1 + (2 if timezone.localdate().month % 3 == 0 else 0)
    assert sum(r.due for r in VisitRollup.objects.all()) == expected_due
    second = import_roster(actor=system(), content=content, region_code=TOWN_A)
    assert (second.created, second.existing) == (0, 3)
    assert Recipient.objects.count() == 3
    assert sum(r.due for r in VisitRollup.objects.all()) == expected_due


def test_a_person_registered_in_another_region_is_refused(world):
    other = workbook([["外地人", id_number(), "", VILLAGE_B1, "", "", "", "", "", ""]])
    import_roster(actor=system(), content=other, region_code="500103002000")
    again = load_workbook(io.BytesIO(other)).active
    again["D2"] = VILLAGE_A1
    buffer = io.BytesIO()
    again.parent.save(buffer)
    with pytest.raises(ImportRejected) as caught:
        import_roster(actor=Actor.for_user(world.user_a), content=buffer.getvalue(), region_code=TOWN_A)
    assert caught.value.errors[0].message == "该身份证号无法在此登记，请联系民政部门核实"


def test_template_has_every_column():
    book = CalamineWorkbook.from_filelike(io.BytesIO(roster_spec().template()))
    header = book.get_sheet_by_index(0).to_python()[0]
    assert [h.rstrip(" *") for h in header] == HEADER


def test_cli_exits_non_zero_and_writes_the_marked_file(world, tmp_path):
    rows = good_rows()
    rows.append(["坏", "123", "", VILLAGE_A1, "", "", "", "", "", ""])
    path = tmp_path / "低保名册.xlsx"
    path.write_bytes(workbook(rows))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("recipients", "import", str(path), "--region", TOWN_A)
    assert (tmp_path / "低保名册.errors.xlsx").exists()
    assert Recipient.objects.count() == 0
    path.write_bytes(workbook(good_rows()))
    out = io.StringIO()
    call_command("recipients", "import", str(path), "--region", TOWN_A, stdout=out)
    assert "imported 3 new" in out.getvalue()

"""Rosters as bureaus send them (issue 12): .xlsx, .xls and GBK .csv of the bureau's shape import with no edit."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from shegong.core import rosters
from shegong.core import xlsx_import as x
from shegong.recipients.imports import import_roster, roster_spec
from shegong.recipients.models import CategoryMembership, Recipient
from tests.factories import DISTRICT, TOWN_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.recipients.helpers import system
from tests.recipients.roster_files import HEADER, WRITERS, as_gbk_csv, as_xlsx, roster_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", list(WRITERS))
def test_the_bureau_roster_imports_every_person_and_again_adds_nothing(world, kind):
    content = WRITERS[kind](roster_rows())
    result = import_roster(actor=system(), content=content, region_code=DISTRICT)
    assert (result.created, result.existing, result.total, result.skipped) == (4, 0, 4, 1)
    assert set(result.ignored) == {"保障人数", "保障金额（元）", "备注"}
    people = {r.name: r for r in Recipient.objects.all()}
    assert set(people) == {"王秀英", "李 建国", "赵四", "钱五"}
    assert people["王秀英"].region_id == VILLAGE_A1
    assert people["李 建国"].region_id == VILLAGE_A2 and people["李 建国"].phone == "13900139000"
    assert people["赵四"].region_id == VILLAGE_B1 and people["赵四"].id_number.endswith("X")
    assert people["钱五"].region_id == VILLAGE_B1 and len(people["钱五"].id_number) == 18
    categories = dict(CategoryMembership.objects.values_list("recipient__name", "category__name"))
    assert categories == {
        "王秀英": "最低生活保障",
        "李 建国": "特困人员（分散供养）",
        "赵四": "特困人员（分散供养）",
        "钱五": "最低生活保障",
    }
    again = import_roster(actor=system(), content=content, region_code=DISTRICT)
    assert (again.created, again.existing) == (0, 4) and Recipient.objects.count() == 4


def test_the_header_is_found_under_the_title_and_mapped_by_the_bureaus_words():
    layout = rosters.layout_of(roster_spec(), as_xlsx(roster_rows()))
    assert layout.header_row == 2 and layout.header == HEADER
    assert dict(zip(HEADER, layout.mapping, strict=True)) == {
        "序号": "",
        "街道": "township",
        "社区": "community",
        "户主姓名": "name",
        "身份证号码": "id_number",
        "保障人数": "",
        "保障金额（元）": "",
        "联系电话": "phone",
        "家庭住址": "address",
        "救助类别": "categories",
        "备注": "",
    }
    assert not layout.own_template


def test_an_unknown_community_is_an_error_on_its_cell_naming_the_closest(world):
    rows = roster_rows()
    rows[0][2] = "金汤社区街"
    rows[1][1], rows[1][2] = "", "社区"  # no township, and a name that is only a suffix
    content = as_xlsx(rows)
    with pytest.raises(x.ImportRejected) as caught:
        import_roster(actor=system(), content=content, region_code=DISTRICT)
    errors = {e.cell: e.message for e in caught.value.errors}
    assert "C3" in errors and "金汤街社区" in errors["C3"]
    assert "C4" in errors and Recipient.objects.count() == 0
    marked = load_workbook(io.BytesIO(caught.value.marked)).active
    assert marked["C3"].fill.fgColor.rgb.endswith("FFC7CE") and marked["L2"].value == "错误说明"


def test_names_outside_the_chosen_area_are_not_found(world):
    with pytest.raises(x.ImportRejected) as caught:
        import_roster(actor=system(), content=as_xlsx(roster_rows()), region_code=TOWN_A)
    assert {e.row for e in caught.value.errors} == {5, 6}  # the two 解放碑 rows
    assert all("解放碑" in e.message for e in caught.value.errors)


def test_an_18_digit_id_excel_stored_as_a_number_says_its_digits_are_lost(world):
    rows = roster_rows()
    rows[0][4] = 5.00103194503121e17
    with pytest.raises(x.ImportRejected) as caught:
        import_roster(actor=system(), content=as_xlsx(rows), region_code=DISTRICT)
    [error] = caught.value.errors
    assert error.cell == "E3" and "存成了数字" in error.message


def test_a_region_adds_its_own_words_for_a_column_and_a_category(world):
    from shegong.core.models import ImportSynonym, SynonymTarget

    rows = roster_rows()
    rows[0][9] = "城乡低保对象"
    content = as_xlsx(rows).replace(b"", b"")
    header = [*HEADER]
    header[3] = "保障对象"
    book = load_workbook(io.BytesIO(content))
    book.active["D2"] = "保障对象"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(x.ImportRejected):
        import_roster(actor=system(), content=buffer.getvalue(), region_code=DISTRICT)
    for target, key, text, value in (
        (SynonymTarget.HEADER, "name", "保障对象", ""),
        (SynonymTarget.VALUE, "categories", "城乡低保对象", "最低生活保障"),
    ):
        ImportSynonym.objects.create(
            region_code=DISTRICT,
            kind="recipients.roster",
            target=target,
            field_key=key,
            text=text,
            value=value,
            created_by=world.user_a,
        )
    result = import_roster(actor=system(), content=buffer.getvalue(), region_code=DISTRICT)
    assert result.created == 4


def test_the_cli_takes_a_mapping_and_prints_the_one_it_used(world, tmp_path, capsys):
    rows = roster_rows()
    path = tmp_path / "花名册.csv"
    content = as_gbk_csv(rows).replace("家庭住址".encode("gbk"), "地址".encode("gbk"))
    path.write_bytes(content)
    call_command(
        "recipients", "import", str(path), "--region", DISTRICT, "--map", "地址=address", "--map", "备注="
    )
    out = capsys.readouterr().out
    assert "地址 → address" in out and "户主姓名 → name" in out and "备注 → (ignored)" in out
    assert "imported 4 new recipient(s)" in out
    assert Recipient.objects.exclude(address="").count() == 2


@pytest.mark.parametrize("kind", ["xls", "csv"])
def test_a_bad_row_in_an_xls_or_csv_comes_back_marked_as_an_xlsx(world, kind):
    rows = roster_rows()
    rows[0][4] = rows[0][4][:17] + ("0" if rows[0][4][17] != "0" else "1")  # a wrong check digit
    content = WRITERS[kind](rows)
    with pytest.raises(x.ImportRejected) as caught:
        import_roster(actor=system(), content=content, region_code=DISTRICT)
    [error] = caught.value.errors
    assert error.cell == "E3" and Recipient.objects.count() == 0
    marked = load_workbook(io.BytesIO(caught.value.marked)).active
    assert marked["A1"].value.startswith("渝中区") and marked["L2"].value == "错误说明"
    assert marked["E3"].fill.fgColor.rgb.endswith("FFC7CE") and "校验" in marked["L3"].value

import io
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from shegong.core.identity import IdentityError, parse_id_number
from shegong.core.xlsx_import import (
    Column,
    ImportSpec,
    date,
    marked_copy,
    normalise_text,
    parse_workbook,
    text,
    wrap,
)

SPEC = ImportSpec(
    "名单",
    [
        Column("name", "姓名", required=True, parse=text(20), example="张三"),
        Column(
            "id_number",
            "身份证号",
            required=True,
            parse=wrap(lambda v: parse_id_number(v).number, IdentityError),
            example="11010519491231002X",
            text_format=True,
        ),
        Column("since", "开始日期", parse=date, example="2024-03-01"),
    ],
)


def workbook(rows):
    book = load_workbook(io.BytesIO(SPEC.template()))
    sheet = book.active
    for offset, row in enumerate(rows, start=3):  # row 2 holds the template's example
        for column, value in enumerate(row, start=1):
            sheet.cell(row=offset, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_example_row_is_not_imported_and_good_rows_parse():
    content = workbook([[" 李四 ", "１１０１０５１９４９１２３１００２ｘ", "2024/5/6"]])
    result = parse_workbook(SPEC, content)
    assert not result.errors
    assert [r.values["name"] for r in result.rows] == ["李四"]
    assert result.rows[0].values["id_number"] == "11010519491231002X"
    assert str(result.rows[0].values["since"]) == "2024-05-06"


def test_bad_cells_are_reported_by_row_and_column_and_marked():
    content = workbook([["王五", "110105194912310021", "2024-13-01"], ["", 1.10105194912310e17, ""]])
    result = parse_workbook(SPEC, content)
    cells = sorted(e.cell for e in result.errors)
    assert cells == ["A4", "B3", "B4", "C3"]
    marked = load_workbook(io.BytesIO(marked_copy(content, result.errors))).active
    assert marked["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert marked["B3"].comment is not None
    assert "校验位" in marked.cell(row=3, column=marked.max_column).value


def test_missing_required_column_is_named():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_workbook(SPEC, buffer.getvalue())
    assert [e.column for e in result.errors] == ["身份证号"]


def test_not_a_workbook():
    result = parse_workbook(SPEC, b"not a spreadsheet")
    assert result.errors and "xlsx" in result.errors[0].message


# normalise_text skips work for the common clean cell; it must give exactly what the full folding gives.
_REFERENCE_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def _reference_normalise(value: str) -> str:
    return _REFERENCE_SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


_CELL_ALPHABET = st.sampled_from(
    list("ab 1９Ｘx张三、（）-\t\n\r\x0b\x0c\u3000\u00a0\u200b\ufeff\u2002\u2028\x85\u00e9\ufb01\u2460")
)


@settings(max_examples=500, deadline=None)
@given(st.text(_CELL_ALPHABET, max_size=12) | st.text(max_size=12))
def test_normalise_text_matches_the_full_folding(value):
    assert normalise_text(value) == _reference_normalise(value)


def test_normalise_text_examples():
    assert normalise_text("  １２３　４５６ ") == "123 456"
    assert normalise_text("张\u200b三") == "张 三"
    assert normalise_text("a\t\tb") == "a b"
    assert normalise_text("clean cell") == "clean cell"
    assert normalise_text(12.0) == 12.0

"""A 低保 roster shaped like the ones a district bureau sends, written as .xlsx, .xls (xlwt) and GBK .csv.

A title row merged across the sheet, the header on row 2 in the bureau's words, street and community names
instead of codes, an old 15-digit ID number stored as a number, full-width digits, a lower-case x, stray spaces,
extra columns (保障人数, 保障金额, 备注) and a 合计 row at the bottom.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from tests.recipients.helpers import id_number

TITLE = "渝中区2026年11月城乡低保及特困对象花名册"
HEADER = [
    "序号",
    "街道",
    "社区",
    "户主姓名",
    "身份证号码",
    "保障人数",
    "保障金额（元）",
    "联系电话",
    "家庭住址",
    "救助类别",
    "备注",
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _id_ending_in_x() -> str:
    while True:
        number = id_number(birth="19520101")
        if number.endswith("X"):
            return number


def roster_rows(old_id: int = 500103450312113) -> list[list]:
    """The people (street, community, name, ID …) and the 合计 row. ``old_id``: a 15-digit first-generation ID
    number, which Excel keeps exactly when stored as a number."""
    lower_x = _id_ending_in_x().lower()
    return [
        [
            1,
            "七星岗街道",
            "金汤街社区",
            "王秀英",
            id_number(),
            2,
            1240.5,
            "13800138000",
            "金汤街1号",
            "城市低保",
            "",
        ],
        [
            2,
            "七星岗",
            "领事巷",
            " 李  建国 ",
            id_number().translate(FULL_WIDTH),
            1,
            620,
            " 139 0013 9000 ",
            "领事巷 3 号",
            "分散供养特困",
            "新增",
        ],
        [3, "解放碑街道", "民族路社区", "赵四", f" {lower_x} ", 1, 620, "", "", "特困供养（分散）", ""],
        [4, " 解放碑 ", "民族路", "钱五", old_id, 1, 620, "02363800000", "", "农村低保", "15 位老证号"],
        ["合计", None, None, None, None, 5, 3100.5, None, None, None, None],
    ]


def as_xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_xls(rows: list[list]) -> bytes:
    import xlwt  # test-only dependency (requirements/test.txt)

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE)
    for column, text in enumerate(HEADER):
        sheet.write(1, column, text)
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(r, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_gbk_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([TITLE])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("gbk")


WRITERS = {"xlsx": as_xlsx, "xls": as_xls, "csv": as_gbk_csv}

"""All-or-nothing spreadsheet imports with a row-by-row report and a marked copy of the file.

A domain describes its sheet as an ``ImportSpec`` (columns with their parsers). ``parse_workbook`` reads the
file with calamine, normalises every cell (full-width digits and letters, stray and ideographic spaces), runs each
column's parser and collects a ``CellError`` per bad cell with its Excel row and column. The domain then adds its
cross-row checks (duplicates in the file, against the registry) and writes every row in one transaction only when
there are no errors; otherwise ``marked_copy`` returns the user's own file with the bad cells filled red, a comment
on each, and an error column at the end of each bad row.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
import marshal
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation

from shegong.core.text import text_problem

log = logging.getLogger(__name__)

MAX_ROWS = 200_000
# A sheet may have a few columns the template does not (序号, 备注, the marked copy's error column).
COLUMN_SLACK = 8
# Zip bombs: the whole archive, uncompressed. A 200,000-row sheet of inline strings is well under this.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 2_000
# The child process that runs calamine: its address-space ceiling and how long it may take.
SANDBOX_MEMORY_BYTES = 3 * 1024 * 1024 * 1024
SANDBOX_TIMEOUT_SECONDS = 300
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class CellError(ValueError):
    """Raised by a column parser: the message says what is wrong with the cell, in the user's language."""


@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number (the header is row 1)
    column: str  # the column's header, or "" for a whole-row problem
    message: str
    column_index: int | None = None  # 0-based, when the column is known

    @property
    def cell(self) -> str:
        if self.column_index is None:
            return f"{self.row}"
        return f"{get_column_letter(self.column_index + 1)}{self.row}"

    def __str__(self) -> str:
        if self.row < 1:  # about the whole file: there is no row to point at
            return self.message
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += _("「%(col)s」列") % {"col": self.column}
        return f"{where}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "cell": self.cell, "message": self.message}


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    parse: Parser | None = None
    help: str = ""
    example: Any = ""
    text_format: bool = False  # format the template column as text (ID numbers, phones, codes)
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the template's drop-down: what the parser accepts, as users write it
    region_code: bool = False  # a 12-digit region code: the template points at (and lists) the 社区代码 sheet
    in_template: bool = (
        True  # False: read from bureaus' rosters (街道 and 社区 names), not offered in the template
    )


def choice_options(choices: Sequence[tuple[Any, Any]], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a ``choice`` parser accepts for a model's ``choices``: every label, and every text value."""
    options: dict[str, Any] = {}
    for value, label in choices:
        options[str(label)] = value
        if isinstance(value, str) and value:
            options[value] = value
    options.update(extra or {})
    return options


def choice_column(
    key: str,
    header: str,
    choices: Sequence[tuple[Any, Any]],
    *,
    extra: dict[str, Any] | None = None,
    **options,
) -> Column:
    """A column of fixed choices from a model's ``choices``: its labels are the template's drop-down (a blank
    value is left out: an empty cell means it), labels and codes both parse."""
    labels = tuple(str(label) for value, label in choices if value not in ("", None))
    return Column(key, header, parse=choice(choice_options(choices, extra)), choices=labels, **options)


@dataclass
class ImportSpec:
    title: str
    columns: list[Column]
    name: str = ""  # what the template is called in messages ("服务对象名册"); the title when blank
    # Groups of columns of which a file must have at least one (a village code, or the community's name).
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def display_name(self) -> str:
        return str(self.name or self.title)

    def template(self, communities: Sequence[tuple[str, str, str]] = ()) -> bytes:
        return template_workbook(self, communities=communities)


# Templates ------------------------------------------------------------------------------------------------------

# The template's drop-downs and input messages cover this many rows (the most one import reads).
TEMPLATE_ROWS = MAX_ROWS + 1
# Excel's limits: an inline list formula, an input message and its title.
_INLINE_LIST_MAX = 255
_PROMPT_MAX = 255
_PROMPT_TITLE_MAX = 32


def _prompt(column: Column, communities_sheet: str) -> str:
    parts = [column.help] if column.help else []
    if column.choices:
        parts.append(_("可选：%(o)s") % {"o": "、".join(column.choices)})
    if column.region_code:
        parts.append(_("各村（社区）的代码见「%(s)s」工作表") % {"s": communities_sheet})
    text_value = "；".join(p.rstrip("。；") for p in parts)
    return text_value if len(text_value) <= _PROMPT_MAX else text_value[: _PROMPT_MAX - 1] + "…"


def _list_formula(workbook: Workbook, column: Column) -> str:
    """The drop-down's source: inline when it fits Excel's limit, else a column of the hidden 下拉选项 sheet."""
    inline = ",".join(column.choices)
    if (
        len(inline) + 2 <= _INLINE_LIST_MAX
        and '"' not in inline
        and not any("," in c for c in column.choices)
    ):
        return f'"{inline}"'
    title = _("下拉选项")
    if title in workbook.sheetnames:
        lists = workbook[title]
        index = lists.max_column + 1
    else:
        lists = workbook.create_sheet(title)
        lists.sheet_state = "hidden"
        index = 1
    for row, choice_text in enumerate(column.choices, start=1):
        lists.cell(row=row, column=index, value=choice_text)
    letter = get_column_letter(index)
    return f"'{title}'!${letter}$1:${letter}${len(column.choices)}"


def template_workbook(spec: ImportSpec, *, communities: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """The downloadable template every import uses: headers (required ones marked *) with a comment, an example
    row, a drop-down on each column of fixed choices and an input message with the column's help, the 填写说明
    sheet, and the 社区代码 sheet listing ``communities`` — (name, township, 12-digit code) of the villages in the
    area the template is downloaded for — which each region-code column's drop-down offers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title[:31]
    communities_title = _("社区代码")
    last = TEMPLATE_ROWS
    for index, column in enumerate((c for c in spec.columns if c.in_template), start=1):
        cell = sheet.cell(row=1, column=index, value=column.header + (" *" if column.required else ""))
        cell.font = Font(bold=True, color="9C0006" if column.required else "000000")
        cell.fill = HEADER_FILL
        if column.help:
            cell.comment = Comment(column.help, "shegong")
        example = sheet.cell(row=2, column=index, value=column.example if column.example != "" else None)
        example.font = Font(italic=True, color="808080")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.text_format:
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
        prompt = _prompt(column, communities_title)
        validation = None
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1=_list_formula(workbook, column),
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=column.header[:_PROMPT_TITLE_MAX],
                error=_("请从下拉列表中选择"),
            )
        elif column.region_code and communities:
            # Codes of townships (or other areas) may be valid too: a code not in the list only warns.
            validation = DataValidation(
                type="list",
                formula1=f"'{communities_title}'!$C$2:$C${len(communities) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=column.header[:_PROMPT_TITLE_MAX],
                error=_("这个代码不在「%(s)s」工作表中，请核对") % {"s": communities_title},
            )
        elif prompt:
            validation = DataValidation(allow_blank=True)
        if validation is not None:
            if prompt:
                validation.showInputMessage = True
                validation.promptTitle = column.header[:_PROMPT_TITLE_MAX]
                validation.prompt = prompt
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("填写说明"), index=1)
    notes.append([_("列"), _("必填"), _("说明")])
    for column in (c for c in spec.columns if c.in_template):
        notes.append(
            [column.header, _("是") if column.required else _("否"), _prompt(column, communities_title)]
        )
    notes.append([])
    notes.append(
        [_("第 2 行是示例，导入前请删除或覆盖。带 * 的列必填。任何一行有错误时，整个文件都不会导入。")]
    )
    notes.column_dimensions["C"].width = 80
    codes = workbook.create_sheet(communities_title, index=2)
    codes.append([_("村（社区）"), _("街道（乡镇）"), _("区划代码")])
    for cell in codes[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for name, township, code in communities:
        codes.append([name, township, code])
        codes.cell(row=codes.max_row, column=3).number_format = "@"
    if not communities:
        codes.append([_("下载模板时所选区划内没有村（社区）")])
    codes.column_dimensions["A"].width = 30
    codes.column_dimensions["B"].width = 24
    codes.column_dimensions["C"].width = 16
    codes.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    column_index: dict[str, int] = field(default_factory=dict)  # key -> 0-based column in the user's file
    header_row: int = 1  # the Excel row of the header (title rows may sit above it)
    header: list[str] = field(default_factory=list)  # the header's cells as written
    mapping: list[str] = field(default_factory=list)  # per header cell: the field key it maps to, or ""
    ignored: list[str] = field(default_factory=list)  # headers of the columns no field reads
    skipped: list[int] = field(default_factory=list)  # rows skipped as totals (合计, 小计) or signatures
    format: str = "xlsx"

    def error(self, row: int, key: str | None, message: str, spec: ImportSpec) -> None:
        header = ""
        index = None
        if key:
            header = next((c.header for c in spec.columns if c.key == key), key)
            index = self.column_index.get(key)
        self.errors.append(RowError(row, header, message, index))


class ImportRejected(Exception):
    """The file has bad rows: nothing was written. Carries the report and the marked copy."""

    @classmethod
    def of(cls, result: ParseResult, content: bytes) -> ImportRejected:
        """For ``result``'s errors, with the marked copy when the file's columns were found."""
        about_rows = any(e.row >= 1 for e in result.errors)
        marked = marked_copy(content, result.errors, header_row=result.header_row) if about_rows else None
        return cls(result.errors, marked)

    def __init__(self, errors: Sequence[RowError], marked: bytes | None):
        self.errors = sorted(
            errors, key=lambda e: (e.row, e.column_index if e.column_index is not None else -1)
        )
        self.marked = marked
        if len(self.errors) == 1 and self.errors[0].row < 1:
            # About the file as a whole (unreadable, too large, no data rows): the message is the headline.
            super().__init__(
                _("%(message)s，未导入任何数据") % {"message": self.errors[0].message.rstrip("。")}
            )
        else:
            super().__init__(_("文件中有 %(n)d 处错误，未导入任何数据") % {"n": len(self.errors)})


class WorkbookRefused(Exception):
    """The file is refused before its rows are read: not an .xlsx, a zip bomb, a far-away cell, a reader crash."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# Sheet inspection -----------------------------------------------------------------------------------------------
#
# calamine sizes its cell grid from the sheet's extent before reading a value: one cell at XFD1048576 makes it
# allocate 512 GB and abort the whole process. The sheet XML is therefore scanned first, streamed from the zip in
# bounded chunks, for its declared dimension and the real extent of its rows and cells.

_CHUNK = 1024 * 1024
_MAX_CARRY = 8 * 1024 * 1024
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*?\sref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"'
)
# Every cell start tag, with its reference when it has one (a cell may leave its position implicit).
_FORMULA = re.compile(rb"<f[\s>/]")
_PREFIXED_FORMULA = re.compile(rb":f[\s>/]")
# A cell whose position is implicit (no r, or not written first): the scan walks that chunk tag by tag.
_BARE_CELL = re.compile(rb'<c(?! r="[A-Z])[\s>/]')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_PREFIXED_ROOT = re.compile(rb"<\w+:worksheet[\s>]")
_CELL_START = re.compile(rb"<(?:\w+:)?c\s[^>]*")
_CELL_REFERENCE = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
# A cached result: <v>…</v> with something in it (openpyxl writes <v /> for a formula it never computed).
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*)>")
_ATTRIBUTE_R = re.compile(rb'\sr="([A-Z]*)([0-9]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*?\s(?:\w+:)?id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


@dataclass
class SheetScan:
    """What the first sheet holds, found without building its grid."""

    max_row: int = 0
    deepest_cell: str = ""
    max_column: int = 0
    widest_cell: str = ""
    formula_cells: set[str] = field(default_factory=set)  # formulas saved without a computed value
    merged: list[str] = field(default_factory=list)  # merged ranges, as "A3:B4"


def _column_number(letters: bytes) -> int:
    return column_index_from_string(letters.decode()) if len(letters) <= 3 else 10**6


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    unreadable = WorkbookRefused(_("文件不是有效的 .xlsx 工作簿，请在 Excel 中另存为 .xlsx 格式后再上传"))
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        raise unreadable
    sheet = _SHEET.search(archive.read("xl/workbook.xml"))
    if sheet is None:
        raise unreadable
    for match in _RELATIONSHIP.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        if attributes.get(b"Id") == sheet.group(1):
            target = attributes.get(b"Target", b"").decode()
            path = target.lstrip("/") if target.startswith("/") else os.path.normpath(f"xl/{target}")
            if path in names:
                return path
    raise unreadable


def _greater_letters(limit: str) -> str:
    """A regex for column letters after ``limit`` (e.g. after "R": S–Z, or any two or three letters)."""
    options = [f"[A-Z]{{{len(limit) + 1},}}"]
    for i, letter in enumerate(limit):
        if letter != "Z":
            options.append(f"{limit[:i]}[{chr(ord(letter) + 1)}-Z][A-Z]{{{len(limit) - i - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _greater_number(limit: int) -> str:
    """A regex for decimal numbers above ``limit`` (written without leading zeros)."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for i, digit in enumerate(digits):
        if digit != "9":
            options.append(f"{digits[:i]}[{int(digit) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return "(?:" + "|".join(options) + ")"


class _SheetScanner:
    """Fed the sheet XML chunk by chunk (each ending on a tag boundary); finds a cell beyond the ceilings and the
    formulas saved without a value. Only cells count: calamine sizes its grid from them, not from empty rows.

    The usual sheet (Excel, WPS, openpyxl: unprefixed tags, every cell's ``r`` written first) is checked with
    three C-speed searches per chunk, about a third of calamine's own reading time; anything else is walked
    tag by tag, counting the positions the file leaves implicit."""

    def __init__(self, max_columns: int, max_rows: int) -> None:
        self.scan = SheetScan()
        self.max_columns, self.max_rows = max_columns, max_rows
        self.row = 0  # the current position, for the tag-by-tag walk
        self.column = 0
        self.exact = False  # set for a sheet whose tags carry a namespace prefix
        self.far = re.compile(
            rb' r="(?:(%s[0-9]+)|([A-Z]{1,3}%s)")'
            % (
                _greater_letters(get_column_letter(max_columns)).encode(),
                _greater_number(max_rows).encode(),
            )
        )

    def _cell(self, column: int, row: int, name: str = "") -> None:
        scan = self.scan
        if column > scan.max_column:
            scan.max_column = column
            scan.widest_cell = name or f"{get_column_letter(min(column, 16384))}{row}"
        if row > scan.max_row:
            scan.max_row = row
            scan.deepest_cell = name or f"{get_column_letter(min(column, 16384))}{row}"

    def feed(self, data: bytes) -> None:
        if self.exact or _BARE_CELL.search(data):
            self._walk(data)
        elif far := self.far.search(data):
            name = (far.group(1) or far.group(2)).decode()
            letters, digits = re.fullmatch(r"([A-Z]+)([0-9]+)", name).groups()
            self._cell(_column_number(letters.encode()), int(digits), name)
        if b"<mergeCell " in data or self.exact:
            self.scan.merged.extend(r.decode() for r in _MERGE.findall(data))
        if _FORMULA.search(data) or (self.exact and _PREFIXED_FORMULA.search(data)):
            self._bare_formulas(data)

    def _walk(self, data: bytes) -> None:
        """The exact, slower path: follow rows and cells in order, counting the implicit positions."""
        for kind, attributes in _TAG.findall(data):
            reference = _ATTRIBUTE_R.search(attributes)
            if kind == b"row":
                self.row = int(reference.group(2)) if reference else self.row + 1
                self.column = 0
                continue
            if reference and reference.group(1):
                self.column = _column_number(reference.group(1))
                self.row = int(reference.group(2))
            else:
                self.column += 1
            self._cell(self.column, self.row)

    def _bare_formulas(self, data: bytes) -> None:
        for match in _FORMULA.finditer(data):
            tag = None
            for opener in (b"<c ", b":c "):
                start = data.rfind(opener, 0, match.start())
                if start >= 0 and (tag is None or start > tag):
                    tag = start
            end = data.find(b"c>", match.end())
            if tag is None or end < 0:
                continue
            if data[tag : tag + 1] != b"<":
                tag = data.rfind(b"<", 0, tag)
            head = _CELL_START.match(data, tag)
            reference = _CELL_REFERENCE.search(head.group(0)) if head else None
            if reference and not _CACHED_VALUE.search(data, match.end(), end):
                self.scan.formula_cells.add(reference.group(1).decode())


def inspect_workbook(content: bytes, *, max_columns: int, max_rows: int) -> SheetScan:
    """Refuse (WorkbookRefused) a file that is not an .xlsx, unpacks too large, or whose first sheet declares or
    holds a cell beyond ``max_columns`` × ``max_rows``; otherwise say what the sheet holds. Memory stays bounded:
    the sheet XML is streamed from the zip a megabyte at a time."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise WorkbookRefused(
            _("无法读取文件：文件已损坏，不是有效的 .xlsx 工作簿（.et 等请在 Excel 或 WPS 中另存为 .xlsx）")
        ) from exc
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookRefused(
            _("文件解压后超过 %(n)d MB，无法导入，请分批导入")
            % {"n": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    names = {m.filename for m in members}
    try:
        path = _first_sheet_path(archive, names)
        scanner = _SheetScanner(max_columns, max_rows)
        carry = b""
        read = 0
        with archive.open(path) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > MAX_UNCOMPRESSED_BYTES:  # the directory lied about the size
                    raise WorkbookRefused(_("文件解压后过大，无法导入，请分批导入"))
                data = carry + chunk
                if read == len(chunk):  # the sheet's head: its root tag and declared dimension come first
                    scanner.exact = bool(_PREFIXED_ROOT.search(data, 0, 4096))
                    if dimension := _DIMENSION.search(data):
                        _check_extent(dimension.group(2) or dimension.group(1), max_columns, max_rows)
                cut = data.rfind(b"row>") + 4  # after a whole row (or a bare <row> tag): no cell is split
                if cut < 4:
                    cut = data.rfind(b"<") if len(data) > _MAX_CARRY else 0
                scanner.feed(data[:cut])
                carry = data[cut:]
                _check_scan(scanner.scan, max_columns, max_rows)
            scanner.feed(carry)
            _check_scan(scanner.scan, max_columns, max_rows)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise WorkbookRefused(_("无法读取文件：文件已损坏或不是有效的 .xlsx 工作簿")) from exc
    return scanner.scan


def _check_extent(reference: bytes, max_columns: int, max_rows: int) -> None:
    letters, digits = re.fullmatch(rb"([A-Z]+)([0-9]+)", reference).groups()
    name = reference.decode()
    _check_scan(SheetScan(int(digits), name, _column_number(letters), name), max_columns, max_rows)


def _check_scan(scan: SheetScan, max_columns: int, max_rows: int) -> None:
    if scan.max_column > max_columns:
        raise WorkbookRefused(
            _(
                "第 %(cell)s 单元格超出模板范围（本模板最多 %(columns)d 列），请删除该单元格所在的列，"
                "或把数据复制到新的工作表后再导入"
            )
            % {"cell": scan.widest_cell, "columns": max_columns}
        )
    if scan.max_row > max_rows:
        raise WorkbookRefused(
            _(
                "第 %(cell)s 单元格超出模板范围（一次最多导入 %(rows)d 行数据），请删除多余的行，"
                "或把数据复制到新的工作表、分批导入"
            )
            % {"cell": scan.deepest_cell, "rows": max_rows - 1}
        )


def inspect_for(spec: ImportSpec, content: bytes) -> SheetScan:
    """``inspect_workbook`` with the ceilings of ``spec``: its columns plus a few, and the row limit."""
    return inspect_workbook(content, max_columns=len(spec.columns) + COLUMN_SLACK, max_rows=MAX_ROWS + 1)


# Reading in a child process ---------------------------------------------------------------------------------------
#
# calamine is native code: an allocation it cannot make aborts the process it runs in. The rows are read in a
# fresh interpreter whose address space is capped, so a reader bug the inspection above does not foresee costs
# that child, never the web server or the task worker. ``-I`` keeps the environment's PYTHON* settings out; the
# child imports only calamine.

_CHILD = """
import io, marshal, resource, sys
import python_calamine
limit = int(sys.argv[1])
hard = resource.getrlimit(resource.RLIMIT_AS)[1]
if hard != resource.RLIM_INFINITY:
    limit = min(limit, hard)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
content = sys.stdin.buffer.read()
try:
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(
        skip_empty_area=False
    )
except MemoryError:
    raise
except Exception as exc:
    sys.stdout.buffer.write(marshal.dumps(("error", f"{type(exc).__name__}: {exc}", None)))
else:
    del content
    # marshal is several times faster than pickle but holds no dates: those travel as ISO text, restored by
    # the parent from the list of their positions.
    plain = (str, float, int, bool, type(None))
    dated = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.__class__ not in plain:
                if hasattr(value, "isoformat"):
                    dated.append((r, c, type(value).__name__, value.isoformat()))
                else:
                    dated.append((r, c, "timedelta", value.total_seconds()))
                row[c] = None
    sys.stdout.buffer.write(marshal.dumps(("rows", rows, dated)))
"""

_FROM_TEXT: dict[str, Callable[[Any], Any]] = {
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
    "timedelta": lambda seconds: datetime.timedelta(seconds=seconds),
}


def read_rows_sandboxed(
    content: bytes, *, memory_bytes: int = SANDBOX_MEMORY_BYTES, timeout: float = SANDBOX_TIMEOUT_SECONDS
) -> list[list[Any]]:
    """The first sheet's rows (calamine's ``to_python``), read in a child process limited to ``memory_bytes``.
    Raises WorkbookRefused when the child fails, runs out of memory or time."""
    environment = {**os.environ, "RUST_BACKTRACE": "0"}
    try:
        child = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, str(memory_bytes)],
            input=content,
            capture_output=True,
            timeout=timeout,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        log.warning("spreadsheet reader timed out after %s s", timeout)
        raise WorkbookRefused(_("读取文件超时，请检查文件或分批导入")) from exc
    if child.returncode != 0 or not child.stdout:
        log.warning(
            "spreadsheet reader failed (exit %s): %s",
            child.returncode,
            child.stderr[-2000:].decode(errors="replace"),
        )
        raise WorkbookRefused(_("无法读取文件：文件过大或格式异常，请在 Excel 中另存为 .xlsx 后再上传"))
    kind, payload, dated = marshal.loads(child.stdout)
    if kind == "error":
        raise WorkbookRefused(_("无法读取文件，请上传 .xlsx、.xls 或 .csv 文件（%(e)s）") % {"e": payload})
    for row, column, type_name, value in dated:
        payload[row][column] = _FROM_TEXT[type_name](value)
    return payload


def read_in_sandbox(content: bytes, spec: ImportSpec) -> list[list[Any]]:
    """Inspect ``content`` against ``spec``'s ceilings, then read its first sheet in a memory-capped child."""
    inspect_for(spec, content)
    return read_rows_sandboxed(content)


_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# Anything _SPACES would change inside an already-trimmed string: a run of two spaces, or any other space-like
# character. Most cells contain none, and skip the substitution.
_ODD_SPACE = re.compile(r"  |[^\S ]|[\u3000\u00a0\u200b\ufeff]")
_is_nfkc = functools.partial(unicodedata.is_normalized, "NFKC")


def normalise_text(value: Any) -> Any:
    """NFKC folds full-width digits and letters; spaces are trimmed and runs collapsed."""
    if not isinstance(value, str):
        return value
    if not (value.isascii() or _is_nfkc(value)):
        value = unicodedata.normalize("NFKC", value)
    text = value.strip()
    # Every character _SPACES matches, other than the plain space, is non-printable: a printable cell with no
    # double space is already clean.
    if (text.isprintable() and "  " not in text) or not _ODD_SPACE.search(text):
        return text
    return _SPACES.sub(" ", text).strip()


def _header_key(text: Any) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text or ""))).rstrip("*").strip()


def _is_blank(values: Sequence[Any]) -> bool:
    for value in values:
        if value is not None and not (value.__class__ is str and not value.strip()):
            return False
    return True


def parse_workbook(
    spec: ImportSpec,
    content: bytes,
    *,
    mapping: Sequence[str] | None = None,
    header_row: int | None = None,
    synonyms: Any = None,
) -> ParseResult:
    """Read ``content`` (.xlsx, .xls or .csv) against ``spec``. The header row is found below any title rows and
    each column mapped to a field by its header (``rosters.guess_mapping``), unless ``mapping`` — per column of
    the header, a field key or "" to ignore it — and ``header_row`` (1-based) say otherwise."""
    from . import rosters  # it builds on this module

    result = ParseResult()
    try:
        table = rosters.read_table(spec, content)
    except WorkbookRefused as exc:
        result.errors.append(RowError(0, "", exc.message))
        return result
    rows, scan = table.rows, table.scan
    result.format = table.format
    if not rows:
        result.errors.append(RowError(0, "", _("文件是空的：第一个工作表没有表头，也没有数据")))
        return result
    names = rosters.header_names(spec, synonyms)
    start = header_row - 1 if header_row else rosters.find_header(rows, names)
    start = min(max(start, 0), len(rows) - 1)
    raw_header = rows[start]
    result.header_row = start + 1
    result.header = ["" if h is None else str(h).strip() for h in raw_header]
    header = [_header_key(h) for h in raw_header]
    if mapping is None:
        wrong = _wrong_template(spec, header, names)
        if wrong is not None:
            message = _("这个文件看起来是「%(name)s」的模板，请到对应的导入页面上传") % {
                "name": wrong.display_name
            }
            result.errors.append(RowError(0, "", message))
            return result
        keys = rosters.guess_mapping(raw_header, names)
    else:
        keys = [*mapping[: len(header)], *[""] * (len(header) - len(mapping))]
    result.mapping = keys
    known = {c.key for c in spec.columns}
    for position, key in enumerate(keys):
        if key in known and key not in result.column_index:
            result.column_index[key] = position
        elif header[position] and header[position].lower() not in rosters.SKIPPED_HEADERS:
            result.ignored.append(result.header[position])
    for column in spec.columns:
        if column.key not in result.column_index and column.required:
            result.errors.append(
                RowError(result.header_row, column.header, _("缺少必填列「%(c)s」") % {"c": column.header})
            )
    headers = {c.key: c.header for c in spec.columns}
    for group in spec.one_of:
        if not any(key in result.column_index for key in group):
            columns = "」或「".join(headers[k] for k in group)
            result.errors.append(RowError(result.header_row, "", _("缺少「%(c)s」列") % {"c": columns}))
    if result.errors:
        return result
    if len(rows) - 1 - start > MAX_ROWS:
        result.errors.append(RowError(result.header_row, "", _("一次最多导入 %(n)d 行") % {"n": MAX_ROWS}))
        return result
    _report_merged(result, spec, scan.merged)
    example = {c.key: normalise_text(str(c.example)) for c in spec.columns if c.example != ""}
    # Per column, once: where it is in the file and how to read it (the loop below runs for every cell).
    plan = [
        (column.key, result.column_index.get(column.key), column.parse, column.required)
        for column in spec.columns
    ]
    required = _("必填")
    bare_formulas = scan.formula_cells
    append = result.rows.append
    first_data = start + 2
    for offset, raw in enumerate(rows[start + 1 :], start=first_data):
        if _is_blank(raw):
            continue
        if offset == first_data and example and _is_template_example(raw, result.column_index, example):
            continue  # the template's own example row, left in by the user
        if offset <= first_data + 1 and rosters.is_counter(raw):
            continue  # a row numbering the columns under the header
        if rosters.is_footer(raw):
            result.skipped.append(offset)
            continue  # 合计, 小计, 制表人
        values: dict[str, Any] = {}
        width = len(raw)
        for key, position, parse, is_required in plan:
            cell = raw[position] if position is not None and position < width else None
            if cell.__class__ is str:
                cell = normalise_text(cell) or None
                if cell is not None and not cell.isprintable():
                    problem = text_problem(cell)
                    if problem:
                        result.error(offset, key, problem, spec)
                        values[key] = None
                        continue
            if cell is None:
                if (
                    bare_formulas
                    and position is not None
                    and f"{get_column_letter(position + 1)}{offset}" in bare_formulas
                ):
                    result.error(offset, key, _formula_message(offset, key, spec), spec)
                elif is_required:
                    result.error(offset, key, required, spec)
                values[key] = None
                continue
            try:
                values[key] = parse(cell) if parse else cell
            except CellError as exc:
                result.error(offset, key, str(exc), spec)
                values[key] = None
        append(ParsedRow(offset, values))
    if not result.rows and not result.errors:
        if bare_formulas:  # rows that read as blank only because their formulas were saved without values
            first = min(bare_formulas, key=lambda c: (int(c.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), len(c), c))
            message = _("文件中没有数据行：%(cell)s 等单元格是公式，没有计算结果，请在 Excel 中另存为数值")
            result.errors.append(RowError(0, "", message % {"cell": first}))
        else:
            message = _("文件中没有数据行：表头下面是空的（或只有模板的示例行）")
            result.errors.append(RowError(0, "", message))
    return result


# A file is another import's template when that import recognises at least this share of its header cells, and
# this share more than the import it was uploaded to.
WRONG_TEMPLATE_MATCH = 0.8
WRONG_TEMPLATE_MARGIN = 0.3


def _header_names(spec: ImportSpec) -> set[str]:
    return {_header_key(name) for column in spec.columns for name in (column.header, *column.aliases)}


def header_match(spec: ImportSpec, header: Sequence[str], names: Any = None) -> float:
    """The share of the file's (normalised, non-empty) header cells that ``spec`` recognises as its columns."""
    cells = [h for h in header if h and h != _header_key(_("错误说明"))]  # the marked copy's own column
    if not cells:
        return 0.0
    names = set(names) if names is not None else _header_names(spec)
    return sum(1 for h in cells if h in names) / len(cells)


def _registered_templates() -> list[ImportSpec]:
    from .importjobs import template_specs  # the registry of every import; it imports this module

    return template_specs()


def _wrong_template(spec: ImportSpec, header: Sequence[str], names: Any = None) -> ImportSpec | None:
    """The registered import whose template ``header`` matches much better than ``spec``'s, if any."""
    own = header_match(spec, header, names)
    if own > 1 - WRONG_TEMPLATE_MARGIN + 1e-9:
        return None  # nothing can beat it by the margin: the registry is not read
    best, best_score = None, 0.0
    for other in _registered_templates():
        if other.display_name == spec.display_name or _header_names(other) == _header_names(spec):
            continue
        score = header_match(other, header)
        if score > best_score:
            best, best_score = other, score
    if (
        best is not None
        and best_score >= WRONG_TEMPLATE_MATCH
        and best_score - own >= WRONG_TEMPLATE_MARGIN - 1e-9
    ):
        return best
    return None


def _report_merged(result: ParseResult, spec: ImportSpec, merged: list[str]) -> None:
    """Merged cells in data rows: only the top-left cell keeps a value, the others read as empty."""
    used = {position: key for key, position in result.column_index.items()}
    for reference in merged:
        (first_col, first_row), (last_col, last_row) = (
            coordinate_from_string(part) for part in reference.split(":")
        )
        if last_row <= result.header_row:
            continue  # a merged title or header is fine
        columns = range(column_index_from_string(first_col) - 1, column_index_from_string(last_col))
        key = next((used[c] for c in columns if c in used), None)
        if key is None:
            continue  # in columns the import does not read
        message = _("%(range)s 是合并单元格，合并后只有左上角的单元格有值，请取消合并并在每个单元格中填写")
        result.error(max(first_row, 2), key, message % {"range": reference}, spec)


def _formula_message(row: int, key: str, spec: ImportSpec) -> str:
    header = next((c.header for c in spec.columns if c.key == key), key)
    return _("第 %(row)d 行「%(column)s」列是公式，没有计算结果，请在 Excel 中另存为数值") % {
        "row": row,
        "column": header,
    }


def _is_template_example(raw: Sequence[Any], column_index: dict[str, int], example: dict[str, str]) -> bool:
    for key, value in example.items():
        position = column_index.get(key)
        if position is None or position >= len(raw):
            return False
        cell = raw[position]
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        if normalise_text(str(cell)) != value:
            return False
    return True


def _as_workbook(content: bytes) -> Workbook:
    """An .xls or .csv upload as an openpyxl workbook of its first sheet's values (the marked copy is an .xlsx)."""
    from . import rosters

    if rosters.format_of(content) == rosters.XLSX:
        return load_workbook(io.BytesIO(content))
    rows = rosters.read_table(ImportSpec("", [Column("", "")] * 200), content).rows
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    return workbook


def marked_copy(content: bytes, errors: Sequence[RowError], *, header_row: int = 1) -> bytes | None:
    """The user's workbook with bad cells filled red and commented, and a last column explaining each bad row
    (its heading on the header row). An .xls or .csv comes back as an .xlsx of its values."""
    try:
        workbook = _as_workbook(content)
    except Exception:  # noqa: BLE001 - a file openpyxl cannot open gets the report alone
        log.info("no marked copy: the file cannot be reopened", exc_info=True)
        return None
    sheet = workbook.worksheets[0]
    # A cell inside a merged range is read-only in openpyxl: its range's top-left cell carries the mark.
    top_left = {}
    for merged in sheet.merged_cells.ranges:
        for row, column in merged.cells:
            top_left[(row, column)] = (merged.min_row, merged.min_col)
    message_column = sheet.max_column + 1
    head = sheet.cell(row=max(header_row, 1), column=message_column, value=_("错误说明"))
    head.font = Font(bold=True, color="9C0006")
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
        if error.column_index is not None and error.row >= 1:
            row, column = top_left.get(
                (error.row, error.column_index + 1), (error.row, error.column_index + 1)
            )
            cell = sheet.cell(row=row, column=column)
            cell.fill = ERROR_FILL
            previous = cell.comment.text + "\n" if cell.comment and cell.comment.author == "shegong" else ""
            cell.comment = Comment(previous + error.message, "shegong")
    for row, row_errors in by_row.items():
        if row < 1:
            continue
        text = "；".join(f"{e.column}：{e.message}" if e.column else e.message for e in row_errors)
        cell = sheet.cell(row=row, column=message_column, value=text)
        cell.font = Font(color="9C0006")
    sheet.column_dimensions[get_column_letter(message_column)].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Column parsers -------------------------------------------------------------------------------------------------


def text(max_length: int = 200) -> Parser:
    def parse(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if len(result) > max_length:
            raise CellError(_("不能超过 %(n)d 个字") % {"n": max_length})
        return result

    return parse


def choice(options: dict[str, str]) -> Parser:
    """``options`` maps what users type (labels and codes) to stored values."""
    folded = {normalise_text(k): v for k, v in options.items()}

    def parse(value: Any) -> str:
        key = normalise_text(str(value))
        if key not in folded:
            shown = "、".join(dict.fromkeys(k for k in options if not k.isascii()) or options)
            raise CellError(_("“%(v)s”不是可选值（可选：%(o)s）") % {"v": key, "o": shown})
        return folded[key]

    return parse


def date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float):
        raise CellError(_("日期格式不正确（%(v)s），请填写如 2024-03-01 的日期") % {"v": value})
    text_value = str(value).strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text_value, pattern).date()
        except ValueError:
            continue
    raise CellError(_("日期“%(v)s”无法识别，请填写如 2024-03-01 的日期") % {"v": text_value})


def decimal(places: int = 2, minimum: Decimal | None = Decimal("0")) -> Parser:
    def parse(value: Any) -> Decimal:
        try:
            number = Decimal(str(value).replace(",", "")).quantize(Decimal(1).scaleb(-places))
        except InvalidOperation as exc:
            raise CellError(_("“%(v)s”不是数字") % {"v": value}) from exc
        if minimum is not None and number < minimum:
            raise CellError(_("不能小于 %(m)s") % {"m": minimum})
        return number

    return parse


def integer(minimum: int | None = 0) -> Parser:
    def parse(value: Any) -> int:
        try:
            number = float(str(value).replace(",", ""))
        except ValueError as exc:
            raise CellError(_("“%(v)s”不是整数") % {"v": value}) from exc
        if not number.is_integer():
            raise CellError(_("“%(v)s”不是整数") % {"v": value})
        if minimum is not None and number < minimum:
            raise CellError(_("不能小于 %(m)s") % {"m": minimum})
        return int(number)

    return parse


def boolean(value: Any) -> bool:
    folded = normalise_text(str(value)).lower()
    if folded in ("是", "y", "yes", "true", "1", "有", "√"):
        return True
    if folded in ("否", "n", "no", "false", "0", "无", "×"):
        return False
    raise CellError(_("请填写“是”或“否”"))


def wrap(func: Callable[[Any], Any], *errors: type[Exception]) -> Parser:
    """Turn a validator that raises ``errors`` (e.g. IdentityError) into a column parser."""

    def parse(value: Any) -> Any:
        try:
            return func(value)
        except errors as exc:
            raise CellError(str(exc)) from exc

    return parse


def duplicates_in_file(result: ParseResult, key: str, spec: ImportSpec, label: str = "") -> None:
    """Flag rows whose ``key`` value repeats an earlier row of the same file."""
    seen: dict[Any, int] = {}
    for row in result.rows:
        value = row.values.get(key)
        if value is None:
            continue
        if value in seen:
            result.error(row.row, key, _("与第 %(r)d 行重复") % {"r": seen[value]}, spec)
        else:
            seen[value] = row.row

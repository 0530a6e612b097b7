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
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

MAX_ROWS = 200_000
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


@dataclass
class ImportSpec:
    title: str
    columns: list[Column]

    def template(self) -> bytes:
        """A blank template: headers (required ones marked *), a comment with help on each, an example row."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.title[:31]
        for index, column in enumerate(self.columns, start=1):
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
        sheet.freeze_panes = "A2"
        notes = workbook.create_sheet(_("填写说明"))
        notes.append([_("列"), _("必填"), _("说明")])
        for column in self.columns:
            notes.append([column.header, _("是") if column.required else _("否"), column.help])
        notes.append([])
        notes.append(
            [_("第 2 行是示例，导入前请删除或覆盖。带 * 的列必填。任何一行有错误时，整个文件都不会导入。")]
        )
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

    def error(self, row: int, key: str | None, message: str, spec: ImportSpec) -> None:
        header = ""
        index = None
        if key:
            header = next((c.header for c in spec.columns if c.key == key), key)
            index = self.column_index.get(key)
        self.errors.append(RowError(row, header, message, index))


class ImportRejected(Exception):
    """The file has bad rows: nothing was written. Carries the report and the marked copy."""

    def __init__(self, errors: Sequence[RowError], marked: bytes | None):
        self.errors = sorted(
            errors, key=lambda e: (e.row, e.column_index if e.column_index is not None else -1)
        )
        self.marked = marked
        super().__init__(_("文件中有 %(n)d 处错误，未导入任何数据") % {"n": len(self.errors)})


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


def parse_workbook(spec: ImportSpec, content: bytes) -> ParseResult:
    result = ParseResult()
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for a file that is not a workbook
        result.errors.append(
            RowError(0, "", _("无法读取文件，请上传 .xlsx 格式的 Excel 文件（%(e)s）") % {"e": exc})
        )
        return result
    if not rows:
        result.errors.append(RowError(1, "", _("文件是空的")))
        return result
    header = [_header_key(h) for h in rows[0]]
    for column in spec.columns:
        names = {_header_key(column.header), *(_header_key(a) for a in column.aliases)}
        position = next((i for i, h in enumerate(header) if h in names), None)
        if position is None:
            if column.required:
                result.errors.append(
                    RowError(1, column.header, _("缺少必填列「%(c)s」") % {"c": column.header})
                )
            continue
        result.column_index[column.key] = position
    if result.errors:
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append(RowError(1, "", _("一次最多导入 %(n)d 行") % {"n": MAX_ROWS}))
        return result
    example = {c.key: normalise_text(str(c.example)) for c in spec.columns if c.example != ""}
    # Per column, once: where it is in the file and how to read it (the loop below runs for every cell).
    plan = [
        (column.key, result.column_index.get(column.key), column.parse, column.required)
        for column in spec.columns
    ]
    required = _("必填")
    append = result.rows.append
    for offset, raw in enumerate(rows[1:], start=2):
        if _is_blank(raw):
            continue
        if offset == 2 and example and _is_template_example(raw, result.column_index, example):
            continue  # the template's own example row, left in by the user
        values: dict[str, Any] = {}
        width = len(raw)
        for key, position, parse, is_required in plan:
            cell = raw[position] if position is not None and position < width else None
            if cell.__class__ is str:
                cell = normalise_text(cell) or None
            if cell is None:
                if is_required:
                    result.error(offset, key, required, spec)
                values[key] = None
                continue
            try:
                values[key] = parse(cell) if parse else cell
            except CellError as exc:
                result.error(offset, key, str(exc), spec)
                values[key] = None
        append(ParsedRow(offset, values))
    return result


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


def marked_copy(content: bytes, errors: Sequence[RowError]) -> bytes | None:
    """The user's workbook with bad cells filled red and commented, and a last column explaining each bad row."""
    try:
        workbook = load_workbook(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - a file openpyxl cannot open gets the report alone
        return None
    sheet = workbook.worksheets[0]
    message_column = sheet.max_column + 1
    head = sheet.cell(row=1, column=message_column, value=_("错误说明"))
    head.font = Font(bold=True, color="9C0006")
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
        if error.column_index is not None and error.row >= 1:
            cell = sheet.cell(row=error.row, column=error.column_index + 1)
            cell.fill = ERROR_FILL
            cell.comment = Comment(error.message, "shegong")
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

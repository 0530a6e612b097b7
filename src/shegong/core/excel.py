"""Excel output: one sheet with a bold header row, returned as a download."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What Excel (or a CSV opened in it) would take as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def export_text(value: str) -> str:
    """A stored string made writable: characters an .xlsx cannot hold (NUL, other control characters, which old
    rows may contain) become U+FFFD, so no stored value can make an export fail."""
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def write_workbook(
    stream: BinaryIO,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    footer: str = "",
    creator: str = "",
    widths: Sequence[int | None] = (),
) -> int:
    """Stream one sheet into ``stream`` with openpyxl's write-only mode (rows are written as they come, never all
    held at once); returns the number of body rows written.

    ``footer`` (who exported and when) goes into a last line after a blank row, the printed page footer and the
    workbook's description; ``creator`` into the workbook's author, so a file found later names its source.
    Column widths come from the headers (or ``widths``): a streamed sheet's widths are fixed before its rows."""
    workbook = Workbook(write_only=True)
    if creator:
        workbook.properties.creator = export_text(creator)
        workbook.properties.lastModifiedBy = export_text(creator)
    if footer:
        workbook.properties.description = export_text(footer)
    sheet = workbook.create_sheet(title[:31])
    for i, header in enumerate(headers):
        width = widths[i] if i < len(widths) and widths[i] else max(10, len(str(header)) * 2 + 4)
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(50, width)
    sheet.freeze_panes = "A2"
    if footer:
        sheet.oddFooter.center.text = export_text(footer).replace("&", "&&")
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    head = []
    for h in headers:
        cell = WriteOnlyCell(sheet, export_text(str(h)))
        cell.font, cell.fill = font, fill
        head.append(cell)
    sheet.append(head)
    count = 0
    append = sheet.append
    for row in rows:
        values = []
        for v in row:
            if v is None:
                v = ""
            elif type(v) is str:
                if not v.isprintable():
                    v = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
                if v.startswith(FORMULA_TRIGGERS):
                    # Text, never a formula: typed as a string (openpyxl would make "=…" a formula) with
                    # quotePrefix, so Excel shows it as typed and keeps it text when someone edits the cell.
                    cell = WriteOnlyCell(sheet, v)
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    v = cell
            values.append(v)
        append(values)
        count += 1
    if footer:
        append([])
        append([export_text(footer)])
    workbook.save(stream)
    return count


def build_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    footer: str = "",
    creator: str = "",
) -> bytes:
    """``write_workbook`` into memory, returning the file's bytes."""
    buffer = io.BytesIO()
    write_workbook(buffer, title, headers, rows, footer=footer, creator=creator)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

"""Excel output: one sheet with a bold header row, returned as a download."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
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


def build_workbook(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    footer: str = "",
    creator: str = "",
) -> bytes:
    """``footer`` (who exported and when) goes into a last line after a blank row, the printed page footer and
    the workbook's description; ``creator`` into the workbook's author, so a file found later names its source."""
    workbook = Workbook(write_only=False)
    if creator:
        workbook.properties.creator = export_text(creator)
        workbook.properties.lastModifiedBy = export_text(creator)
    if footer:
        workbook.properties.description = export_text(footer)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([export_text(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = ["" if v is None else export_text(v) if isinstance(v, str) else v for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                # Text, never a formula: the cell is typed as a string (openpyxl made "=…" a formula) and carries
                # quotePrefix, so Excel shows it as typed and keeps it text when someone edits the cell.
                cell = sheet.cell(row=sheet.max_row, column=i + 1)
                cell.data_type = "s"
                cell.quotePrefix = True
        for i, value in enumerate(values[: len(widths)]):
            widths[i] = min(50, max(widths[i], len(str(value)) + 2))
    if footer:
        sheet.append([])
        sheet.append([export_text(footer)])
        sheet.oddFooter.center.text = export_text(footer).replace("&", "&&")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

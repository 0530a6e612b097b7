"""Excel output: one sheet with a bold header row, streamed as a minimal hand-written .xlsx, or returned as a
download.

The writer emits only the parts a spreadsheet needs (content types, relationships, core and app properties, the
workbook, its styles and one sheet) and writes the sheet row by row into a deflated zip member, so no row is held
once written and no per-cell object is made: openpyxl's write-only mode (about 3,000 rows/s here) was the export's
floor, this writer is not."""

from __future__ import annotations

import datetime
import decimal
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What Excel (or a CSV opened in it) would take as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# Characters an .xlsx (XML 1.0) cannot hold become U+FFFD (as openpyxl's ILLEGAL_CHARACTERS_RE: C0 controls but
# tab, LF and CR; plus the two non-characters XML forbids).
_ILLEGAL = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
_CLEAN = str.maketrans(dict.fromkeys(_ILLEGAL, "\ufffd"))
# Escaping for element text, illegal characters replaced in the same pass; CR as a reference so a parser keeps it.
_ESCAPE = str.maketrans(
    {**dict.fromkeys(_ILLEGAL, "\ufffd"), "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
)
# What needs that escaping: most text needs none, and finding that out is several times cheaper than translating.
_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(c)) for c in _ESCAPE) + "]").search
# Escaping for attribute values (quotes too).
_ESCAPE_ATTR = str.maketrans(
    {
        **dict.fromkeys(_ILLEGAL, "\ufffd"),
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)

# Cell styles (indexes into styles.xml's cellXfs).
_HEADER, _QUOTED, _DATE, _DATETIME, _TIME, _DURATION = 1, 2, 3, 4, 5, 6
_EPOCH = datetime.date(1899, 12, 30)
_EPOCH_DT = datetime.datetime(1899, 12, 30)
_FLUSH_ROWS = 500

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>shegong</Application></Properties>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="4">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="h:mm:ss"/>'
    '<numFmt numFmtId="167" formatCode="[hh]:mm:ss"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def export_text(value: str) -> str:
    """A stored string made writable: characters an .xlsx cannot hold (NUL, other control characters, which old
    rows may contain) become U+FFFD, so no stored value can make an export fail."""
    if not value.isprintable():
        value = value.translate(_CLEAN)
    return value


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(value: str, style: int = 0) -> str:
    if style == 0 and value.startswith(FORMULA_TRIGGERS):
        style = _QUOTED
    s = f' s="{style}"' if style else ""
    if _NEEDS_ESCAPE(value):
        value = value.translate(_ESCAPE)
    return f'<c t="inlineStr"{s}><is><t xml:space="preserve">{value}</t></is></c>'


def _cell(v: object) -> str:
    """Any value but ``str`` (the hot path inlines that): numbers as numbers, dates as Excel serials with a date
    format (as openpyxl wrote them), anything else as its text."""
    if v is None:
        return "<c/>"
    if v is True or v is False:
        return f'<c t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int):
        return f"<c><v>{v}</v></c>"
    if isinstance(v, float):
        return f"<c><v>{v!r}</v></c>" if math.isfinite(v) else _text_cell(str(v))
    if isinstance(v, decimal.Decimal):
        return f"<c><v>{v}</v></c>" if v.is_finite() else _text_cell(str(v))
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = timezone.localtime(v).replace(tzinfo=None)
        serial = (v - _EPOCH_DT) / datetime.timedelta(days=1)
        return f'<c s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(v, datetime.date):
        return f'<c s="{_DATE}"><v>{(v - _EPOCH).days}</v></c>'
    if isinstance(v, datetime.time):
        seconds = v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
        return f'<c s="{_TIME}"><v>{seconds / 86400!r}</v></c>'
    if isinstance(v, datetime.timedelta):
        return f'<c s="{_DURATION}"><v>{v / datetime.timedelta(days=1)!r}</v></c>'
    v = str(v)  # lazy translations and the like
    return _text_cell(v) if v else "<c/>"


def _core(creator: str, description: str) -> str:
    now = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"
    creator = creator.translate(_ESCAPE)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + (f"<dc:creator>{creator}</dc:creator>" if creator else "")
        + (f"<dc:description>{description.translate(_ESCAPE)}</dc:description>" if description else "")
        + (f"<cp:lastModifiedBy>{creator}</cp:lastModifiedBy>" if creator else "")
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{title.translate(_ESCAPE_ATTR)}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of ``[]:*?/\\``, not blank."""
    title = export_text(title)
    for ch in "[]:*?/\\":
        title = title.replace(ch, "_")
    return title[:31].strip("'") or "Sheet1"


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
    """Stream one sheet into ``stream`` (rows are written as they come, never all held at once); returns the number
    of body rows written.

    Text is written as inline strings; text that Excel would take for a formula (``FORMULA_TRIGGERS``) keeps its
    value and gets the quote-prefix style, so it shows and stays as typed. Characters an .xlsx cannot hold become
    U+FFFD. Dates and times are Excel serials with a date format; numbers are numbers.

    ``footer`` (who exported and when) goes into a last line after a blank row, the printed page footer and the
    workbook's description; ``creator`` into the workbook's author, so a file found later names its source.
    Column widths come from the headers (or ``widths``): a streamed sheet's widths are fixed before its rows."""
    footer = export_text(footer) if footer else ""
    creator = export_text(creator) if creator else ""
    cols = []
    for i, header in enumerate(headers):
        width = widths[i] if i < len(widths) and widths[i] else max(10, len(str(header)) * 2 + 4)
        cols.append(f'<col min="{i + 1}" max="{i + 1}" width="{min(50, width)}" customWidth="1"/>')
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("docProps/core.xml", _core(creator, footer))
        book.writestr("docProps/app.xml", _APP)
        book.writestr("xl/workbook.xml", _workbook(_sheet_title(title)))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            count = _write_sheet(sheet, headers, rows, cols, footer)
    return count


def _write_sheet(sheet, headers, rows, cols, footer: str) -> int:
    write = sheet.write
    write(
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{''.join(cols)}</cols>" if cols else "")
            + '<sheetData><row r="1">'
            + "".join(_text_cell(export_text(str(h)), _HEADER) for h in headers)
            + "</row>"
        ).encode()
    )
    escape, needs_escape, triggers, cell = _ESCAPE, _NEEDS_ESCAPE, FORMULA_TRIGGERS, _cell
    out: list[str] = []
    append = out.append
    n = 1
    for row in rows:
        n += 1
        append(f'<row r="{n}">')
        for v in row:
            if type(v) is str:
                if not v:
                    append("<c/>")
                    continue
                text = v.translate(escape) if needs_escape(v) else v
                if v.startswith(triggers):
                    append(f'<c t="inlineStr" s="{_QUOTED}"><is><t xml:space="preserve">{text}</t></is></c>')
                else:
                    append(f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            else:
                append(cell(v))
        append("</row>")
        if n % _FLUSH_ROWS == 0:
            write("".join(out).encode())
            out.clear()
    count = n - 1
    if footer:
        append(f'<row r="{n + 2}">{_text_cell(footer)}</row>')
    append("</sheetData>")
    append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    if footer:
        append(
            f"<headerFooter><oddFooter>&amp;C{footer.replace('&', '&&').translate(_ESCAPE)}</oddFooter></headerFooter>"
        )
    append("</worksheet>")
    write("".join(out).encode())
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

"""Rosters as bureaus send them: which file format, where the header is, and which column is which.

A district bureau's roster is rarely our template: a title row merged across the sheet, its own words for the
columns (户主姓名, 身份证号码, 家庭住址), a 序号 column, a 合计 row at the bottom, and it may be an old ``.xls``
or a CSV saved by another system in GBK. ``read_table`` reads any of the three formats with the same ceilings
(``.xlsx`` and ``.xls`` in the sandboxed child of ``xlsx_import``; CSV in-process, it is plain text),
``find_header`` picks the header row below any title rows, and ``guess_mapping`` maps each column to a field of
the import's ``ImportSpec`` through the column's header, its aliases, the shared ``COLUMN_SYNONYMS`` and the
synonyms a region added (``core.models.ImportSynonym``). The user confirms or corrects the mapping on the import
page (``importpage``); it is remembered per user and sheet shape (``shape_of``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from . import xlsx_import as x

# What bureaus call the columns every registry shares, beside each column's own header and aliases.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "户主姓名", "对象姓名", "申请人", "申请人姓名", "救助对象姓名", "户主", "人员姓名"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号码",
        "证件号码",
        "身份证件号码",
        "户主身份证号码",
        "申请人身份证号码",
    ),
    "phone": ("联系电话", "手机号码", "电话", "手机号", "手机", "联系方式", "电话号码"),
    "address": ("居住地址", "家庭住址", "住址", "现住址", "家庭地址", "户籍地址", "详细地址"),
    "township": ("街道", "乡镇", "镇街", "街镇", "乡镇（街道）", "街道（乡镇）", "所属街道", "街道办事处"),
    "community": (
        "社区",
        "村",
        "村（社区）",
        "社区（村）",
        "村居",
        "村（居）",
        "社区名称",
        "所属社区",
        "村（居）委会",
        "居委会",
        "村（社区）名称",
    ),
    "categories": ("对象类别", "救助类别", "保障类别", "人员类别", "类别"),
}
# Columns no import reads: a row counter.
SKIPPED_HEADERS = frozenset({"序号", "编号", "序", "no", "no.", "行号"})
# A row whose first filled cell starts with one of these is a total or a signature line, not a person.
_FOOTER = re.compile(
    r"^(合计|小计|总计|共计|累计|制表人|制表|填表人|审核人|负责人|单位负责人|填报人|填报单位)"
)
# How many rows from the top may hold titles before the header.
HEADER_SEARCH_ROWS = 15
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]$")
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def header_key(text: Any) -> str:
    """A header cell as matched: NFKC-folded, no spaces, no trailing * (our templates mark required columns)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text if text is not None else ""))).rstrip("*")


def _loose_key(key: str) -> str:
    """A header without its unit or note in brackets at the end: 保障金额(元) → 保障金额."""
    return _BRACKETED.sub("", key) or key


@dataclass(frozen=True)
class Synonyms:
    """Extra header words per field key, and extra value words per field key (category synonyms)."""

    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def header_names(spec: x.ImportSpec, synonyms: Synonyms | None = None) -> dict[str, str]:
    """Every header word that names one of ``spec``'s columns → the column's key. A spec's own header and aliases
    win over a shared synonym (our template's 区划代码 is the region column whatever else says so). The shared
    synonyms of a key apply to a column whose header is one of them (a person's 姓名, not an organisation's 名称)."""
    names: dict[str, str] = {}
    extra = synonyms.headers if synonyms else {}
    for column in spec.columns:
        shared = COLUMN_SYNONYMS.get(column.key, ())
        if header_key(column.header) not in {header_key(w) for w in shared}:
            shared = ()
        for word in (*extra.get(column.key, ()), *shared):
            names.setdefault(header_key(word), column.key)
    for column in spec.columns:
        for word in (column.header, *column.aliases):
            names[header_key(word)] = column.key
    return names


# Reading any format -----------------------------------------------------------------------------------------------

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".csv")


def format_of(content: bytes) -> str:
    """By the bytes, not the name: an .xls renamed .xlsx (or the reverse) is common."""
    if content[:4] == b"PK\x03\x04":
        return XLSX
    if content[:8] == _OLE_MAGIC:
        return XLS
    return CSV


@dataclass
class Table:
    rows: list[list[Any]]
    format: str
    scan: x.SheetScan = field(default_factory=x.SheetScan)


def read_table(spec: x.ImportSpec, content: bytes) -> Table:
    """The first sheet's rows, within ``spec``'s ceilings (its columns plus a few, ``MAX_ROWS`` data rows plus
    the title rows). Raises ``WorkbookRefused``."""
    kind = format_of(content)
    max_columns = len(spec.columns) + x.COLUMN_SLACK
    max_rows = x.MAX_ROWS + HEADER_SEARCH_ROWS
    if kind == XLSX:
        scan = x.inspect_workbook(content, max_columns=max_columns, max_rows=max_rows)
        return Table(x.read_rows_sandboxed(content), kind, scan)
    if kind == XLS:
        # An .xls holds at most 65,536 rows × 256 columns: calamine's grid for it is bounded by the format; it
        # still runs in the memory-capped child.
        rows = x.read_rows_sandboxed(content)
    else:
        rows = _read_csv(content, max_rows)
    _check_bounds(rows, max_columns, max_rows)
    return Table(rows, kind)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError as exc:
        raise x.WorkbookRefused(
            _("无法读取文件：不是 .xlsx、.xls，也不是 UTF-8 或 GBK 编码的 .csv 文件")
        ) from exc


def _read_csv(content: bytes, max_rows: int) -> list[list[Any]]:
    if b"\x00" in content[:4096]:
        raise x.WorkbookRefused(_("无法读取文件：请上传 .xlsx、.xls 或 .csv（逗号分隔）格式的文件"))
    text = _decode(content)
    sample = text[:8192]
    if not any(d in sample for d in ",\t;"):
        raise x.WorkbookRefused(_("无法读取文件：请上传 .xlsx、.xls 或 .csv（逗号分隔）格式的文件"))
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append([cell if cell != "" else None for cell in row])
            if len(rows) > max_rows:
                break
    except csv.Error as exc:
        raise x.WorkbookRefused(_("无法读取 .csv 文件：%(e)s") % {"e": exc}) from exc
    return rows


def _check_bounds(rows: list[list[Any]], max_columns: int, max_rows: int) -> None:
    if len(rows) > max_rows:
        raise x.WorkbookRefused(_("一次最多导入 %(n)d 行数据，请分批导入") % {"n": x.MAX_ROWS})
    for number, row in enumerate(rows, start=1):
        width = len(row)
        while width and (row[width - 1] is None or row[width - 1] == ""):
            width -= 1
        if width > max_columns:
            raise x.WorkbookRefused(
                _("第 %(row)d 行有 %(n)d 列，超出模板范围（本模板最多 %(columns)d 列），请删除多余的列")
                % {"row": number, "n": width, "columns": max_columns}
            )


# The header and the mapping ---------------------------------------------------------------------------------------


def _filled(row: Sequence[Any]) -> list[Any]:
    return [c for c in row if c is not None and not (isinstance(c, str) and not c.strip())]


def find_header(rows: Sequence[Sequence[Any]], names: dict[str, str]) -> int:
    """The 0-based index of the header row: among the first rows, the one naming most of the import's columns
    (a title row has one filled cell, merged or not). The first filled row when none names any."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {header_key(c) for c in row if c is not None}
        score = sum(1 for k in keys if k in names or _loose_key(k) in names)
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return next((i for i, row in enumerate(rows) if _filled(row)), 0)


def guess_mapping(header: Sequence[Any], names: dict[str, str]) -> list[str]:
    """Per column of the header, the key of the field it maps to, or "" (ignored). A field is mapped once: the
    first column naming it wins."""
    mapping: list[str] = []
    taken: set[str] = set()
    for cell in header:
        key = header_key(cell)
        field_key = names.get(key) or names.get(_loose_key(key)) or ""
        if key.lower() in SKIPPED_HEADERS or field_key in taken:
            field_key = ""
        if field_key:
            taken.add(field_key)
        mapping.append(field_key)
    return mapping


def shape_of(header: Iterable[Any]) -> str:
    """A sheet's shape, for remembering its mapping: the hash of its normalised header cells."""
    cells = [header_key(c) for c in header]
    while cells and not cells[-1]:
        cells.pop()
    return hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:32]


def apply_overrides(
    mapping: list[str], header: Sequence[Any], overrides: dict[str, str], spec: x.ImportSpec
) -> list[str]:
    """``overrides`` maps header text (as in ``--map '户主姓名=name'``) to a field key or "" (ignore). Raises
    ValueError naming an unknown header or field."""
    keys = {c.key for c in spec.columns}
    result = list(mapping)
    by_header = {header_key(h): i for i, h in reversed(list(enumerate(header)))}
    for text, key in overrides.items():
        index = by_header.get(header_key(text))
        if index is None:
            raise ValueError(_("文件的表头中没有「%(h)s」列") % {"h": text})
        if key and key not in keys:
            raise ValueError(
                _("「%(k)s」不是可导入的字段（可选：%(o)s）") % {"k": key, "o": ", ".join(sorted(keys))}
            )
        if key:
            result = ["" if k == key else k for k in result]
        result[index] = key
    return result


def is_footer(row: Sequence[Any]) -> bool:
    """A 合计 / 小计 row, or a 制表人 / 审核人 line under the table."""
    filled = _filled(row)
    if not filled or len(filled) > max(4, len(row) // 2):
        return False
    first = next((c for c in filled if isinstance(c, str) and c.strip()), None)
    return first is not None and bool(_FOOTER.match(header_key(first)))


def is_counter(row: Sequence[Any]) -> bool:
    """A row under the header numbering its columns (1, 2, 3 … or （一）（二）…): skipped."""
    filled = _filled(row)
    if len(filled) < 3:
        return False
    numbers = []
    for cell in filled:
        if isinstance(cell, int | float) and float(cell).is_integer():
            numbers.append(int(cell))
        elif isinstance(cell, str) and header_key(cell).isdigit():
            numbers.append(int(header_key(cell)))
        else:
            return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """``['户主姓名=name', '备注=']`` → ``{'户主姓名': 'name', '备注': ''}``; raises ValueError on a bad one."""
    result = {}
    for option in options:
        header, sep, key = option.partition("=")
        if not sep or not header.strip():
            raise ValueError(f"--map {option!r}: expected HEADER=FIELD (FIELD empty to ignore the column)")
        result[header.strip()] = key.strip()
    return result


# What a region added, and what a user confirmed -------------------------------------------------------------------


def synonyms_for(kind: str, region_code: str) -> Synonyms:
    """The synonyms the bureaus of ``region_code`` and of every region above it added for import ``kind``."""
    from .models import ImportSynonym, SynonymTarget
    from .regioncodes import ancestors_of
    from .scoping import across_regions

    codes = [*ancestors_of(region_code), region_code]
    headers: dict[str, list[str]] = {}
    values: dict[str, dict[str, str]] = {}
    with across_regions("a bureau's roster words apply to imports in every region below it"):
        rows = list(
            ImportSynonym.objects.filter(region_code__in=codes, kind__in=(kind, "")).values_list(
                "target", "field_key", "text", "value"
            )
        )
    for target, key, text, value in rows:
        if target == SynonymTarget.HEADER:
            headers.setdefault(key, []).append(text)
        else:
            values.setdefault(key, {})[text] = value
    return Synonyms({k: tuple(v) for k, v in headers.items()}, values)


def remembered_mapping(user, kind: str, header: Sequence[Any]) -> list[str] | None:
    """What ``user`` confirmed last time for a sheet of this header's shape, if anything."""
    from .models import ImportMapping

    if user is None or not getattr(user, "pk", None):
        return None
    found = ImportMapping.objects.filter(user=user, kind=kind, shape=shape_of(header)).first()
    return list(found.mapping) if found else None


def remember_mapping(user, kind: str, header: Sequence[Any], mapping: Sequence[str]) -> None:
    from .models import ImportMapping

    ImportMapping.objects.update_or_create(
        user=user,
        kind=kind,
        shape=shape_of(header),
        defaults={"header": [str(h or "") for h in header], "mapping": list(mapping)},
    )


# The mapping step -------------------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where a file's header is and what each of its columns maps to, as the mapping step shows it."""

    header_row: int  # the Excel row (1-based)
    header: list[str]
    mapping: list[str]  # per header cell: a field key or ""
    remembered: bool = False  # the user's confirmed mapping for this shape, not a guess
    own_template: bool = False  # the import's own template: nothing to confirm
    other_template: bool = False  # another import's template: the import refuses it, nothing to confirm
    rows: list[list[Any]] = field(default_factory=list, repr=False)  # the whole sheet, for the preview


def layout_of(
    spec: x.ImportSpec,
    content: bytes,
    *,
    synonyms: Synonyms | None = None,
    user=None,
    kind: str = "",
    header_row: int | None = None,
) -> Layout | None:
    """The header row and the mapping: the user's remembered one for this sheet shape, else a guess. None when
    the file cannot be read (the import itself then reports why)."""
    try:
        rows = read_table(spec, content).rows
    except x.WorkbookRefused:
        return None
    if not rows:
        return None
    names = header_names(spec, synonyms)
    index = header_row - 1 if header_row else find_header(rows, names)
    index = min(max(index, 0), len(rows) - 1)
    header = ["" if h is None else str(h).strip() for h in rows[index]]
    while header and not header[-1]:
        header.pop()
    remembered = remembered_mapping(user, kind, header) if kind else None
    mapping = guess_mapping(header, names)
    if remembered is not None and len(remembered) == len(header):
        mapping = remembered
    own = {header_key(w) for c in spec.columns for w in (c.header, *c.aliases)}
    own_template = (
        index == 0
        and all(header_key(h) in own for h in header if header_key(h))
        and not missing_fields(spec, mapping)
    )
    other = x._wrong_template(spec, [header_key(h) for h in header], names) is not None
    return Layout(index + 1, header, mapping, remembered is not None, own_template, other, rows)


def header_at(spec: x.ImportSpec, content: bytes, header_row: int) -> list[str]:
    layout = layout_of(spec, content, header_row=header_row)
    return layout.header if layout else []


def missing_fields(spec: x.ImportSpec, mapping: Sequence[str]) -> str:
    """What the mapping lacks, as a message: a required field, or every one of a group (``spec.one_of``)."""
    mapped = set(mapping)
    problems = [
        _("「%(c)s」没有对应的列") % {"c": c.header}
        for c in spec.columns
        if c.required and c.key not in mapped
    ]
    headers = {c.key: c.header for c in spec.columns}
    for group in spec.one_of:
        if not mapped & set(group):
            problems.append(
                _("须有「%(c)s」中的一列") % {"c": "」或「".join(headers.get(k, k) for k in group)}
            )
    duplicated = sorted({k for k in mapping if k and list(mapping).count(k) > 1})
    problems += [_("「%(c)s」对应了多列") % {"c": headers.get(k, k)} for k in duplicated]
    return "；".join(problems)


def shown(value: Any, column: x.Column) -> str:
    """A parsed value as the preview shows it: what will be stored."""
    display = getattr(column.parse, "display", None)
    if display is not None:
        return display(value)
    if value is None:
        return ""
    if hasattr(value, "number"):  # a ResidentId
        return value.number
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass
class PreviewCell:
    text: str
    error: str = ""


def preview(
    spec: x.ImportSpec, layout: Layout, mapping: Sequence[str], limit: int = 5
) -> list[list[PreviewCell]]:
    """The first ``limit`` data rows as they will be stored, one cell per mapped field (in the spec's order):
    normalised and parsed, or the error the import will report."""
    positions = {key: i for i, key in reversed(list(enumerate(mapping))) if key}
    columns = [c for c in spec.columns if c.key in positions]
    result: list[list[PreviewCell]] = []
    for raw in layout.rows[layout.header_row :]:
        if len(result) >= limit:
            break
        if not _filled(raw) or is_footer(raw) or (not result and is_counter(raw)):
            continue
        cells = []
        for column in columns:
            position = positions[column.key]
            cell = raw[position] if position < len(raw) else None
            if isinstance(cell, str):
                cell = x.normalise_text(cell) or None
            if cell is None:
                cells.append(PreviewCell("", _("必填") if column.required else ""))
                continue
            try:
                cells.append(PreviewCell(shown(column.parse(cell) if column.parse else cell, column)))
            except x.CellError as exc:
                cells.append(PreviewCell(str(cell), str(exc)))
        result.append(cells)
    return result


def preview_columns(spec: x.ImportSpec, mapping: Sequence[str]) -> list[x.Column]:
    mapped = set(mapping)
    return [c for c in spec.columns if c.key in mapped]


def describe(layout_header: Sequence[str], mapping: Sequence[str], spec: x.ImportSpec) -> str:
    """The mapping in one line, for the command line: 户主姓名 → name(姓名), 序号 → (ignored)."""
    headers = {c.key: c.header for c in spec.columns}
    parts = []
    for text, key in zip(layout_header, mapping, strict=False):
        if not text:
            continue
        parts.append(f"{text} → {key}({headers[key]})" if key else f"{text} → (ignored)")
    return ", ".join(parts)

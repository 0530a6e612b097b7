"""Load region trees from CSV, all or nothing.

Two layouts are accepted:
* ``code,name,parent_code`` at any level (the official layout);
* the per-level files ``provinces.csv``, ``cities.csv``, ``areas.csv``, ``streets.csv``, ``villages.csv`` with
  ``code,name`` and the parent columns ``provinceCode``, ``cityCode``, ``areaCode``, ``streetCode``.

Every row of every file is checked first; if any row is bad nothing is written and every bad row is reported with
its file and line number. A reload updates names and never duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core.regioncodes import Level, RegionCodeError, in_subtree, level_of, normalise, parent_code_of

from .models import Region

PER_LEVEL_FILES = {
    "provinces": Level.PROVINCE,
    "cities": Level.CITY,
    "areas": Level.COUNTY,
    "streets": Level.TOWNSHIP,
    "villages": Level.VILLAGE,
}
# The most specific parent column first.
PARENT_COLUMNS = ["streetCode", "areaCode", "cityCode", "provinceCode"]


@dataclass
class RowError:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class ParsedRow:
    code: str
    name: str
    parent_code: str | None
    source: str
    line: int


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RegionLoadError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegionLoadError([RowError(path.name, 0, _("文件编码无法识别（应为 UTF-8 或 GB18030）"))])


def parse_file(path: Path, errors: list[RowError]) -> list[ParsedRow]:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    source = path.name
    expected_level = PER_LEVEL_FILES.get(path.stem)
    if "code" not in header or "name" not in header:
        errors.append(RowError(source, 1, _("表头必须包含 code 和 name 列")))
        return []
    parent_columns = [c for c in PARENT_COLUMNS if c in header]
    has_official_parent = "parent_code" in header
    rows: list[ParsedRow] = []
    for line, record in enumerate(reader, start=2):
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue
        try:
            code = normalise(record.get("code"))
        except RegionCodeError as exc:
            errors.append(RowError(source, line, _("code 列：%(msg)s") % {"msg": exc}))
            continue
        name = (record.get("name") or "").strip()
        if not name:
            errors.append(RowError(source, line, _("name 列为空")))
            continue
        level = level_of(code)
        if expected_level is not None and level != expected_level:
            errors.append(
                RowError(
                    source,
                    line,
                    _("区划代码 %(code)s 是%(actual)s，但文件 %(file)s 只应包含%(expected)s")
                    % {"code": code, "actual": level.label, "file": source, "expected": expected_level.label},
                )
            )
            continue
        parent_raw = None
        if has_official_parent:
            parent_raw = (record.get("parent_code") or "").strip() or None
        else:
            for column in parent_columns:
                if (record.get(column) or "").strip():
                    parent_raw = record[column].strip()
                    break
        parent_code = None
        if parent_raw is not None and parent_raw not in ("0", "000000000000"):
            try:
                parent_code = normalise(parent_raw)
            except RegionCodeError as exc:
                errors.append(RowError(source, line, _("上级区划代码：%(msg)s") % {"msg": exc}))
                continue
        if level != Level.PROVINCE and parent_code is None:
            errors.append(RowError(source, line, _("区划代码 %(code)s 缺少上级区划代码") % {"code": code}))
            continue
        if level == Level.PROVINCE and parent_code is not None:
            errors.append(RowError(source, line, _("省级区划 %(code)s 不应有上级区划") % {"code": code}))
            continue
        if parent_code is not None:
            if level_of(parent_code) != Level(level - 1):
                errors.append(
                    RowError(
                        source,
                        line,
                        _(
                            "级别不符：%(code)s 是%(level)s，其上级 %(parent)s 应为%(expected)s，实际为%(actual)s"
                        )
                        % {
                            "code": code,
                            "level": level.label,
                            "parent": parent_code,
                            "expected": Level(level - 1).label,
                            "actual": level_of(parent_code).label,
                        },
                    )
                )
                continue
            if parent_code_of(code) != parent_code:
                errors.append(
                    RowError(
                        source,
                        line,
                        _("区划代码 %(code)s 不属于上级区划 %(parent)s")
                        % {"code": code, "parent": parent_code},
                    )
                )
                continue
        rows.append(ParsedRow(code, name[:100], parent_code, source, line))
    return rows


def order_paths(paths: list[Path]) -> list[Path]:
    """Per-level files load from the top level down; other files keep their order after them."""
    rank = {stem: int(level) for stem, level in PER_LEVEL_FILES.items()}
    return sorted(paths, key=lambda p: rank.get(p.stem, 99))


def load_regions(paths: list[Path], *, under: str | None = None, dry_run: bool = False) -> LoadResult:
    """Validate every row of every file, then write all of them in one transaction, or none.

    Run by `shegong regions load`, which acts as the system (unscoped): a load sees every region.
    """
    errors: list[RowError] = []
    under_code = None
    if under:
        try:
            under_code = normalise(under)
        except RegionCodeError as exc:
            raise RegionLoadError([RowError("--under", 0, str(exc))]) from exc
    parsed: dict[str, ParsedRow] = {}
    for path in order_paths(paths):
        if not path.exists():
            errors.append(RowError(str(path), 0, _("文件不存在")))
            continue
        for row in parse_file(path, errors):
            if under_code and not in_subtree(row.code, under_code):
                continue
            previous = parsed.get(row.code)
            if previous and previous.name != row.name:
                errors.append(
                    RowError(
                        row.source,
                        row.line,
                        _("区划代码 %(code)s 重复：与 %(src)s 第 %(line)d 行的名称不同")
                        % {"code": row.code, "src": previous.source, "line": previous.line},
                    )
                )
                continue
            parsed[row.code] = row

    existing = {code: name for code, name in Region.objects.values_list("code", "name")}
    known = set(existing) | set(parsed)
    for row in parsed.values():
        if row.parent_code and row.parent_code not in known:
            if under_code and not in_subtree(row.parent_code, under_code) and row.parent_code not in existing:
                message = _("上级区划 %(parent)s 不在 --under 子树内，且尚未载入") % {
                    "parent": row.parent_code
                }
            else:
                message = _("上级区划 %(parent)s 不存在") % {"parent": row.parent_code}
            errors.append(RowError(row.source, row.line, message))
    if errors:
        errors.sort(key=lambda e: (e.source, e.line))
        raise RegionLoadError(errors)

    result = LoadResult()
    to_write = []
    for row in sorted(parsed.values(), key=lambda r: (level_of(r.code), r.code)):
        if row.code not in existing:
            result.created += 1
        elif existing[row.code] != row.name:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        to_write.append(
            Region(code=row.code, name=row.name, level=int(level_of(row.code)), parent_id=row.parent_code)
        )
    if dry_run or not to_write:
        return result
    with transaction.atomic():
        Region.objects.bulk_create(
            to_write,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
    return result

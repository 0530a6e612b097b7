"""Load region trees from CSV, all or nothing, streaming.

Two layouts are accepted:
* ``code,name,parent_code`` at any level (the official layout);
* the per-level files ``provinces.csv``, ``cities.csv``, ``areas.csv``, ``streets.csv``, ``villages.csv`` with
  ``code,name`` and the parent columns ``provinceCode``, ``cityCode``, ``areaCode``, ``streetCode``.

Every row of every file is checked; if any row is bad nothing is written and every bad row is reported with its
file and line number. A reload updates names and never duplicates.

Files are read row by row and written in batches inside one transaction, which is rolled back if any row is bad,
so the villages file of the whole country (about 620,000 rows) goes through in bounded memory: what is kept for
the whole load is the codes down to township level (for the parent checks), one bit per village code (for the
duplicate check) and the few rows whose parent had not been read yet.

The shapes of the national data that do not follow "one level, one parent a level up" are recognised, and only
these:
* a prefecture-level city without counties (东莞 4419, 中山 4420, 儋州 4604, 嘉峪关 6202). The popular per-level
  files give it a county-level row carrying the city's own code (``441900,东莞市,4419,44`` in ``areas.csv``): a
  row whose code is a city's and whose parent is that same code is this *placeholder*; it is not stored, and it
  marks the city as having no counties. In the ``code,name,parent_code`` layout the same row is
  ``441900000000,东莞市,441900000000``. The city's townships are stored with the city as their parent, whether
  they name the city (``441900003,东城街道,441900``: county digits ``00``) or, as 嘉峪关's do
  (``620201001,雄关街道,620201``), a county code that is in no file and not in the database, under a city marked
  as having no counties. A city with a county of its own cannot also have a placeholder or townships directly
  under it.
* a county without townships listed in the township file (金门县): ``350527000000,金门县,350527`` in
  ``streets.csv`` — a county-level code whose parent is that same code. It is stored as a county under its city.
  The same row in the ``code,name,parent_code`` layout is ``350527000000,金门县,350527000000``.

``--under CODE`` reads only the rows of that subtree: a row whose code (or, if it has no code, whose parent code)
lies outside is skipped before it is checked, so a malformed row elsewhere in the country does not fail the load.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core.regioncodes import (
    CODE_LENGTH,
    Level,
    RegionCodeError,
    in_subtree,
    level_of,
    normalise,
    parent_code_of,
    subtree_prefix,
)

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
BATCH_SIZE = 2000
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789", "\u3000 ")


@dataclass
class RowError:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(slots=True)
class ParsedRow:
    code: str
    name: str
    parent_code: str | None
    source: str
    line: int
    # A county-level row carrying a city's own code: the city has no counties. Not stored.
    placeholder: bool = False
    # A township whose parent is a city (the city has no counties).
    under_city: bool = False


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


def _encoding_of(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, checked chunk by chunk without holding the file."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 16):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RegionLoadError([RowError(path.name, 0, _("文件编码无法识别（应为 UTF-8 或 GB18030）"))])


def _digits(raw: str | None) -> str:
    return (raw or "").translate(_FULL_WIDTH).strip()


def parse_file(path: Path, errors: list[RowError], *, under: str | None = None) -> Iterator[ParsedRow]:
    """Yield the good rows of one file, one at a time; append an error for each bad row.

    With ``under`` (a 12-digit code) only the rows of that subtree are read; the others are skipped unchecked.
    """
    encoding = _encoding_of(path)
    source = path.name
    expected_level = PER_LEVEL_FILES.get(path.stem)
    under_prefix = subtree_prefix(under) if under else None
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        if "code" not in header or "name" not in header:
            errors.append(RowError(source, 1, _("表头必须包含 code 和 name 列")))
            return
        parent_columns = [c for c in PARENT_COLUMNS if c in header]
        has_official_parent = "parent_code" in header
        for line, record in enumerate(reader, start=2):
            if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
                continue
            parent_raw = None
            if has_official_parent:
                parent_raw = (record.get("parent_code") or "").strip() or None
            else:
                for column in parent_columns:
                    if (record.get(column) or "").strip():
                        parent_raw = record[column].strip()
                        break
            if under_prefix:
                placed = _digits(record.get("code")) or _digits(parent_raw)
                if placed and not placed.ljust(CODE_LENGTH, "0").startswith(under_prefix):
                    continue
            row = _parse_row(record, parent_raw, source, line, expected_level, errors)
            if row is not None and (under is None or in_subtree(row.code, under)):
                yield row


def _parse_row(
    record: dict, parent_raw: str | None, source: str, line: int, expected_level: Level | None, errors
) -> ParsedRow | None:
    def bad(message: str) -> None:
        errors.append(RowError(source, line, message))

    try:
        code = normalise(record.get("code"))
    except RegionCodeError as exc:
        return bad(_("code 列：%(msg)s") % {"msg": exc})
    name = (record.get("name") or "").strip()
    if not name:
        return bad(_("name 列为空"))
    level = level_of(code)
    parent_code = None
    if parent_raw is not None and parent_raw not in ("0", "000000000000"):
        try:
            parent_code = normalise(parent_raw)
        except RegionCodeError as exc:
            return bad(_("上级区划代码：%(msg)s") % {"msg": exc})
    if parent_code == code and level == Level.CITY and expected_level in (None, Level.COUNTY):
        # 东莞-shaped placeholder: the county row of a city without counties.
        return ParsedRow(code, name[:100], None, source, line, placeholder=True)
    if parent_code == code and level == Level.COUNTY and expected_level in (None, Level.TOWNSHIP):
        # 金门-shaped: a county without townships, listed as its own township.
        parent_code = parent_code_of(code)
    elif expected_level is not None and level != expected_level:
        return bad(
            _("区划代码 %(code)s 是%(actual)s，但文件 %(file)s 只应包含%(expected)s")
            % {"code": code, "actual": level.label, "file": source, "expected": expected_level.label}
        )
    if level != Level.PROVINCE and parent_code is None:
        return bad(_("区划代码 %(code)s 缺少上级区划代码") % {"code": code})
    if level == Level.PROVINCE and parent_code is not None:
        return bad(_("省级区划 %(code)s 不应有上级区划") % {"code": code})
    under_city = False
    if parent_code is not None:
        parent_level = level_of(parent_code)
        # A township hangs directly off a city without counties: its county digits are 00.
        under_city = (
            level == Level.TOWNSHIP and parent_level == Level.CITY and parent_code_of(code) == parent_code
        )
        if parent_level != Level(level - 1) and not under_city:
            return bad(
                _("级别不符：%(code)s 是%(level)s，其上级 %(parent)s 应为%(expected)s，实际为%(actual)s")
                % {
                    "code": code,
                    "level": level.label,
                    "parent": parent_code,
                    "expected": Level(level - 1).label,
                    "actual": parent_level.label,
                }
            )
        if parent_code_of(code) != parent_code:
            return bad(
                _("区划代码 %(code)s 不属于上级区划 %(parent)s") % {"code": code, "parent": parent_code}
            )
    return ParsedRow(code, name[:100], parent_code, source, line, under_city=under_city)


def order_paths(paths: list[Path]) -> list[Path]:
    """Per-level files load from the top level down; other files keep their order after them."""
    rank = {stem: int(level) for stem, level in PER_LEVEL_FILES.items()}
    return sorted(paths, key=lambda p: rank.get(p.stem, 99))


def _city_of(code: str) -> str:
    return code[:4].ljust(CODE_LENGTH, "0")


class _Load:
    """One load: the state kept while the rows stream through, and the batched writes."""

    def __init__(self, under: str | None, dry_run: bool):
        self.under = under
        self.dry_run = dry_run
        self.errors: list[RowError] = []
        self.result = LoadResult()
        # Codes down to township level: (name, file, line) when read in this load, None when only in the database.
        self.known: dict[str, tuple[str, str, int] | None] = dict.fromkeys(
            Region.objects.filter(level__lte=Level.TOWNSHIP).values_list("code", flat=True).iterator()
        )
        self.cities_with_counties: set[str] = set(
            Region.objects.filter(level=Level.COUNTY).values_list("parent_id", flat=True).distinct()
        )
        self.countyless: set[str] = set(
            Region.objects.filter(level=Level.TOWNSHIP, parent__level=Level.CITY)
            .values_list("parent_id", flat=True)
            .distinct()
        )
        self.placeholders: dict[str, ParsedRow] = {}
        self.under_city: list[ParsedRow] = []
        self.villages: dict[str, bytearray] = {}  # township digits -> one bit per village number
        self.repeated_villages: list[ParsedRow] = []
        self.pending: list[ParsedRow] = []  # rows whose parent had not been read when they were
        self.batch: list[ParsedRow] = []

    def error(self, row: ParsedRow, message: str) -> None:
        self.errors.append(RowError(row.source, row.line, message))

    def rows(self, paths: list[Path]) -> Iterator[ParsedRow]:
        for path in paths:
            if not path.exists():
                self.errors.append(RowError(str(path), 0, _("文件不存在")))
                continue
            try:
                yield from parse_file(path, self.errors, under=self.under)
            except RegionLoadError as exc:
                self.errors.extend(exc.errors)

    def run(self, paths: list[Path]) -> None:
        paths = order_paths(paths)
        for row in self.rows(paths):
            self.take(row)
        self.flush()
        self.finish(paths)

    def take(self, row: ParsedRow) -> None:
        if row.placeholder:
            self.placeholders.setdefault(row.code, row)
            self.countyless.add(row.code)
            return
        level = level_of(row.code)
        if level == Level.VILLAGE:
            bits = self.villages.setdefault(row.code[:9], bytearray(125))
            number = int(row.code[9:])
            if bits[number >> 3] & (1 << (number & 7)):
                self.repeated_villages.append(row)  # resolved at the end: same name is harmless
                return
            bits[number >> 3] |= 1 << (number & 7)
        else:
            previous = self.known.get(row.code)
            if previous is not None:
                if previous[0] != row.name:
                    self.error(row, self._repeat_message(row.code, previous[1], previous[2]))
                return
            self.known[row.code] = (row.name, row.source, row.line)
            if level == Level.COUNTY:
                self.cities_with_counties.add(row.parent_code)
        if row.under_city:
            self.under_city.append(row)
            self.countyless.add(row.parent_code)
        if row.parent_code is not None and row.parent_code not in self.known:
            self.pending.append(row)
            return
        self.add(row)

    @staticmethod
    def _repeat_message(code: str, source: str, line: int) -> str:
        return _("区划代码 %(code)s 重复：与 %(src)s 第 %(line)d 行的名称不同") % {
            "code": code,
            "src": source,
            "line": line,
        }

    def add(self, row: ParsedRow) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        existing = {
            code: (name, level, parent)
            for code, name, level, parent in Region.objects.filter(
                code__in=[row.code for row in self.batch]
            ).values_list("code", "name", "level", "parent_id")
        }
        to_write = []
        for row in self.batch:
            level = int(level_of(row.code))
            before = existing.get(row.code)
            if before is None:
                self.result.created += 1
            elif before != (row.name, level, row.parent_code):
                self.result.updated += 1
            else:
                self.result.unchanged += 1
                continue
            to_write.append(Region(code=row.code, name=row.name, level=level, parent_id=row.parent_code))
        self.batch = []
        if to_write and not self.dry_run and not self.errors:
            Region.objects.bulk_create(
                to_write,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent"],
            )

    def finish(self, paths: list[Path]) -> None:
        for row in self.pending:
            city = _city_of(row.code)
            if row.parent_code in self.known:
                self.add(row)
            elif (
                level_of(row.code) == Level.TOWNSHIP
                and city in self.countyless
                and city not in self.cities_with_counties
                and city in self.known
            ):
                # 嘉峪关-shaped: the township names a county that does not exist under a city without counties.
                row.parent_code = city
                self.add(row)
            elif self.under and not in_subtree(row.parent_code, self.under):
                self.error(
                    row,
                    _("上级区划 %(parent)s 不在 --under 子树内，且尚未载入") % {"parent": row.parent_code},
                )
            else:
                self.error(row, _("上级区划 %(parent)s 不存在") % {"parent": row.parent_code})
        self.pending = []
        for code, row in self.placeholders.items():
            if code not in self.known:
                self.error(row, _("县级占位行 %(code)s 对应的地级区划不存在") % {"code": code})
            elif code in self.cities_with_counties:
                self.error(
                    row,
                    _("地级区划 %(code)s 下设县级区划，不应有与其同码的县级占位行") % {"code": code},
                )
        for row in self.under_city:
            if row.parent_code in self.cities_with_counties:
                self.error(
                    row,
                    _("乡级区划 %(code)s 直属地级区划 %(parent)s，但该地级区划下设县级区划")
                    % {"code": row.code, "parent": row.parent_code},
                )
        self.check_repeated_villages(paths)
        self.flush()

    def check_repeated_villages(self, paths: list[Path]) -> None:
        """A village code read twice: find where it was first read (a second pass, only when this happens)."""
        if not self.repeated_villages:
            return
        wanted = {row.code for row in self.repeated_villages}
        first: dict[str, ParsedRow] = {}
        for path in paths:
            if not path.exists() or len(first) == len(wanted):
                continue
            for row in parse_file(path, [], under=self.under):
                if row.code in wanted and row.code not in first:
                    first[row.code] = row
        for row in self.repeated_villages:
            original = first[row.code]
            if original.name != row.name:
                self.error(row, self._repeat_message(row.code, original.source, original.line))
        self.repeated_villages = []


def load_regions(paths: list[Path], *, under: str | None = None, dry_run: bool = False) -> LoadResult:
    """Check every row of every file and write them in batches inside one transaction: all of them, or none.

    Run by `shegong regions load`, which acts as the system (unscoped): a load sees every region.
    """
    under_code = None
    if under:
        try:
            under_code = normalise(under)
        except RegionCodeError as exc:
            raise RegionLoadError([RowError("--under", 0, str(exc))]) from exc
    with transaction.atomic():
        load = _Load(under_code, dry_run)
        load.run(paths)
        if load.errors:
            load.errors.sort(key=lambda e: (e.source, e.line))
            raise RegionLoadError(load.errors)
    return load.result

"""What every `<registry> import FILE.xlsx --region CODE` command shares: checking the arguments, and on a
rejected file the report on stderr and the marked copy written next to the input."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404

from shegong.core import importjobs, rosters
from shegong.core.regioncodes import RegionCodeError, normalise
from shegong.core.xlsx_import import ImportRejected

from .base import SystemCommand, fail

SHOWN_ERRORS = 200


def checked_inputs(path: Path, region: str) -> str:
    """The normalised region code; fails on a missing file or a malformed code."""
    if not path.is_file():
        raise fail(f"{path}: no such file")
    try:
        return normalise(region)
    except RegionCodeError as exc:
        raise fail(f"--region: {exc}") from exc


def add_map_argument(parser) -> None:
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="map a column of the file to a field (e.g. '户主姓名=name'; 'FIELD' empty ignores the column); "
        "the others are mapped by their headers. The mapping used is printed.",
    )


def column_mapping(command, kind: str, content: bytes, region_code: str, options: list[str]) -> dict:
    """The importer's ``mapping``/``header_row`` keywords: the guess from the file's header with ``--map``
    applied, printed. Empty when the file cannot be read (the import then says why)."""
    spec = importjobs.spec_of(kind)
    layout = rosters.layout_of(spec, content, synonyms=rosters.synonyms_for(kind, region_code))
    if layout is None:
        return {}
    try:
        overrides = rosters.parse_map_options(options)
        mapping = rosters.apply_overrides(layout.mapping, layout.header, overrides, spec)
    except ValueError as exc:
        raise fail(f"--map: {exc}") from exc
    command.stdout.write(
        f"header on row {layout.header_row}; columns: {rosters.describe(layout.header, mapping, spec)}"
    )
    return {"mapping": mapping, "header_row": layout.header_row}


def rejected(command, path: Path, exc: ImportRejected):
    """Report every bad cell (the first 200), write the marked copy, and return the command's failure."""
    for error in exc.errors[:SHOWN_ERRORS]:
        command.stderr.write(str(error))
    if len(exc.errors) > SHOWN_ERRORS:
        command.stderr.write(f"… and {len(exc.errors) - SHOWN_ERRORS} more")
    note = ""
    if exc.marked:
        marked = path.with_name(f"{path.stem}.errors.xlsx")  # an .xls or .csv comes back as .xlsx
        marked.write_bytes(exc.marked)
        note = f"; bad cells are marked in {marked}"
    return fail(f"{len(exc.errors)} error(s); nothing was imported{note}")


class ImportCommand(SystemCommand):
    """A registry's command with one action, `import`. Subclasses set ``noun`` and ``importer`` — a callable
    ``(actor=, content=, region_code=) -> count`` that raises ImportRejected — as a staticmethod."""

    noun = "rows"
    kind = ""  # the registered import (core.importjobs), for its sheet and synonyms

    @staticmethod
    def importer(*, actor, content: bytes, region_code: str) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import", help="import an .xlsx, .xls or .csv file; a bad row rejects the whole file"
        )
        load.add_argument("path", type=Path)
        load.add_argument("--region", required=True, help="12-digit region code the rows are registered in")
        add_map_argument(load)

    def handle(self, *args, action, path, region, **options):
        code = checked_inputs(path, region)
        content = path.read_bytes()
        layout = column_mapping(self, self.kind, content, code, options.get("map") or [])
        try:
            count = self.importer(actor=self.actor, content=content, region_code=code, **layout)
        except Http404 as exc:
            raise fail(f"region {code} is not loaded") from exc
        except ImportRejected as exc:
            raise rejected(self, path, exc) from exc
        self.stdout.write(f"imported {count} {self.noun}")

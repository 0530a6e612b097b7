"""What every `<registry> import FILE.xlsx --region CODE` command shares: checking the arguments, and on a
rejected file the report on stderr and the marked copy written next to the input."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404

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


def rejected(command, path: Path, exc: ImportRejected):
    """Report every bad cell (the first 200), write the marked copy, and return the command's failure."""
    for error in exc.errors[:SHOWN_ERRORS]:
        command.stderr.write(str(error))
    if len(exc.errors) > SHOWN_ERRORS:
        command.stderr.write(f"… and {len(exc.errors) - SHOWN_ERRORS} more")
    note = ""
    if exc.marked:
        marked = path.with_name(f"{path.stem}.errors{path.suffix}")
        marked.write_bytes(exc.marked)
        note = f"; bad cells are marked in {marked}"
    return fail(f"{len(exc.errors)} error(s); nothing was imported{note}")


class ImportCommand(SystemCommand):
    """A registry's command with one action, `import`. Subclasses set ``noun`` and ``importer`` — a callable
    ``(actor=, content=, region_code=) -> count`` that raises ImportRejected — as a staticmethod."""

    noun = "rows"

    @staticmethod
    def importer(*, actor, content: bytes, region_code: str) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="import an .xlsx file; a bad row rejects the whole file")
        load.add_argument("path", type=Path)
        load.add_argument("--region", required=True, help="12-digit region code the rows are registered in")

    def handle(self, *args, action, path, region, **options):
        code = checked_inputs(path, region)
        try:
            count = self.importer(actor=self.actor, content=path.read_bytes(), region_code=code)
        except Http404 as exc:
            raise fail(f"region {code} is not loaded") from exc
        except ImportRejected as exc:
            raise rejected(self, path, exc) from exc
        self.stdout.write(f"imported {count} {self.noun}")

"""What the three `… import FILE.xlsx --region CODE` commands share."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404

from shegong.core.management.base import fail
from shegong.core.xlsx_import import ImportRejected
from shegong.regions.codes import RegionCodeError, normalise


def run_import(command, *, importer, path: Path, region: str, noun: str) -> None:
    if not path.is_file():
        raise fail(f"{path}: no such file")
    try:
        code = normalise(region)
    except RegionCodeError as exc:
        raise fail(f"--region: {exc}") from exc
    try:
        count = importer(actor=command.actor, content=path.read_bytes(), region_code=code)
    except Http404 as exc:
        raise fail(f"region {code} is not loaded") from exc
    except ImportRejected as exc:
        for error in exc.errors:
            command.stderr.write(str(error))
        if exc.marked:
            marked = path.with_name(f"{path.stem}.errors{path.suffix}")
            marked.write_bytes(exc.marked)
            command.stderr.write(f"marked copy: {marked}")
        raise fail(f"{len(exc.errors)} error(s); nothing was imported.") from exc
    command.stdout.write(f"imported {count} {noun}")

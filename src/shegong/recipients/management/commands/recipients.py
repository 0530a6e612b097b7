import time
from pathlib import Path

from shegong.core.management.base import SystemCommand, fail
from shegong.core.management.imports import add_map_argument, checked_inputs, column_mapping, rejected
from shegong.core.xlsx_import import ImportRejected
from shegong.regions.models import Region


class Command(SystemCommand):
    help = (
        "Recipient registry: `recipients import FILE --region CODE [--map HEADER=FIELD …]` (.xlsx, .xls or .csv; "
        "all or nothing) and `template`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import", help="import a roster; any bad row: nothing written, marked copy saved"
        )
        load.add_argument("path", type=Path)
        load.add_argument("--region", required=True, help="every row's village code must lie in this region")
        add_map_argument(load)
        template = sub.add_parser("template", help="write the blank roster template")
        template.add_argument("path", type=Path)

    def handle(self, *args, action, **options):
        from shegong.recipients.imports import KIND, import_roster, roster_spec

        if action == "template":
            options["path"].write_bytes(roster_spec().template())
            self.stdout.write(f"template written to {options['path']}")
            return
        path: Path = options["path"]
        region_code = checked_inputs(path, options["region"])
        if not Region.objects.filter(code=region_code).exists():
            raise fail(f"region {region_code} is not loaded")
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(done, total, status):
            if verbosity > 1:
                self.stdout.write(f"{status}: {done}/{total}")

        content = path.read_bytes()
        layout = column_mapping(self, KIND, content, region_code, options.get("map") or [])
        try:
            result = import_roster(
                actor=self.actor,
                content=content,
                **layout,
                region_code=region_code,
                progress=progress,
                filename=path.name,
            )
        except ImportRejected as exc:
            raise rejected(self, path, exc) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"imported {result.created} new recipient(s), {result.existing} already registered "
            f"(unchanged), {result.total} row(s) in {elapsed:.1f}s"
        )
        if result.ignored or result.skipped:
            ignored = ", ".join(result.ignored) or "none"
            self.stdout.write(f"columns ignored: {ignored}; total rows skipped: {result.skipped}")

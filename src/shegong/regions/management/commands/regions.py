import time
from pathlib import Path

from shegong.core.management.base import SystemCommand, fail
from shegong.regions.loader import RegionLoadError, load_regions


class Command(SystemCommand):
    help = "Load region CSV files (code,name,parent_code or the per-level provinces/cities/areas/streets/villages)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load one or more CSV files, all or nothing")
        load.add_argument("paths", nargs="+", type=Path)
        load.add_argument("--under", help="load only the subtree of this region code")
        load.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, action, **options):
        started = time.monotonic()
        try:
            result = load_regions(options["paths"], under=options.get("under"), dry_run=options["dry_run"])
        except RegionLoadError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise fail(f"{len(exc.errors)} bad row(s); nothing was loaded.") from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged} "
            f"in {elapsed:.1f}s" + (" (dry run, nothing written)" if options["dry_run"] else "")
        )

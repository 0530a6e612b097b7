from pathlib import Path

from shegong.core.management.base import SystemCommand
from shegong.people.imports import import_volunteers
from shegong.people.management.importcommand import run_import


class Command(SystemCommand):
    help = "Volunteers: `import FILE.xlsx --region CODE` (all rows or none; a marked copy on error)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="import an .xlsx file; a bad row rejects the whole file")
        load.add_argument("path", type=Path)
        load.add_argument("--region", required=True, help="12-digit region code the rows are registered in")

    def handle(self, *args, action, path, region, **options):
        run_import(self, importer=import_volunteers, path=path, region=region, noun="volunteers")

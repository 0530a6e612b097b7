from shegong.core.management.imports import ImportCommand
from shegong.people.imports import import_workers


class Command(ImportCommand):
    help = "Social workers: `import FILE.xlsx --region CODE` (all rows or none; a marked copy on error)."
    noun = "workers"
    importer = staticmethod(import_workers)

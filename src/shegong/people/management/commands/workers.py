from shegong.core.management.imports import ImportCommand
from shegong.people.imports import import_workers


class Command(ImportCommand):
    help = "Social workers: `import FILE --region CODE [--map HEADER=FIELD …]` (.xlsx, .xls or .csv; all rows or none; a marked copy on error)."
    noun = "workers"
    kind = "people.workers"
    importer = staticmethod(import_workers)

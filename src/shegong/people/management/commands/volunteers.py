from shegong.core.management.imports import ImportCommand
from shegong.people.imports import import_volunteers


class Command(ImportCommand):
    help = "Volunteers: `import FILE --region CODE [--map HEADER=FIELD …]` (.xlsx, .xls or .csv; all rows or none; a marked copy on error)."
    noun = "volunteers"
    kind = "people.volunteers"
    importer = staticmethod(import_volunteers)

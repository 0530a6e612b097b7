from shegong.core.management.imports import ImportCommand
from shegong.people.imports import import_volunteers


class Command(ImportCommand):
    help = "Volunteers: `import FILE.xlsx --region CODE` (all rows or none; a marked copy on error)."
    noun = "volunteers"
    importer = staticmethod(import_volunteers)

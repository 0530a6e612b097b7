from shegong.core.management.imports import ImportCommand
from shegong.orgs.imports import import_organisations


class Command(ImportCommand):
    help = "Social organisations: `import FILE --region CODE [--map HEADER=FIELD …]` (.xlsx, .xls or .csv; all rows or none; a marked copy on error)."
    noun = "organisations"
    kind = "orgs.organisations"
    importer = staticmethod(import_organisations)

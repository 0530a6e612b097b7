from shegong.core.management.imports import ImportCommand
from shegong.orgs.imports import import_organisations


class Command(ImportCommand):
    help = (
        "Social organisations: `import FILE.xlsx --region CODE` (all rows or none; a marked copy on error)."
    )
    noun = "organisations"
    importer = staticmethod(import_organisations)

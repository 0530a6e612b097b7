"""The `shegong` command: Django's management commands under the project's settings.

shegong migrate
shegong regions load provinces.csv cities.csv … [--under CODE]
shegong users create NAME --role worker --region 500103001000
shegong demo
"""

import os
import sys
from pathlib import Path

# Commands that work without a database, or that create it.
NO_DATABASE_NEEDED = {
    "help",
    "version",
    "--help",
    "-h",
    "--version",
    "migrate",
    "makemigrations",
    "keys",
    "roles",
    "check",
    "compilemessages",
    "makemessages",
    "collectstatic",
    "test",
}


def missing_database(args: list[str]) -> Path | None:
    """The SQLite file a command would use, when it does not exist yet (SQLite would silently create it empty)."""
    from django.conf import settings

    command = args[0] if args else "help"
    database = settings.DATABASES["default"]
    if command in NO_DATABASE_NEEDED or database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    path = Path(database["NAME"])
    return None if str(path) == ":memory:" or path.exists() else path


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    path = missing_database(args)
    if path is not None:
        sys.stderr.write(
            f"shegong: no database at {path}.\n"
            "Create it with `shegong migrate` (or `make demo` in the checkout), or point SHEGONG_HOME or "
            "DATABASE_URL at the instance you mean.\n"
        )
        raise SystemExit(1)
    execute_from_command_line(["shegong", *args])


if __name__ == "__main__":
    main()

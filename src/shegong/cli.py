"""The `shegong` command: Django's management commands under the project's settings.

shegong migrate
shegong regions load provinces.csv cities.csv … [--under CODE]
shegong users create NAME --role worker --region 500103001000
shegong demo
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shegong", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()

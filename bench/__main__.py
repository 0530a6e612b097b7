"""python -m bench [--scale 0.01] [--only visits]: migrate, then run each benchmark and print its figures."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

BENCHMARKS = [
    "visits",
    "exports",
    "regions",
    "imports",
    "passwords",
    "demands",
    "sync",
    "oversight_dashboards",
]
OWN_DATABASE = {"imports"}  # builds a file SQLite database of its own in a child process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full data set (default 1.0)"
    )
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these benchmarks")
    args = parser.parse_args(argv)
    chosen = args.only or BENCHMARKS
    if set(chosen) - OWN_DATABASE and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must point at PostgreSQL (make bench starts one)", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if set(chosen) - OWN_DATABASE:
        call_command("migrate", verbosity=0)
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        print(f"== bench/{name} (scale {args.scale:g})", flush=True)
        for line in module.run(args.scale):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""python -m bench [--scale 0.01] [--only visits]: migrate, then run each benchmark and print its figures.

``soak`` (last) restarts a PostgreSQL cluster of its own under load for ``SOAK_SECONDS`` (default 600); the
command exits non-zero when it finds an acknowledged write lost or stored twice."""

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
    "partitions",
    "distribution",
    "oversight_integrity",
    "oversight_dashboards",
    "soak",
]
# Benchmarks with a database of their own: imports builds a SQLite file in a child process, soak starts a durable
# PostgreSQL cluster it can restart.
OWN_DATABASE = {"imports", "soak"}


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
    failed = []
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        print(f"== bench/{name} (scale {args.scale:g})", flush=True)
        try:
            for line in module.run(args.scale):
                print(line, flush=True)
        except getattr(module, "Failed", ()) as error:
            print(f"FAILED: {error}", flush=True)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

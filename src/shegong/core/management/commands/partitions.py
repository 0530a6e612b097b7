import argparse
import datetime

from shegong.core.management.base import SystemCommand, fail


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {value}") from None


class Command(SystemCommand):
    help = (
        "Monthly partitions of the service records on PostgreSQL (SQLite has none): `partitions ensure` creates "
        "this month's and the next months' partitions, `partitions detach --before YYYY-MM` takes older months "
        "out for archiving (kept as <table>_archived_YYYY_MM), `partitions list` shows them."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ensure = sub.add_parser(
            "ensure", help="create the partitions up to the given months ahead (idempotent)"
        )
        ensure.add_argument(
            "--ahead", type=int, default=None, help="months after the current one (default 3)"
        )
        detach = sub.add_parser("detach", help="detach every month before the given one, keep it renamed")
        detach.add_argument("--before", required=True, type=_month, help="the first month to keep, YYYY-MM")
        detach.add_argument("--table", action="append", help="only this table (repeatable)")
        sub.add_parser(
            "list", help="each partitioned table's partitions with their bounds and estimated rows"
        )

    def handle(self, *args, action, **options):
        from shegong.core import partitioning

        if not partitioning.enabled():
            self.stdout.write("no partitions: the database is not PostgreSQL")
            return
        if action == "ensure":
            ahead = options["ahead"] if options["ahead"] is not None else partitioning.MONTHS_AHEAD
            created = partitioning.ensure(ahead=ahead)
            for table, names in created.items():
                for name in names:
                    self.stdout.write(f"{table}: created {name}")
            self.stdout.write(f"{sum(len(n) for n in created.values())} partition(s) created")
        elif action == "detach":
            tables = options.get("table")
            unknown = set(tables or []) - set(partitioning.TABLES)
            if unknown:
                raise fail(f"not a partitioned table: {', '.join(sorted(unknown))}")
            try:
                detached = partitioning.detach(before=options["before"], tables=tables)
            except ValueError as error:
                raise fail(str(error)) from None
            for d in detached:
                self.stdout.write(f"{d.table}: detached {d.month:%Y-%m} as {d.archived_as}")
            self.stdout.write(f"{len(detached)} partition(s) detached")
            if detached:
                from shegong.core.auditing import record

                record(
                    "partitions.detach",
                    actor=self.actor,
                    object_type="core.partition",
                    changes={
                        "before": f"{options['before']:%Y-%m}",
                        "archived": [d.archived_as for d in detached],
                    },
                )
        else:
            for table in partitioning.TABLES:
                for p in partitioning.partitions(table):
                    rows = "?" if p.rows < 0 else f"~{p.rows}"
                    self.stdout.write(f"{table}\t{p.name}\t{p.bound}\t{rows} rows")

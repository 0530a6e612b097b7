import argparse
import datetime

from shegong.core.management.base import SystemCommand


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {value}") from None


class Command(SystemCommand):
    help = (
        "Visit care upkeep: `visits reconcile` rebuilds the visit-rate rollups from raw visits and reports drift; "
        "`visits open-month` opens the current month's ledger in every village (what the scheduler runs)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser(
            "reconcile", help="recompute obligations and rollups; print every difference"
        )
        reconcile.add_argument("--dry-run", action="store_true", help="report differences, change nothing")
        reconcile.add_argument(
            "--month",
            action="append",
            type=_month,
            help="only this month, YYYY-MM (repeatable); reads only its quarter's visits",
        )
        sub.add_parser(
            "open-month",
            help="open the current month's obligations and rollups where not yet open (idempotent)",
        )

    def handle(self, *args, action, **options):
        if action == "open-month":
            from shegong.recipients.tasks import open_visit_month

            opened = open_visit_month.call(actor_id=None)
            self.stdout.write(
                f"{opened['month']}: opened {opened['villages']} village ledger(s), {opened['due']} due"
            )
            return
        self.reconcile(dry_run=options["dry_run"], months=options.get("month"))

    def reconcile(self, *, dry_run: bool, months=None) -> None:
        from shegong.audit.services import record
        from shegong.visits.ledger import reconcile

        differences = reconcile(fix=not dry_run, months=months)
        for d in differences:
            self.stdout.write(
                f"{d.region_code} {d.month:%Y-%m}: stored due/visited {d.stored[0]}/{d.stored[1]}, "
                f"actual {d.actual[0]}/{d.actual[1]}"
            )
        verb = "found" if dry_run else "fixed"
        self.stdout.write(f"{len(differences)} difference(s) {verb}")
        if differences and not dry_run:
            record(
                "visits.reconcile",
                actor=self.actor,
                object_type="recipients.visitrollup",
                changes={"fixed": len(differences)},
            )

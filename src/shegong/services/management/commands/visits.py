from shegong.core.management.base import SystemCommand


class Command(SystemCommand):
    help = "Visit care upkeep: `visits reconcile` rebuilds the visit-rate rollups from raw visits and reports drift."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser(
            "reconcile", help="recompute obligations and rollups; print every difference"
        )
        reconcile.add_argument("--dry-run", action="store_true", help="report differences, change nothing")

    def handle(self, *args, action, **options):
        from shegong.audit.services import record
        from shegong.services.care import reconcile

        differences = reconcile(fix=not options["dry_run"])
        for d in differences:
            self.stdout.write(
                f"{d.region_code} {d.month:%Y-%m}: stored due/visited {d.stored[0]}/{d.stored[1]}, "
                f"actual {d.actual[0]}/{d.actual[1]}"
            )
        verb = "found" if options["dry_run"] else "fixed"
        self.stdout.write(f"{len(differences)} difference(s) {verb}")
        if differences and not options["dry_run"]:
            record(
                "visits.reconcile",
                actor=self.actor,
                object_type="services.visitrollup",
                changes={"fixed": len(differences)},
            )

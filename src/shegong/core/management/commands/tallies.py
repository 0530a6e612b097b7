from shegong.core.management.base import SystemCommand


class Command(SystemCommand):
    help = (
        "Counted figures per region and month, and standing counts (records in a state now): `tallies reconcile` "
        "recounts every registered metric from its records, prints each difference and repairs it (`--dry-run` "
        "only reports)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser(
            "reconcile", help="recount every metric from its records; print differences"
        )
        reconcile.add_argument("--dry-run", action="store_true", help="report differences, change nothing")
        reconcile.add_argument("--metric", action="append", help="only this metric (repeatable)")
        sub.add_parser("list", help="the registered metrics")

    def handle(self, *args, action, **options):
        from shegong.core import standing, tallies

        if action == "list":
            for name, metric in sorted({**tallies.metrics(), **standing.metrics()}.items()):
                self.stdout.write(f"{name}\t{metric.label}")
            return
        dry_run = options["dry_run"]
        only = options.get("metric")
        drifts = tallies.reconcile(
            fix=not dry_run, only=[m for m in only if m in tallies.metrics()] if only else None
        )
        for d in drifts:
            self.stdout.write(
                f"{d.metric} {d.region_code} {d.month:%Y-%m}: stored {d.stored}, actual {d.actual}"
            )
        standing_drifts = standing.reconcile(
            fix=not dry_run, only=[m for m in only if m in standing.metrics()] if only else None
        )
        for d in standing_drifts:
            due = "-" if d.due == standing.NEVER else f"{d.due:%Y-%m-%d %H:%M:%S}"
            self.stdout.write(f"{d.metric} {d.region_code} {due}: stored {d.stored}, actual {d.actual}")
        drifts = [*drifts, *standing_drifts]
        verb = "found" if dry_run else "fixed"
        self.stdout.write(f"{len(drifts)} difference(s) {verb}")
        if drifts and not dry_run:
            from shegong.core.auditing import record

            record(
                "tallies.reconcile",
                actor=self.actor,
                object_type="core.tally",
                changes={"fixed": len(drifts)},
            )

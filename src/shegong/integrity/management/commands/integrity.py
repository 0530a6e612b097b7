from shegong.core.management.base import SystemCommand, fail


class Command(SystemCommand):
    help = (
        "Integrity checks: `integrity run [--region CODE] [--check CODE]` runs the checks now and prints what each "
        "found; `integrity list` prints the registered checks."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run the checks now (a full run: findings no longer found close)")
        run.add_argument("--region", default="", help="only under this 12-digit region code")
        run.add_argument("--check", default="", help="only this check (its code, see `integrity list`)")
        sub.add_parser("list", help="the registered checks")

    def handle(self, *args, action, **options):
        from shegong.integrity import checks
        from shegong.integrity.services import run_start
        from shegong.integrity.tasks import execute

        if action == "list":
            for check in checks.all_checks():
                defaults = " ".join(f"{k}={v}" for k, v in check.defaults.items())
                self.stdout.write(f"{check.code}\t{check.title}\t{defaults}")
            return
        region, code = options["region"], options["check"]
        if region and (len(region) != 12 or not region.isdigit()):
            raise fail("--region takes a 12-digit region code")
        if code and code not in checks.REGISTRY:
            raise fail(f"unknown check {code!r}; `shegong integrity list` shows them")
        run = execute(run_start(actor=self.actor, region_code=region, check_code=code))
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{run.found} finding(s) found, {run.opened} opened, {run.closed} closed in {seconds:.1f}s"
        )

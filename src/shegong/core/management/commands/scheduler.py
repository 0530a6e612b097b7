from shegong.core.management.base import SystemCommand


class Command(SystemCommand):
    help = (
        "Periodic work: `scheduler run-due` starts every schedule whose work is due (call it every few minutes "
        "from a systemd timer or cron); `scheduler list` shows the schedules and whether each is due."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="each schedule and whether its work is due now")
        run = sub.add_parser("run-due", help="enqueue the task of every due schedule for `shegong db_worker`")
        run.add_argument(
            "--inline",
            action="store_true",
            help="run the due tasks in this process instead (no worker needed)",
        )

    def handle(self, *args, action, **options):
        from shegong.core import schedules

        if action == "list":
            for schedule in schedules.SCHEDULES:
                state = "due" if schedule.is_due() else "not due"
                self.stdout.write(f"{schedule.name:<20} {state:<8} {schedule.description}")
            return
        for outcome in schedules.run_due(inline=options["inline"]):
            detail = f" ({outcome.detail})" if outcome.detail is not None else ""
            self.stdout.write(f"{outcome.schedule.name}: {outcome.action}{detail}")

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date

from shegong.audit import services
from shegong.core.management.base import SystemCommand, fail


class Command(SystemCommand):
    help = "Verify the audit log's hash chain, or prune entries older than six months."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain and report the first broken entry")
        prune = sub.add_parser("prune", help="delete entries older than a date (at least 6 months ago)")
        prune.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        if action == "verify":
            result = services.verify()
            if not result.ok:
                raise fail(
                    f"audit chain broken at entry {result.broken_seq}: {result.problem} "
                    f"({result.checked} entries verified before it)"
                )
            self.stdout.write(f"audit chain intact: {result.checked} entries verified")
            return
        day = parse_date(options["before"])
        if day is None:
            raise fail("--before must be a date like 2026-01-31")
        before = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        try:
            count = services.prune(before)
        except services.PruneRefused as exc:
            raise fail(str(exc)) from exc
        self.stdout.write(f"pruned {count} entries before {day}")

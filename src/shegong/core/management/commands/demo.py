from django.db import connection

from shegong.core import demo
from shegong.core.management.base import SystemCommand


class Command(SystemCommand):
    help = "Load the demo city once (a second run reuses it) and print one login per role."

    def handle(self, *args, **options):
        if demo.already_loaded():
            self.stdout.write("demo city already loaded; reusing it")
        else:
            self.stdout.write("loading the demo city (渝中区)…")
            demo.load(self.actor)
            self.stdout.write(self.style.SUCCESS("demo city loaded"))
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.stdout.write("")
        self.stdout.write(f"logins (password for all: {demo.DEMO_PASSWORD}):")
        for role, username, display, _region in demo.demo_logins():
            self.stdout.write(f"  {role:<15} {username:<12} {display}")
        self.stdout.write("  (security_admin and audit_admin enrol a TOTP second factor at first login)")

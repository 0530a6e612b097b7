"""Django's `flush`, allowed to empty the audit log: emptying the whole database is what it is for.

The audit log's triggers refuse DELETE and TRUNCATE of its entries (docs/adr/0002-audit-log-triggers.md); this
command opens them for its own statements only. The test suite runs it between transactional tests.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from shegong.audit.guard import FLUSH, deleting


class Command(DjangoFlush):
    def handle(self, **options):
        with deleting(FLUSH, using=options["database"]):
            return super().handle(**options)

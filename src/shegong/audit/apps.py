from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shegong.audit"
    verbose_name = _("审计")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="shegong.audit.guard")

        from shegong.core import auditing, schedules

        from .services import record
        from .tasks import checkpoint_due, take_checkpoint

        auditing.provide_recorder(record)

        schedules.register(
            schedules.Schedule(
                "audit.checkpoint",
                take_checkpoint,
                checkpoint_due,
                "signs a daily checkpoint of the audit chain",
            )
        )

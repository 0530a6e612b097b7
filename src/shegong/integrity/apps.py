from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "shegong.integrity"
    verbose_name = _("诚信检查")

    def ready(self):
        from django.db.models.signals import pre_delete

        from shegong.core import schedules
        from shegong.core.panels import PANELS

        from .panels import findings_panel

        PANELS.register(findings_panel)

        from .models import Finding, refuse_delete

        # Findings are the supervision record: a queryset delete is refused as well as a row's ``delete()``.
        pre_delete.connect(refuse_delete, sender=Finding, dispatch_uid="integrity.finding.never_deleted")

        from .tasks import INCREMENTAL_SCHEDULE, NIGHTLY_SCHEDULE

        schedules.register(INCREMENTAL_SCHEDULE)
        schedules.register(NIGHTLY_SCHEDULE)

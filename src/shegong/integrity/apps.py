from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "shegong.integrity"
    verbose_name = _("诚信检查")

    def ready(self):
        from shegong.core import schedules

        from .tasks import INCREMENTAL_SCHEDULE, NIGHTLY_SCHEDULE

        schedules.register(INCREMENTAL_SCHEDULE)
        schedules.register(NIGHTLY_SCHEDULE)

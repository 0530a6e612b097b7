from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shegong.supervision"
    verbose_name = _("督导与培训")

    def ready(self):
        from shegong.core import tallies
        from shegong.people.selectors import WORKER_SECTIONS

        from . import exports  # noqa: F401 - registers the attendance export
        from .selectors import METRICS, worker_section

        for metric in METRICS:
            tallies.register(metric)
        WORKER_SECTIONS.register(worker_section)

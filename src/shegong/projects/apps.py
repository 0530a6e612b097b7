from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "shegong.projects"
    verbose_name = _("购买服务项目")

    def ready(self):
        from shegong.core import schedules

        from .disclosure import DISCLOSURE_SCHEDULE

        schedules.register(DISCLOSURE_SCHEDULE)

        from shegong.core.projectlinks import PROJECT_CHOICES

        from .selectors import project_choices

        PROJECT_CHOICES.register(project_choices)

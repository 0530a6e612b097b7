from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shegong.reports"
    label = "reports"
    verbose_name = "报送与通报"

    def ready(self):
        from shegong.core import jobs, schedules

        from .overdue import OVERDUE_SCHEDULE
        from .services import generate_in_background

        jobs.register("reports.generate", generate_in_background, permission="reports.view")
        schedules.register(OVERDUE_SCHEDULE)

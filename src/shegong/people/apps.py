from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shegong.people"

    def ready(self):
        from shegong.core import schedules
        from shegong.network.selectors import STAFFING_BY_NODE

        from .reminders import FILING_SCHEDULE, HOURS_SCHEDULE
        from .selectors import staffing_by_node

        STAFFING_BY_NODE.register(staffing_by_node)
        schedules.register(FILING_SCHEDULE)
        schedules.register(HOURS_SCHEDULE)

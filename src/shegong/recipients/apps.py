from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "shegong.recipients"

    def ready(self):
        from shegong.core import schedules

        from .schedules import MONTH_START

        schedules.register(MONTH_START)

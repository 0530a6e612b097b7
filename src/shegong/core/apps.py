from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shegong.core"

    def ready(self):
        from shegong.core.forms import install_text_hygiene

        install_text_hygiene()

        from shegong.core import exports, importjobs, jobs, schedules

        schedules.register(importjobs.SWEEP)
        schedules.register(exports.SWEEP)
        schedules.register(jobs.SWEEP)

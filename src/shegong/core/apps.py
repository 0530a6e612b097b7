from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shegong.core"

    def ready(self):
        from shegong.core.forms import install_choice_guards, install_text_hygiene

        install_text_hygiene()
        install_choice_guards()

        from shegong.core import exports, importjobs, jobs, partitioning, schedules

        schedules.register(importjobs.SWEEP)
        schedules.register(exports.SWEEP)
        schedules.register(partitioning.ENSURE)
        schedules.register(jobs.SWEEP)

        from django.tasks.signals import task_finished

        # Watches the primary's connections for writes from the first one on (a router is loaded lazily).
        from shegong.core import dbrouting  # noqa: F401

        task_finished.connect(schedules.task_finished, dispatch_uid="shegong.schedules.finished")

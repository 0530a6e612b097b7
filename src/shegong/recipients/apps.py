from django.apps import AppConfig


class RecipientsConfig(AppConfig):
    name = "shegong.recipients"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from shegong.core import importjobs, schedules
        from shegong.regions.selectors import FIGURES_BY_REGION

        from .imports import import_roster, roster_spec
        from .schedules import MONTH_START
        from .selectors import region_figures

        schedules.register(MONTH_START)
        from shegong.core import sync

        from .sync import RECIPIENT_EDIT

        sync.register(RECIPIENT_EDIT)
        FIGURES_BY_REGION.register(region_figures)
        importjobs.register(
            "recipients.roster",
            importer=import_roster,
            permission="recipients.import",
            noun=gettext_lazy("服务对象"),
            title=gettext_lazy("导入服务对象名册"),
            upload_url="recipients:import",
            back_url="recipients:list",
            pass_filename=True,
            spec=roster_spec,
        )

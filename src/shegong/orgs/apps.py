from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "shegong.orgs"
    verbose_name = _("社会组织")

    def ready(self):
        from shegong.core import importjobs

        from .imports import SPEC, import_organisations

        importjobs.register(
            "orgs.organisations",
            importer=import_organisations,
            permission="orgs.change",
            noun=_("社会组织"),
            title=_("导入社会组织"),
            upload_url="orgs:import",
            back_url="orgs:list",
            spec=SPEC,
        )

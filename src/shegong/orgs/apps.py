from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "shegong.orgs"
    verbose_name = _("社会组织")

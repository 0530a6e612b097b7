from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "shegong.network"
    verbose_name = _("服务网络")

    def ready(self):
        from shegong.regions.selectors import FIGURES_BY_REGION

        from .selectors import region_figures

        FIGURES_BY_REGION.register(region_figures)

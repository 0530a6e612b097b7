from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "shegong.activities"
    verbose_name = _("社区活动")

    def ready(self):
        from shegong.network.selectors import ACTIVITIES_BY_NODE

        from .selectors import activity_counts_by_node

        ACTIVITIES_BY_NODE.register(activity_counts_by_node)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "shegong.activities"
    verbose_name = _("社区活动")

    def ready(self):
        from shegong.core import tallies
        from shegong.network.selectors import ACTIVITIES_BY_NODE
        from shegong.recipients.selectors import TIMELINE_SOURCES
        from shegong.regions.selectors import FIGURES_BY_REGION

        from .selectors import (
            HELD_METRIC,
            activity_counts_by_node,
            held_by_month,
            region_figures,
            served_members,
            timeline_events,
        )

        ACTIVITIES_BY_NODE.register(activity_counts_by_node)
        tallies.register(tallies.Metric(HELD_METRIC, _("社区活动场次"), held_by_month))
        tallies.contribute("served.people", served_members)
        TIMELINE_SOURCES.register(timeline_events)
        FIGURES_BY_REGION.register(region_figures)

        from shegong.core import sync

        from .sync import ACTIVITY, sites_for_worker

        sync.register(ACTIVITY)
        sync.contribute("sites", sites_for_worker)

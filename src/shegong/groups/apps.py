from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "shegong.groups"
    verbose_name = _("小组工作")

    def ready(self):
        from shegong.core import tallies
        from shegong.recipients.selectors import TIMELINE_SOURCES
        from shegong.regions.selectors import FIGURES_BY_REGION
        from shegong.visits.selectors import WORKLIST_EXTRAS, WORKLIST_SECTIONS

        from .selectors import (
            SESSIONS_METRIC,
            region_figures,
            served_members,
            sessions_by_month,
            timeline_events,
            worklist_items,
            worklist_section,
        )

        tallies.register(tallies.Metric(SESSIONS_METRIC, _("小组活动节数"), sessions_by_month))
        tallies.contribute("served.people", served_members)
        TIMELINE_SOURCES.register(timeline_events)
        FIGURES_BY_REGION.register(region_figures)
        WORKLIST_SECTIONS.register(worklist_section)
        WORKLIST_EXTRAS.register(worklist_items)

        from shegong.core import sync

        from .sync import ATTENDANCE, groups_for_worker

        sync.register(ATTENDANCE)
        sync.contribute("groups", groups_for_worker)

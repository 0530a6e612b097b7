from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "shegong.demands"
    verbose_name = _("需求点单与派单")

    def ready(self):
        from shegong.core import schedules, standing, tallies
        from shegong.core.context_processors import NAV_BADGES
        from shegong.recipients.selectors import TIMELINE_SOURCES

        from . import selectors
        from .escalations import DEADLINES

        tallies.register(tallies.Metric("demands.received", "受理诉求数", recount=selectors.recount_received))
        tallies.register(
            tallies.Metric("demands.completed", "办结诉求数", recount=selectors.recount_completed)
        )
        tallies.contribute("served.people", selectors.served_members)
        standing.register(standing.Metric(selectors.OPEN_METRIC, "在办诉求", selectors.recount_open))
        TIMELINE_SOURCES.register(selectors.timeline_events)
        NAV_BADGES.register(selectors.nav_badges)
        schedules.register(DEADLINES)
        from shegong.visits.selectors import VISIT_ACTIONS, WORKLIST_SECTIONS

        WORKLIST_SECTIONS.register(selectors.worklist_section)
        VISIT_ACTIONS.register(selectors.visit_actions)

        from shegong.core import sync

        from .sync import REQUEST, requests_for_worker

        sync.register(REQUEST)
        sync.contribute("requests", requests_for_worker)

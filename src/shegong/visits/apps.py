from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "shegong.visits"
    verbose_name = _("探访")

    def ready(self):
        from shegong.core import partitioning, schedules, tallies
        from shegong.recipients.selectors import TIMELINE_SOURCES

        from .escalations import ESCALATIONS
        from .ledger import NIGHTLY
        from .selectors import served_members, timeline_events
        from .services import release_detached_keys

        TIMELINE_SOURCES.register(timeline_events)
        schedules.register(NIGHTLY)
        partitioning.register(
            partitioning.Monthly("visits_visit", "visited_at", after_detach=release_detached_keys)
        )
        schedules.register(ESCALATIONS)
        tallies.contribute("served.people", served_members)

        from shegong.core import sync

        from .field import VISIT, assigned_recipients

        sync.register(VISIT)
        sync.contribute("recipients", assigned_recipients)

        from shegong.core.context_processors import NAV_BADGES

        from .field_views import conflicts_badge

        NAV_BADGES.register(conflicts_badge)

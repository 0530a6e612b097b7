from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "shegong.charity"
    verbose_name = _("慈善资源")

    def ready(self):
        from shegong.core import tallies
        from shegong.recipients.selectors import TIMELINE_SOURCES

        from . import ledger
        from .selectors import timeline_events

        tallies.register(tallies.Metric(ledger.RAISED, "慈善募集（元）", recount=ledger.recount_raised))
        tallies.register(tallies.Metric(ledger.SPENT, "慈善支出（元）", recount=ledger.recount_spent))
        TIMELINE_SOURCES.register(timeline_events)

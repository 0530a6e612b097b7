from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shegong.cases"
    verbose_name = _("个案")

    def ready(self):
        from shegong.core import partitioning, standing, tallies
        from shegong.recipients.selectors import RECIPIENT_ACTIONS, TIMELINE_SOURCES
        from shegong.visits.selectors import WORKLIST_EXTRAS

        from . import exports  # noqa: F401 - registers the case list export
        from .selectors import (
            recipient_actions,
            recount_closed,
            recount_decisions,
            recount_opened,
            recount_stage,
            served_members,
            stage_metric,
            timeline_events,
            worklist_items,
        )
        from .services import release_detached_note_keys

        tallies.register(tallies.Metric("cases.opened", "个案开案数", recount=recount_opened))
        tallies.register(tallies.Metric("cases.closed", "个案结案数", recount=recount_closed))
        # A decided plan or closing approval, in the approval's region and the month of the decision: read as case
        # reviews beside supervision sessions (supervision).
        tallies.register(tallies.Metric("cases.decisions", "个案审批数", recount=recount_decisions))
        tallies.contribute("served.people", served_members)
        from .models import OPEN_STAGES

        for stage in OPEN_STAGES:
            standing.register(
                standing.Metric(stage_metric(stage), f"在案个案（{stage.label}）", recount_stage(stage))
            )
        partitioning.register(
            partitioning.Monthly(
                "cases_interventionnote", "noted_on", after_detach=release_detached_note_keys
            )
        )
        TIMELINE_SOURCES.register(timeline_events)
        RECIPIENT_ACTIONS.register(recipient_actions)
        WORKLIST_EXTRAS.register(worklist_items)

        from shegong.core import sync

        from .sync import NOTE, PLAN_EDIT, cases_for_worker

        sync.register(NOTE)
        sync.register(PLAN_EDIT)
        sync.contribute("cases", cases_for_worker)

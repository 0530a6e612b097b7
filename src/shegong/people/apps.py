from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shegong.people"

    def ready(self):
        from django.utils.translation import gettext_lazy

        from shegong.core import importjobs, partitioning, schedules, tallies
        from shegong.core.context_processors import NAV_BADGES
        from shegong.network.selectors import STAFFING_BY_NODE
        from shegong.regions.selectors import FIGURES_BY_REGION

        from .imports import VOLUNTEER_SPEC, WORKER_SPEC, import_volunteers, import_workers
        from .reminders import FILING_SCHEDULE, HOURS_SCHEDULE
        from .selectors import confirmed_hours_by_month, hours_waiting_badge, region_figures, staffing_by_node

        STAFFING_BY_NODE.register(staffing_by_node)
        tallies.register(
            tallies.Metric(
                "volunteers.hours", gettext_lazy("志愿服务时长（已确认，小时）"), confirmed_hours_by_month
            )
        )
        NAV_BADGES.register(hours_waiting_badge)
        FIGURES_BY_REGION.register(region_figures)
        importjobs.register(
            "people.workers",
            importer=import_workers,
            permission="people.import",
            noun=gettext_lazy("社工"),
            title=gettext_lazy("导入社工"),
            upload_url="people:workers_import",
            back_url="people:workers",
            spec=WORKER_SPEC,
        )
        importjobs.register(
            "people.volunteers",
            importer=import_volunteers,
            permission="volunteers.change",
            noun=gettext_lazy("志愿者"),
            title=gettext_lazy("导入志愿者"),
            upload_url="people:volunteers_import",
            back_url="people:volunteers",
            spec=VOLUNTEER_SPEC,
        )
        schedules.register(FILING_SCHEDULE)
        schedules.register(HOURS_SCHEDULE)
        partitioning.register(partitioning.Monthly("people_volunteerhours", "served_on"))

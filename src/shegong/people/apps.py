from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shegong.people"

    def ready(self):
        from shegong.network.selectors import STAFFING_BY_NODE

        from .selectors import staffing_by_node

        STAFFING_BY_NODE.register(staffing_by_node)

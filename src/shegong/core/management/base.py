"""Base for the project's commands: they act as the system, outside any request, with the escape hatch."""

from django.core.management.base import BaseCommand, CommandError

from shegong.core.actors import system_actor
from shegong.core.scoping import unscoped


class SystemCommand(BaseCommand):
    def execute(self, *args, **options):
        self.actor = system_actor(f"command:{self.__module__.rsplit('.', 1)[-1]}")
        with unscoped():
            return super().execute(*args, **options)


def fail(message: str) -> CommandError:
    return CommandError(message)

"""Base for the project's commands: they act as the system, outside any request, with the escape hatch."""

from django.core.management.base import BaseCommand, CommandError

from shegong.accounts.actor import SystemActor
from shegong.core.scoping import unscoped


class SystemCommand(BaseCommand):
    def execute(self, *args, **options):
        self.actor = SystemActor(f"command:{self.__module__.rsplit('.', 1)[-1]}")
        with unscoped():
            return super().execute(*args, **options)


def fail(message: str) -> CommandError:
    return CommandError(message)

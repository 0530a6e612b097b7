"""Background tasks re-enter the scope of the actor they run for.

    @scoped_task
    def rebuild(*, actor_id: int, ...): ...        # runs with that user's scope active

    rebuild.enqueue(actor_id=request.user.pk, ...)

A task enqueued by a management command passes ``actor_id=None`` and runs unscoped, like the command itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.tasks import task

from .actors import scope_of_user
from .scoping import activate, unscoped


def scope_for(actor_id: int | None):
    if actor_id is None:
        return unscoped()
    return activate(scope_of_user(actor_id))


def scoped_task(func: Callable | None = None, **task_options):
    """Like ``django.tasks.task``, but the task body runs inside the scope of ``actor_id``."""

    def decorate(inner: Callable):
        @functools.wraps(inner)
        def run(*args, actor_id: int | None, **kwargs):
            with scope_for(actor_id):
                return inner(*args, actor_id=actor_id, **kwargs)

        return task(**task_options)(run) if task_options else task(run)

    return decorate(func) if func is not None else decorate

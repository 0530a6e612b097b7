"""Background tasks re-enter the scope of the actor they run for.

    @scoped_task
    def rebuild(*, actor_id: int, ...): ...        # runs with that user's scope active

    rebuild.enqueue(actor_id=request.user.pk, ...)

A task enqueued by a management command passes ``actor_id=None`` and runs unscoped, like the command itself.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, transaction
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


def dispatch(background_task, **kwargs) -> None:
    """The one place that decides who runs a background job (an import, a large export), by
    ``settings.IMPORT_RUNNER``: "worker" enqueues the task for ``shegong db_worker`` once the caller's transaction
    commits, "thread" runs it then in a thread of the web process, "inline" runs it at once (tests)."""
    runner = settings.IMPORT_RUNNER
    if runner == "inline":
        background_task.call(**kwargs)
    elif runner == "thread":
        thread = threading.Thread(target=_in_thread, args=(background_task, kwargs), daemon=True)
        transaction.on_commit(thread.start)
    else:
        transaction.on_commit(lambda: background_task.enqueue(**kwargs))


def _in_thread(background_task, kwargs: dict) -> None:
    close_old_connections()
    try:
        background_task.call(**kwargs)
    finally:
        close_old_connections()

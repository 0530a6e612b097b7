"""Who acts, as far as the lowest layer needs to know: the accounts app provides it at start-up.

``core`` runs commands and background tasks but sits below ``accounts``, which knows users, roles and scopes; so
``accounts`` registers two factories here in its ``AppConfig.ready()`` and ``core`` calls them without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_system: Callable[[str], Any] | None = None
_scope_of_user: Callable[[int], Any] | None = None
_actor_of_user: Callable[[int], Any] | None = None


def provide(
    *,
    system: Callable[[str], Any],
    scope_of_user: Callable[[int], Any],
    actor_of_user: Callable[[int], Any] | None = None,
) -> None:
    global _system, _scope_of_user, _actor_of_user
    _system, _scope_of_user, _actor_of_user = system, scope_of_user, actor_of_user


def system_actor(name: str):
    """The actor of a management command or scheduled task: sees everything and says so in the audit log."""
    if _system is None:
        raise RuntimeError("no actor provider: is shegong.accounts installed?")
    return _system(name)


def scope_of_user(user_id: int):
    """The region scope of an active user (an empty scope for a missing or inactive one)."""
    if _scope_of_user is None:
        raise RuntimeError("no actor provider: is shegong.accounts installed?")
    return _scope_of_user(user_id)


def actor_of_user(user_id: int):
    """The actor a background task acts as: the active user's roles and scope (no grants for a missing one)."""
    if _actor_of_user is None:
        raise RuntimeError("no actor provider: is shegong.accounts installed?")
    return _actor_of_user(user_id)

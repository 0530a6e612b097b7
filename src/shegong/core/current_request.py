"""The request being served, for code that writes on its behalf without being handed it (the audit writer).

``ActorMiddleware`` (accounts) binds every page and API request here, so a service called from a view records the
client's address and user agent in its audit entry although only the actor was passed to it. Commands and
background tasks bind nothing: their entries have no address, as they should.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_current: ContextVar[Any] = ContextVar("shegong_current_request", default=None)


@contextlib.contextmanager
def bound(request) -> Iterator[None]:
    token = _current.set(request)
    try:
        yield
    finally:
        _current.reset(token)


def current():
    """The request bound by the middleware on this thread or task, or None."""
    return _current.get()

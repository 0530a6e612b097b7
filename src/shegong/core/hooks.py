"""Extension points: a lower layer names what it can show, a higher layer contributes it.

The layering rule (docs/development.md) lets an app import only its own layer or below. When a lower app's page
shows something a higher app owns — visits on a recipient's timeline, activities in a station's five-haves check —
the lower app declares a ``Hook`` and the higher app registers a contributor in its ``AppConfig.ready()``. The
lower app never imports the higher one, and works (showing nothing extra) when it is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._contributors: list[Callable[..., Any]] = []

    def register(self, contributor: Callable[..., Any]) -> Callable[..., Any]:
        if contributor not in self._contributors:
            self._contributors.append(contributor)
        return contributor

    def results(self, *args, **kwargs) -> list[Any]:
        """Each contributor's answer, in registration order."""
        return [contributor(*args, **kwargs) for contributor in self._contributors]

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._contributors)} contributor(s))"

"""The cross-region harness's registry.

Every URL pattern (by its name) and every API operation (by its operationId) must be registered here, in the
module of the app it belongs to, with what a user of another region must get:

* ``detail`` — a page or resource of region A: B's user gets 404;
* ``list`` — a list, search, export or dashboard: B's user gets 200 and none of A's markers;
* ``write`` — a POST/PUT/PATCH/DELETE on A's object: B's user gets 404 and nothing changes;
* ``create`` — a form creating something under A's region: refused (re-shown with an error, or 404), nothing
  changes;
* ``open`` — public or self-service (login, language switch, own password): nothing regional to leak.

An app module defines ``ENDPOINTS`` and, optionally, ``extend(world)`` that creates its objects in region A
(put a marker string into ``world.extras["marker_…"]`` for lists to check).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Endpoint:
    name: str
    kind: str  # detail | list | write | open
    url: Callable[[Any], str] | None = None
    method: str = "GET"
    body: Callable[[Any], Any] | None = None
    api: bool = False
    content_type: str = "application/json"
    extra: dict = field(default_factory=dict)


def modules():
    for info in pkgutil.iter_modules(__path__):
        yield importlib.import_module(f"{__name__}.{info.name}")


def registry() -> dict[str, Endpoint]:
    found: dict[str, Endpoint] = {}
    for module in modules():
        for endpoint in getattr(module, "ENDPOINTS", []):
            key = ("api:" if endpoint.api else "page:") + endpoint.name
            assert key not in found, f"{key} registered twice"
            found[key] = endpoint
    return found


def extend_world(world) -> None:
    for module in modules():
        extender = getattr(module, "extend", None)
        if extender:
            extender(world)

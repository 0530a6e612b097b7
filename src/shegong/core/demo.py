"""The demo city: Chongqing's Yuzhong district (500103) as seed 000 describes it, plus a neighbour for contrast.

Each app adds its own part through a ``demo.load(ctx)`` function, called in the order of ``INSTALLED_APPS`` (lowest
layer first), so an app finds in ``ctx`` what the apps below it built: the regions, the agencies, the stations …
An app whose data is made from the counted figures (``core.tallies``) adds it in ``demo.finish(ctx)``, called
once every app has loaded and the figures are counted.
An app's ``demo.already_loaded()``, where it has one, tells whether the city is there already.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction

DEMO_PASSWORD = "Shegong-Demo-2026"


@dataclass
class DemoContext:
    """What the demo builds, handed to each app's ``demo.load`` so it can attach its own data."""

    actor: object
    rng: random.Random
    today: datetime.date
    district: Any = None  # the Yuzhong district (regions.Region)
    region_tree: dict = field(default_factory=dict)  # district code -> [(township, [villages])]
    villages: list = field(default_factory=list)  # Yuzhong's villages, in code order
    centre: Any = None
    stations: list = field(default_factory=list)
    rooms: list = field(default_factory=list)
    agencies: list = field(default_factory=list)
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (username, display name)
    extra: dict[str, Any] = field(default_factory=dict)


def demo_modules() -> list:
    """Every installed app's ``demo`` module, lowest layer first."""
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("shegong.") and config.label != "core" and importlib.util.find_spec(name):
            modules.append(importlib.import_module(name))
    return modules


def already_loaded() -> bool:
    return any(getattr(module, "already_loaded", lambda: False)() for module in demo_modules())


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(role, username, display name, region code) of every demo login an app declares in ``DEMO_USERS``."""
    return [login for module in demo_modules() for login in getattr(module, "DEMO_USERS", [])]


def load(actor, *, seed: int = 103) -> DemoContext:
    ctx = DemoContext(actor=actor, rng=random.Random(seed), today=datetime.date.today())
    with transaction.atomic():
        for module in demo_modules():
            if hasattr(module, "load"):
                module.load(ctx)
        # The apps bulk-insert their records without counting them one by one: count them all once, as
        # `shegong tallies reconcile` would, so the pages' figures agree with the records from the start.
        from . import standing, tallies

        tallies.reconcile(fix=True)
        standing.reconcile(fix=True)
        # What reads the whole loaded and counted city (an app's ``finish(ctx)``: the integrity checks' first run, reports generated from the counted figures).
        for module in demo_modules():
            if hasattr(module, "finish"):
                module.finish(ctx)
    return ctx

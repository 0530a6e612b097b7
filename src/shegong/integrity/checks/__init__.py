"""The registry of integrity checks: every check by its code, in the order the pages list them."""

from __future__ import annotations

from . import projects, records, staffing, visits
from .base import Check, Evidence, Hit

REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    if check.code in REGISTRY:
        raise ValueError(f"integrity check {check.code} registered twice")
    REGISTRY[check.code] = check
    return check


for module in (staffing, projects, visits, records):
    for check in module.CHECKS:
        register(check)


def get(code: str) -> Check:
    return REGISTRY[code]


def all_checks() -> list[Check]:
    return list(REGISTRY.values())


__all__ = ["Check", "Evidence", "Hit", "REGISTRY", "all_checks", "get", "register"]

"""Builders for evaluation tests, and stand-ins for the tally metrics other apps register (never in src)."""

from __future__ import annotations

from shegong.accounts.actor import Actor
from shegong.core import tallies
from shegong.evaluation import services

from ..factories import TOWN_A, make_user

STAND_IN_METRICS = [
    "cases.opened",
    "cases.closed",
    "groups.sessions",
    "activities.held",
    "volunteers.hours",
    "demands.received",
    "demands.completed",
    "supervision.sessions",
]


def register_stand_in_metrics() -> None:
    for name in STAND_IN_METRICS:
        if name not in tallies.metrics():
            tallies.register(tallies.Metric(name, name, recount=dict))


def official(world) -> Actor:
    return Actor.for_user(world.official_a)


def evaluator_user(world, region=TOWN_A):
    return make_user(("evaluator", region))


def framework(world, code="SPPE"):
    return services.framework_install(actor=official(world), region=world.regions["district"], code=code)


def assessment(
    world, fw=None, *, node=None, party="third_party", evaluator=None, quarter=(2026, 1), stage="quarter"
):
    from shegong.evaluation.ranking import quarter_bounds

    start, end = quarter_bounds(*quarter)
    return services.assessment_create(
        actor=official(world),
        framework=fw or framework(world),
        stage=stage,
        party=party,
        period_start=start,
        period_end=end,
        node=node or world.station_a,
        evaluator=evaluator,
    )

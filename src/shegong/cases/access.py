"""Who may do what with a case, beyond the permission matrix: the lead worker, the station's supervisor (督导) and
the station head read the case's notes and act on it; the approver is the supervisor, or the station head where
the station has none."""

from __future__ import annotations

from shegong.accounts.actor import SystemActor
from shegong.accounts.roles import Role
from shegong.core.regioncodes import in_subtree
from shegong.core.scoping import across_regions

from .models import StationSupervisor


def user_id_of(actor) -> int | None:
    return getattr(getattr(actor, "user", None), "pk", None)


def worker_of(actor):
    from shegong.visits.services import worker_of as visits_worker_of

    return visits_worker_of(actor)


def is_lead_worker(actor, case) -> bool:
    uid = user_id_of(actor)
    if uid is None:
        return False
    worker = case.worker
    return worker is not None and worker.user_id == uid


def is_station_head(actor, case) -> bool:
    return any(
        g.role == Role.TOWNSHIP and in_subtree(case.region_code, g.region_code)
        for g in getattr(actor, "grants", [])
    )


def supervisor_ids(station_id: int) -> list[int]:
    with across_regions("the supervisors assigned to a station, wherever their account is filed"):
        return sorted(
            StationSupervisor.objects.filter(station_id=station_id, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )


def is_supervisor_of(actor, case) -> bool:
    uid = user_id_of(actor)
    return (
        uid is not None
        and Role.SUPERVISOR in getattr(actor, "roles", set())
        and uid in supervisor_ids(case.station_id)
    )


def approver_ids(case) -> list[int]:
    """The supervisors of the case's station, or its station heads when it has none."""
    from shegong.accounts.selectors import role_holders

    supervisors = supervisor_ids(case.station_id)
    if supervisors:
        return supervisors
    return role_holders([Role.TOWNSHIP], case.region_code)


def is_system(actor) -> bool:
    """Management commands and the demo act as the system: every step is theirs to record."""
    return isinstance(actor, SystemActor)


def is_approver(actor, case) -> bool:
    if is_system(actor):
        return True
    if not actor.can("cases.approve", case.region_code):
        return False
    uid = user_id_of(actor)
    supervisors = supervisor_ids(case.station_id)
    if supervisors:
        return uid in supervisors and Role.SUPERVISOR in actor.roles
    return is_station_head(actor, case)


def can_read_notes(actor, case) -> bool:
    """The lead worker, the station's supervisor and the station head; everyone else sees stage and dates."""
    if is_system(actor):
        return True
    return is_lead_worker(actor, case) or is_station_head(actor, case) or is_supervisor_of(actor, case)


def can_work_on(actor, case) -> bool:
    """Who records the case's steps: its lead worker, or the station head."""
    if is_system(actor):
        return True
    return actor.can("cases.change", case.region_code) and (
        is_lead_worker(actor, case) or is_station_head(actor, case)
    )

"""Who may do what with a case, beyond the permission matrix: the lead worker, its supervisors (督导) and the station
head read the case's notes and act on it; the approver is a supervisor of the case's worker or station from the
supervision register (``people.SupervisionAssignment``), or the station head where the case has none with an
account."""

from __future__ import annotations

from shegong.accounts.actor import SystemActor
from shegong.accounts.roles import Role
from shegong.core.regioncodes import in_subtree
from shegong.core.scoping import across_regions
from shegong.people import selectors as people_selectors


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


def supervisor_ids(case) -> list[int]:
    """The accounts of the case's supervisors today: those of its lead worker (directly or at the station where the
    worker is in post) and those of its station, from the register."""
    with across_regions("the supervisors of a case's worker and station, wherever the register files them"):
        supervisors = people_selectors.supervisors_of_station(case.station_id)
        if case.worker_id:
            supervisors = supervisors | people_selectors.supervisors_of_worker(case.worker_id)
        return sorted(
            set(
                supervisors.filter(user__isnull=False, user__is_active=True).values_list("user_id", flat=True)
            )
        )


def is_supervisor_of(actor, case) -> bool:
    uid = user_id_of(actor)
    return uid is not None and uid in supervisor_ids(case)


def approver_ids(case) -> list[int]:
    """The supervisors of the case's worker and station, or its station heads when it has none."""
    from shegong.accounts.selectors import role_holders

    supervisors = supervisor_ids(case)
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
    supervisors = supervisor_ids(case)
    if supervisors:
        return user_id_of(actor) in supervisors
    return is_station_head(actor, case)


def can_read_notes(actor, case) -> bool:
    """The lead worker, its supervisors and the station head; everyone else sees stage and dates."""
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

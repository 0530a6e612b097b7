"""One person, one record — without telling anyone where the other record is.

Every registry that keys people by ID number (recipients, social workers, volunteers) checks uniqueness here,
across every region, for pages, the API and imports alike. What the actor learns depends on reach:

- a record the actor can see (inside its scope): the message says so and carries the record's id, so the page
  can link to it and the API can return it;
- a record outside the actor's reach: one neutral message that names no region or registry, and an audit entry
  ``identity.duplicate_refused`` with the masked number and the actor (never the other region);
- after ``IDENTITY_PROBE_LIMIT`` such refusals within ``IDENTITY_PROBE_WINDOW`` for one actor (or, for the
  public sign-up, one client address), every further ID check is refused and audited as
  ``identity.check_throttled`` until the window has passed.

It lives in ``audit`` because the refusals are counted from the audit log itself: the database every process
shares, on SQLite and PostgreSQL alike, and a count an administrator can read back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.fields import blind_index_for
from shegong.core.masking import mask_id_number
from shegong.core.scoping import Scope, across_regions

from .models import AuditEvent
from .services import client_ip, record

REFUSED = "identity.duplicate_refused"
THROTTLED = "identity.check_throttled"
DEFAULT_LIMIT = 10
DEFAULT_WINDOW = datetime.timedelta(hours=1)
CHUNK = 2000


def refused_message() -> str:
    return _("该身份证号无法在此登记，请联系民政部门核实")


def throttled_message() -> str:
    return _("身份证号核验次数过多，已暂停核验，请一小时后再试或联系民政部门")


def registered_message() -> str:
    return _("该身份证号已有档案，一人只建一份档案")


@dataclass(frozen=True)
class Clash:
    """Why one ID number cannot be registered. ``existing_id`` is set only for a record inside reach."""

    kind: str  # "throttled" | "refused" | "registered" | "here"
    message: str = ""
    existing_id: int | None = None
    region_code: str = ""  # for the caller's own checks (the roster's "already here"); never shown

    def error(self, detail_url: Callable[[int], str] | None = None) -> ValidationError:
        """The ValidationError for the ``id_number`` field; pages turn ``existing_url`` into a link."""
        params: dict[str, Any] = {}
        if self.existing_id is not None:
            params["existing_id"] = self.existing_id
            if detail_url is not None:
                params["existing_url"] = detail_url(self.existing_id)
        return ValidationError(self.message, code=f"identity_{self.kind}", params=params or None)


def _limit() -> int:
    return int(getattr(settings, "IDENTITY_PROBE_LIMIT", DEFAULT_LIMIT))


def _window() -> datetime.timedelta:
    return getattr(settings, "IDENTITY_PROBE_WINDOW", DEFAULT_WINDOW)


def _user_id(actor) -> int | None:
    return getattr(getattr(actor, "user", None), "pk", None)


def _rate_key(actor, request) -> dict[str, Any] | None:
    """Whose refusals are counted: the user, else (public pages) the client address; the system is not limited."""
    user_id = _user_id(actor)
    if user_id is not None:
        return {"actor_id": user_id}
    if actor is None or not getattr(actor, "is_authenticated", False):
        ip = client_ip(request) if request is not None else ""
        return {"actor_id": None, "ip": ip} if ip else None
    return None


def refusals_in_window(actor, request=None) -> int:
    key = _rate_key(actor, request)
    if key is None:
        return 0
    since = timezone.now() - _window()
    return AuditEvent.objects.filter(action=REFUSED, at__gte=since, **key).count()


def _scope_of(actor) -> Scope:
    return getattr(actor, "scope", None) or Scope()


def _audit(action: str, *, actor, request, model, changes: dict[str, Any]) -> None:
    record(
        action,
        actor=actor,
        request=request,
        actor_name="" if _user_id(actor) is not None else str(actor or "public")[:150],
        object_type=model._meta.label_lower,
        changes=changes,
    )


def identity_clashes[K: Hashable](
    model,
    numbers: Mapping[K, str],
    *,
    actor,
    request=None,
    exclude_pk: int | None = None,
    indexes: Mapping[K, str] | None = None,
    already_here: Callable[[str], bool] | None = None,
) -> dict[K, Clash]:
    """The clashes among ``numbers`` (key → normalised ID number) with rows of ``model`` in any region.

    ``indexes`` may give each key's blind index when the caller has computed it already; ``already_here(region)``
    marks a clash the caller accepts (kind ``here``, no message: a roster row imported twice). Refusals are audited
    and counted before this returns; the caller only reports them.
    """
    numbers = {key: number for key, number in numbers.items() if number}
    if not numbers:
        return {}
    if refusals_in_window(actor, request) >= _limit():
        _audit(
            THROTTLED,
            actor=actor,
            request=request,
            model=model,
            changes={"id_numbers": sorted(mask_id_number(n) for n in numbers.values())},
        )
        return {key: Clash("throttled", throttled_message()) for key in numbers}
    index_of = dict(indexes) if indexes is not None else {}
    for key, number in numbers.items():
        if key not in index_of:
            index_of[key] = blind_index_for(model, "id_number_index", number)
    keys_by_index: dict[str, list[K]] = {}
    for key, index in index_of.items():
        if key in numbers:
            keys_by_index.setdefault(index, []).append(key)
    found: dict[str, tuple[int, str]] = {}
    wanted = list(keys_by_index)
    with across_regions("identity is unique across every region; outside reach the answer names no one"):
        for start in range(0, len(wanted), CHUNK):
            rows = model.objects.filter(id_number_index__in=wanted[start : start + CHUNK])
            if exclude_pk is not None:
                rows = rows.exclude(pk=exclude_pk)
            for index, pk, region_code in rows.values_list("id_number_index", "pk", "region_code"):
                found.setdefault(index, (pk, region_code))
    scope = _scope_of(actor)
    clashes: dict[K, Clash] = {}
    refused: list[str] = []
    for index, (pk, region_code) in found.items():
        for key in keys_by_index[index]:
            if already_here is not None and already_here(region_code):
                clashes[key] = Clash("here", existing_id=pk, region_code=region_code)
            elif scope.contains(region_code):
                clashes[key] = Clash(
                    "registered", registered_message(), existing_id=pk, region_code=region_code
                )
            else:
                clashes[key] = Clash("refused", refused_message())
                refused.append(numbers[key])
    for number in refused:
        _audit(
            REFUSED, actor=actor, request=request, model=model, changes={"id_number": mask_id_number(number)}
        )
    return clashes


def check_identity(
    model,
    number: str,
    *,
    actor,
    request=None,
    exclude_pk: int | None = None,
    detail_url: Callable[[int], str] | None = None,
) -> ValidationError | None:
    """The one-record check for a form or API write: None when ``number`` may be registered."""
    clash = identity_clashes(model, {0: number}, actor=actor, request=request, exclude_pk=exclude_pk).get(0)
    return clash.error(detail_url) if clash else None

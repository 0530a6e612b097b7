from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from shegong.core.regioncodes import Level, level_of
from shegong.core.scoping import Scope, activate
from shegong.regions.models import Region
from shegong.regions.selectors import area_choices, region_subtree_q

from . import actions
from .models import AuditEvent


def events_for(
    scope_codes: list[str],
    *,
    action: str = "",
    actor: str = "",
    region: str = "",
    date_from=None,
    date_to=None,
    q: str = "",
) -> QuerySet[AuditEvent]:
    """Entries in the audit admin's region subtrees; entries with no region are shown to every audit admin.

    ``action`` is a registered code (that action), words (every action whose words contain them: 登录 finds
    logins, failed logins and lockouts) or a code's beginning; ``actor`` is part of a name or username;
    ``region`` a region inside the admin's area (entries of its subtree).
    """
    scope = Scope.of(scope_codes)
    queryset = AuditEvent.objects.filter(scope.q("region_code") | Q(region_code=""))
    if action:
        if action in actions.ACTIONS:
            queryset = queryset.filter(action=action)
        elif matching := actions.codes_matching(action):
            queryset = queryset.filter(action__in=matching)
        else:
            queryset = queryset.filter(action__startswith=action)
    if actor:
        # Who acted, by the name shown for the account today or the username it had then (a failed login
        # stores only the username typed).
        users = get_user_model().objects.filter(
            Q(display_name__icontains=actor) | Q(username__icontains=actor)
        )
        queryset = queryset.filter(
            Q(actor_name__icontains=actor)
            | Q(actor_id__in=users.values("pk"))
            | Q(actor_id=None, actor_name__in=users.values("username"))
        )
    if region:
        queryset = queryset.filter(region_subtree_q(region, "region_code"))
    if date_from:
        queryset = queryset.filter(at__gte=_day_start(date_from))
    if date_to:
        queryset = queryset.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if q:
        # Who did what to which record, never the person's data: names, reasons and changed values are free text
        # about people, so the search matches record numbers and types only.
        queryset = queryset.filter(Q(object_id=q) | Q(object_type=q))
    return queryset.order_by("-seq")


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the deployment's time zone (Asia/Shanghai), as an aware moment."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def changed_fields(changes, object_type: str = "") -> str:
    """The names of what an entry changed, in words, without the values (a person's name, address or notes)."""
    if not isinstance(changes, dict):
        return ""
    return "、".join(actions.field_labels(object_type, changes))


@dataclass(frozen=True)
class ReadableEntry:
    """One entry as the audit admin reads it: words for the codes, names for the actor and region."""

    seq: int
    at: datetime.datetime
    actor: str
    action: str
    action_code: str
    object_type: str
    object_type_code: str
    object_id: str
    region: str
    region_code: str
    ip: str
    user_agent: str
    changed: str


def readable(events) -> list[ReadableEntry]:
    """``events`` in words, with two queries in all (the accounts, the regions), not two per entry.

    Nothing of the person the entry is about: no object name, reason or changed value (docs/roles.md).
    """
    events = list(events)
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    users = (
        {
            row["pk"]: row
            for row in get_user_model()
            .objects.filter(pk__in=user_ids)
            .values("pk", "username", "display_name")
        }
        if user_ids
        else {}
    )
    names = region_names({e.region_code for e in events if e.region_code})
    return [
        ReadableEntry(
            seq=e.seq,
            at=e.at,
            actor=_actor_label(e, users.get(e.actor_id)),
            action=actions.action_label(e.action),
            action_code=e.action,
            object_type=actions.object_label(e.object_type),
            object_type_code=e.object_type,
            object_id=e.object_id,
            region=names.get(e.region_code, e.region_code),
            region_code=e.region_code,
            ip=e.ip,
            user_agent=e.user_agent,
            changed=changed_fields(e.changes, e.object_type),
        )
        for e in events
    ]


def _actor_label(event: AuditEvent, user: dict | None) -> str:
    if user is None:
        return event.actor_name  # a command, a task, a public page or a failed login's typed username
    if user["display_name"]:
        return f"{user['display_name']}（{user['username']}）"
    return user["username"]


def region_names(codes: set[str]) -> dict[str, str]:
    """Names of the regions with ``codes``, in one query.

    Region names are no one's data; the audit admin, who holds no business scope, reads them for the entries of
    its area only.
    """
    if not codes:
        return {}
    with activate(Scope.of(codes)):
        return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def region_choices(scope_codes: list[str]) -> list[tuple[str, str]]:
    """The region picker of the audit admin's area: its regions and two levels under the highest of them (a
    township admin picks a community; a city admin its districts and townships, not thousands of communities)."""
    if not scope_codes:
        return []
    lowest = Level(min(Level.VILLAGE, min(level_of(code) for code in scope_codes) + 2))
    with activate(Scope.of(scope_codes)):
        return area_choices(list(scope_codes), lowest=lowest)

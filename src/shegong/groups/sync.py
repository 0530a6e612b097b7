"""What group work gives the field app's sync (``core.sync``): a session's attendance recorded offline, and the
open groups the worker leads with the members a register needs (names only)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import sync
from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Frequency, Group, GroupMember, GroupSession, GroupStage, Weekday

TEXT_LIMITS = {"place": 120, "content": 1000, "observations": 2000}


def attendance_from_device(actor, payload: dict, key: uuid.UUID):
    """A session and who came, ticked on the phone: the session page's own write, under the phone's key."""
    group_id = payload.get("group")
    if not sync.is_id(group_id):
        raise ValidationError({"group": [_("请选择小组")]})
    group = get_scoped_or_404(Group, pk=group_id)
    errors: dict[str, list[str]] = {}
    try:
        held_on = datetime.date.fromisoformat(str(payload.get("held_on") or ""))
    except ValueError:
        held_on = None
        errors["held_on"] = [_("请填写活动日期")]
    data: dict = {"held_on": held_on}
    for name, limit in TEXT_LIMITS.items():
        value = payload.get(name) or ""
        if not isinstance(value, str):
            errors[name] = [_("格式无效")]
        elif len(value) > limit:
            errors[name] = [_("不能超过 %(n)d 字") % {"n": limit}]
        data[name] = value if isinstance(value, str) else ""
    present = payload.get("present") or []
    if not isinstance(present, list) or not all(sync.is_id(i) for i in present):
        errors["present"] = [_("出席名单格式无效")]
        present = []
    if errors:
        raise ValidationError(errors)
    return services.session_record(actor=actor, group=group, data=data, present=present, idempotency_key=key)


def _schedule_of(group: Group, today: datetime.date) -> dict:
    """The schedule as the phone shows it, and the next session due computed on the server for ``today``: the
    phone takes a group as meeting today when ``next_due.on`` is its today, and as late when ``missed`` is set or
    that day has passed with no newer download."""
    upcoming = selectors.next_session_of(group, today)
    return {
        "meets": group.meets,
        "meets_label": str(Frequency(group.meets).label) if group.meets else "",
        "weekday": group.meets_weekday,
        "weekday_label": str(Weekday(group.meets_weekday).label) if group.meets_weekday is not None else "",
        "at": group.meets_at.strftime("%H:%M") if group.meets_at else "",
        "meets_place": group.meets_place,
        "next_due": {
            "number": upcoming.number,
            "on": upcoming.on.isoformat(),
            "missed": upcoming.missed.isoformat() if upcoming.missed else None,
        }
        if upcoming
        else None,
    }


ATTENDANCE = sync.Kind(
    name="group.attendance", label=gettext_lazy("小组活动出席"), create=attendance_from_device
)


def groups_for_worker(actor, since: datetime.datetime | None) -> sync.Section:
    """The open groups the worker leads or co-leads (all, or those changed since the cursor), with the members in
    the group today, and the ids to keep."""
    from shegong.visits.services import worker_of

    worker = worker_of(actor)
    if worker is None:
        return sync.Section(rows=[], keep=[])
    mine = Group.objects.filter(Q(leader_id=worker.pk) | Q(co_leaders=worker.pk)).exclude(
        stage=GroupStage.ENDED
    )
    ids = list(mine.order_by("pk").values_list("pk", flat=True).distinct())
    changed = Group.objects.filter(pk__in=ids)
    if since is not None:
        members = GroupMember.objects.filter(group_id=OuterRef("pk"), updated_at__gt=since)
        sessions = GroupSession.objects.filter(group_id=OuterRef("pk"), created_at__gt=since)
        # A scheduled group is always sent: its next session due moves with the calendar, not with a write.
        changed = changed.filter(
            Q(updated_at__gt=since) | Q(Exists(members)) | Q(Exists(sessions)) | ~Q(meets="")
        )
    groups = list(
        changed.select_related("node")
        .annotate(held=Count("sessions"), last_held_on=Max("sessions__held_on"))
        .order_by("starts_on", "pk")
    )
    today = timezone.localdate()
    roster: dict[int, list[dict]] = {g.pk: [] for g in groups}
    for member in (
        GroupMember.objects.filter(group_id__in=list(roster), joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .select_related("recipient")
        .order_by("joined_on", "pk")
    ):
        roster[member.group_id].append({"id": member.pk, "name": member.display_name})
    rows = [
        {
            "id": g.pk,
            "name": g.name,
            "stage_label": str(GroupStage(g.stage).label),
            "place": g.node.name,
            "held": g.held,
            "planned": g.planned_sessions,
            "members": roster[g.pk],
            **_schedule_of(g, today),
        }
        for g in groups
    ]
    return sync.Section(rows=rows, keep=ids)

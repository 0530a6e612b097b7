"""Volunteer hours: a volunteer logs its own, a worker confirms or returns them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core import tallies
from shegong.core.records import resolve_refs

from ..models import (
    HoursStatus,
    Volunteer,
    VolunteerHours,
    VolunteerStatus,
    VolunteerTeam,
    activity_model,
)
from ._shared import _today


def own_volunteer(actor) -> Volunteer | None:
    user = getattr(actor, "user", None)
    if user is None:
        return None
    return Volunteer.objects.filter(user=user).select_related("team").first()


def hours_log(*, actor, data: dict[str, Any], today: datetime.date | None = None) -> VolunteerHours:
    """A volunteer logs its own hours against an activity or its team; a worker confirms them later."""
    volunteer = own_volunteer(actor)
    if volunteer is None:
        raise ValidationError(_("您的账号没有关联志愿者档案，请联系社工站"))
    actor.require("hours.log", volunteer.region_code)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(_("您的志愿者登记尚未通过审核"))
    data = resolve_refs(data, {"team": VolunteerTeam, "activity": activity_model()})
    errors: dict[str, list[str]] = {}
    served_on = data.get("served_on")
    if served_on is None:
        errors.setdefault("served_on", []).append(_("请填写服务日期"))
    elif served_on > _today(today):
        errors.setdefault("served_on", []).append(_("服务日期不能晚于今天"))
    hours = data.get("hours")
    if hours is None or not Decimal("0.5") <= Decimal(hours) <= Decimal("24"):
        errors.setdefault("hours", []).append(_("时长须在 0.5 到 24 小时之间"))
    team = data.get("team") or volunteer.team
    if team is None and data.get("activity") is None:
        errors.setdefault("activity", []).append(_("请选择活动或队伍"))
    if not (data.get("description") or "").strip():
        errors.setdefault("description", []).append(_("请简要填写服务内容"))
    if errors:
        raise ValidationError(errors)
    entry = VolunteerHours(
        volunteer=volunteer,
        team=team,
        activity=data.get("activity"),
        served_on=served_on,
        hours=Decimal(hours),
        description=data["description"].strip(),
        region_code=volunteer.region_code,
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(
            "people.hours.log", actor=actor, obj=entry, changes={"hours": entry.hours, "served_on": served_on}
        )
    return entry


HOURS_METRIC = "volunteers.hours"


def hours_log_for(
    *, actor, volunteer: Volunteer, activity, served_on: datetime.date, hours, description: str
) -> VolunteerHours:
    """Log ``volunteer``'s hours at ``activity`` on its behalf (the activity's recorder lists its volunteers): the
    entry waits for a worker's confirmation like one the volunteer logged itself. Call it inside the activity's
    transaction; a bad value raises ValidationError keyed ``hours``."""
    actor.require("volunteers.change", volunteer.region_code)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(
            {"volunteers": [_("志愿者%(n)s尚未通过审核，不能登记时长") % {"n": volunteer.name}]}
        )
    try:
        amount = Decimal(str(hours))
    except ArithmeticError:
        amount = None
    if amount is None or not Decimal("0.5") <= amount <= Decimal("24"):
        raise ValidationError(
            {"volunteers": [_("%(n)s的时长须在 0.5 到 24 小时之间") % {"n": volunteer.name}]}
        )
    entry = VolunteerHours(
        volunteer=volunteer,
        team_id=volunteer.team_id,
        activity=activity,
        served_on=served_on,
        hours=amount.quantize(Decimal("0.1")),
        description=(description or "").strip()[:200] or _("社区活动"),
        region_code=volunteer.region_code,
    )
    entry.full_clean()
    entry.save()
    record(
        "people.hours.log",
        actor=actor,
        obj=entry,
        changes={"hours": entry.hours, "served_on": served_on, "activity": getattr(activity, "pk", None)},
    )
    return entry


def hours_confirm(*, actor, entry: VolunteerHours, note: str = "") -> VolunteerHours:
    return _hours_decide(actor, entry, HoursStatus.CONFIRMED, note)


def hours_reject(*, actor, entry: VolunteerHours, note: str = "") -> VolunteerHours:
    if not (note or "").strip():
        raise ValidationError({"note": [_("退回时请说明原因")]})
    return _hours_decide(actor, entry, HoursStatus.REJECTED, note)


def hours_confirm_all(*, actor, entries) -> list[VolunteerHours]:
    """Confirm every entry still waiting among ``entries`` (those the worker saw listed), one audit entry each.

    All or nothing: an entry outside the actor's confirming area refuses the whole batch. Entries someone else
    decided meanwhile are left as they are. Returns the entries confirmed now.
    """
    confirmed = []
    with transaction.atomic():
        for entry in entries:
            if entry.status == HoursStatus.LOGGED:
                confirmed.append(_hours_decide(actor, entry, HoursStatus.CONFIRMED, ""))
    return confirmed


def _hours_decide(actor, entry: VolunteerHours, status: str, note: str) -> VolunteerHours:
    actor.require("hours.confirm", entry.region_code)
    if entry.status != HoursStatus.LOGGED:
        raise ValidationError(_("这条时长已经处理过了"))
    with transaction.atomic():
        entry.status = status
        entry.note = (note or "").strip()[:200]
        entry.confirmed_by = actor.user
        entry.confirmed_at = timezone.now()
        entry.save(update_fields=["status", "note", "confirmed_by", "confirmed_at"])
        if status == HoursStatus.CONFIRMED:
            # Counted in the entry's own region (the volunteer's) and the month served (people.selectors).
            tallies.add(entry.region_code, entry.served_on, HOURS_METRIC, entry.hours)
        record(
            f"people.hours.{'confirm' if status == HoursStatus.CONFIRMED else 'reject'}",
            actor=actor,
            obj=entry,
            changes={"status": status, "hours": entry.hours},
        )
    return entry

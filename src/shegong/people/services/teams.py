"""Volunteer teams: the corps → detachment → squad hierarchy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record
from shegong.core.records import resolve_refs
from shegong.regions.models import Region

from ..models import (
    TEAM_PARENT_LEVELS,
    VolunteerTeam,
)
from ._shared import _snapshot

TEAM_FIELDS = ["region", "name", "level", "parent", "leader"]


def team_create(*, actor, data: dict[str, Any]) -> VolunteerTeam:
    data = resolve_refs(data, {"region": Region, "parent": VolunteerTeam})
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择所在区划")]})
    actor.require("volunteers.change", region.code)
    team = VolunteerTeam(**{k: v for k, v in data.items() if k in TEAM_FIELDS}, region_code=region.code)
    allowed = TEAM_PARENT_LEVELS.get(team.level, ())
    if team.parent_id is None and allowed:
        raise ValidationError({"parent": [_("%(level)s须有上级队伍") % {"level": team.get_level_display()}]})
    if team.parent_id is not None and team.parent.level not in allowed:
        raise ValidationError(
            {
                "parent": [
                    _("%(level)s不能隶属于%(parent)s")
                    % {"level": team.get_level_display(), "parent": team.parent.get_level_display()}
                ]
            }
        )
    team.full_clean()
    with transaction.atomic():
        team.save()
        record("people.team.create", actor=actor, obj=team, changes=diff({}, _snapshot(team, TEAM_FIELDS)))
    return team

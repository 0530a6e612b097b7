"""Volunteers: staff registration and edits, public self-registration and its approval."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.services import record
from shegong.core.records import RecordKind, create_record, update_record
from shegong.core.regioncodes import in_subtree
from shegong.core.text import join_list
from shegong.regions.models import Region

from ..models import (
    Skill,
    SocialWorker,
    Volunteer,
    VolunteerStatus,
    VolunteerTeam,
)
from ._shared import (
    SENSITIVE,
    _clean_identity,
    _duplicate_identity,
)

VOLUNTEER_FIELDS = [
    "region",
    "name",
    "id_number",
    "phone",
    "gender",
    "birth_date",
    "skills",
    "team",
    "recruited_by",
    "status",
]


VOLUNTEER_REFS = {"region": Region, "team": VolunteerTeam, "recruited_by": SocialWorker}


def _validate_volunteer(volunteer: Volunteer, *, actor, request=None) -> None:
    errors: dict[str, list[Any]] = {}
    _clean_identity(volunteer, errors, required_id=False)
    if not volunteer.phone:
        errors.setdefault("phone", []).append(_("请填写手机号"))
    _duplicate_identity(Volunteer, volunteer, errors, actor=actor, request=request)
    unknown = [s for s in volunteer.skills or [] if s not in Skill.values]
    if unknown:
        errors.setdefault("skills", []).append(_("未知的技能：%(s)s") % {"s": join_list(unknown)})
    if volunteer.team_id and not in_subtree(volunteer.region_id, volunteer.team.region_code):
        errors.setdefault("team", []).append(_("志愿者所在区划不在该队伍的范围内"))
    if errors:
        raise ValidationError(errors)


_KIND = RecordKind(
    model=Volunteer,
    permission="volunteers.change",
    fields=VOLUNTEER_FIELDS,
    refs=VOLUNTEER_REFS,
    validate=_validate_volunteer,
    action="people.volunteer",
    sensitive=SENSITIVE,
    missing_region=gettext_lazy("请选择所在区划"),
)


def volunteer_create(*, actor, data: dict[str, Any]) -> Volunteer:
    return create_record(_KIND, actor=actor, data=data)


def volunteer_update(*, actor, volunteer: Volunteer, data: dict[str, Any]) -> Volunteer:
    return update_record(_KIND, volunteer, actor=actor, data=data)


def volunteer_self_register(*, data: dict[str, Any], request=None) -> Volunteer:
    """The public sign-up page: no login, so the row waits for staff approval (status 待审核)."""
    region = data.get("region")
    if not isinstance(region, Region):
        raise ValidationError({"region": [_("请选择所在社区")]})
    volunteer = Volunteer(
        region=region,
        region_code=region.code,
        name=data.get("name", "").strip(),
        id_number=data.get("id_number") or "",
        phone=data.get("phone") or "",
        skills=list(data.get("skills") or []),
        status=VolunteerStatus.PENDING,
        self_registered=True,
    )
    _validate_volunteer(volunteer, actor=None, request=request)
    volunteer.full_clean()
    with transaction.atomic():
        volunteer.save()
        record(
            "people.volunteer.self_register",
            actor=None,
            obj=volunteer,
            request=request,
            actor_name="public",
            changes={"name": volunteer.name, "region": region.code},
        )
    return volunteer


def volunteer_approve(*, actor, volunteer: Volunteer) -> Volunteer:
    actor.require("volunteers.change", volunteer.region_code)
    if volunteer.status != VolunteerStatus.PENDING:
        raise ValidationError(_("只有待审核的志愿者需要审核"))
    with transaction.atomic():
        volunteer.status = VolunteerStatus.ACTIVE
        volunteer.save(update_fields=["status"])
        record("people.volunteer.approve", actor=actor, obj=volunteer, changes={"status": "active"})
    return volunteer

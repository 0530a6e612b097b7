"""Showing one sensitive value of a worker or volunteer in full, with a reason on the audit log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shegong.audit.services import record

from ._shared import SENSITIVE


def reveal(*, actor, obj, field: str, reason: str, permission: str) -> str:
    """Show one sensitive value in full; needs a reason and leaves an audit entry."""
    actor.require(permission, obj.region_code)
    if field not in SENSITIVE:
        raise ValidationError({"field": [_("只能查看身份证号或手机号")]})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请填写查看事由")]})
    record("reveal", actor=actor, obj=obj, changes={"field": field}, reason=reason)
    return getattr(obj, field)

"""Local policy per region: the bureau sets a region's own values; a blank value inherits its ancestor's."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.records import diff
from shegong.regions.models import Region, RegionStandard
from shegong.regions.selectors import POLICY_FIELDS, SEED_POLICY, Policy, policy_for


def _own(row: RegionStandard | None) -> dict:
    return {name: getattr(row, name) if row else None for name in POLICY_FIELDS}


def region_policy_update(*, actor, region: Region, values: dict) -> Policy:
    """Set ``region``'s own policy values (``None`` = inherit) and return the policy now in force there."""
    actor.require("policy.change", region.code)
    row = RegionStandard.objects.filter(region=region).first()
    before = _own(row)
    after = {name: values.get(name) for name in POLICY_FIELDS}
    inherited = policy_for(region.parent_id) if region.parent_id else SEED_POLICY
    resolved = {n: getattr(inherited, n) if after[n] is None else after[n] for n in POLICY_FIELDS}
    errors = {}
    if resolved["station_min_certified"] > resolved["station_min_fulltime"]:
        errors["station_min_certified"] = [_("持证社工数不能多于专职社工数")]
    if resolved["notice_min_days"] > resolved["notice_max_days"]:
        errors["notice_max_days"] = [_("交接最长期限不能短于最少提前通知天数")]
    for name in (
        "filing_due_days",
        "notice_max_days",
        "dishonesty_bar_years",
        "supervision_interval_days",
        "offline_wipe_days",
    ):
        if after[name] == 0:
            errors.setdefault(name, []).append(_("不能为 0"))
    if errors:
        raise ValidationError(errors)
    changes = diff(before, after)
    if not changes:
        return policy_for(region.code)
    with transaction.atomic():
        if all(v is None for v in after.values()):
            if row is not None:
                row.delete()
        else:
            row = row or RegionStandard(region=region)
            for name, value in after.items():
                setattr(row, name, value)
            row.full_clean()
            row.save()
        record(
            "policy.local.update",
            actor=actor,
            obj=region,
            object_type="regions.regionstandard",
            object_id=region.code,
            region_code=region.code,
            changes=changes,
        )
    return policy_for(region.code)

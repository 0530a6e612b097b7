"""Writes on the social-organisation registry: create, edit, import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record
from shegong.core.identity import IdentityError, validate_credit_code
from shegong.core.scoping import get_scoped_or_404
from shegong.regions.models import Region

from .models import Organisation, OrgFilingStatus, OrgKind

EDITABLE_FIELDS = [
    "name",
    "credit_code",
    "kind",
    "category",
    "region",
    "rating",
    "rating_date",
    "rating_expires",
    "filing_status",
    "filed_on",
    "incubated_by",
    "party_branch",
    "contact",
    "phone",
    "founded_on",
]


def snapshot(org: Organisation) -> dict[str, Any]:
    return {name: getattr(org, Organisation._meta.get_field(name).attname) for name in EDITABLE_FIELDS}


def _resolve_refs(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "region" in data and data["region"] is not None and not isinstance(data["region"], Region):
        data["region"] = get_scoped_or_404(Region, code=data["region"])
    if data.get("incubated_by") is not None and not isinstance(data["incubated_by"], Organisation):
        data["incubated_by"] = get_scoped_or_404(Organisation, pk=data["incubated_by"])
    return data


def validate_rules(org: Organisation) -> None:
    """The registry's own rules, beyond what the columns hold."""
    errors: dict[str, list[str]] = {}
    if org.credit_code:
        try:
            org.credit_code = validate_credit_code(org.credit_code)
        except IdentityError as exc:
            errors.setdefault("credit_code", []).append(str(exc))
    else:
        org.credit_code = None
    if org.kind == OrgKind.COMMUNITY:
        if not org.filing_status:
            org.filing_status = OrgFilingStatus.PENDING
        if org.filing_status == OrgFilingStatus.FILED and not org.filed_on:
            errors.setdefault("filed_on", []).append(_("已备案的社区社会组织须填写备案日期"))
    elif org.filing_status:
        errors.setdefault("filing_status", []).append(_("备案状态只适用于社区社会组织"))
    if org.incubated_by_id:
        hub = org.incubated_by
        if org.pk and hub.pk == org.pk:
            errors.setdefault("incubated_by", []).append(_("不能由自己孵化"))
        elif hub.kind != OrgKind.HUB:
            errors.setdefault("incubated_by", []).append(_("孵化方须是枢纽型组织"))
    if org.rating and not org.rating_date:
        errors.setdefault("rating_date", []).append(_("有评估等级时须填写评级日期"))
    if org.rating_expires and org.rating_date and org.rating_expires < org.rating_date:
        errors.setdefault("rating_expires", []).append(_("等级有效期不能早于评级日期"))
    if errors:
        raise ValidationError(errors)


def org_create(*, actor, data: dict[str, Any]) -> Organisation:
    data = _resolve_refs(data)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择登记区划")]})
    actor.require("orgs.change", region.code)
    org = Organisation(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    org.region_code = region.code
    validate_rules(org)
    org.full_clean()
    with transaction.atomic():
        org.save()
        record("orgs.organisation.create", actor=actor, obj=org, changes=diff({}, snapshot(org)))
    return org


def org_update(*, actor, org: Organisation, data: dict[str, Any]) -> Organisation:
    actor.require("orgs.change", org.region_code)
    data = _resolve_refs(data)
    if data.get("region") is not None:
        actor.require("orgs.change", data["region"].code)
    before = snapshot(org)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(org, key, value)
    org.region_code = org.region_id
    validate_rules(org)
    org.full_clean()
    with transaction.atomic():
        org.save()
        changes = diff(before, snapshot(org))
        if changes:
            record("orgs.organisation.update", actor=actor, obj=org, changes=changes)
    return org

"""Writes on the social-organisation registry: create, edit, import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.identity import IdentityError, validate_credit_code
from shegong.core.records import RecordKind, create_record, update_record
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


def validate_rules(org: Organisation, *, actor=None) -> None:
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


KIND = RecordKind(
    model=Organisation,
    permission="orgs.change",
    fields=EDITABLE_FIELDS,
    action="orgs.organisation",
    missing_region=gettext_lazy("请选择登记区划"),
    refs={"region": Region, "incubated_by": Organisation},
    validate=validate_rules,
)


def org_create(*, actor, data: dict[str, Any]) -> Organisation:
    return create_record(KIND, actor=actor, data=data)


def org_update(*, actor, org: Organisation, data: dict[str, Any]) -> Organisation:
    return update_record(KIND, org, actor=actor, data=data)

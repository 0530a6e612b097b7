"""Writing a region's rule table: replace it or fall back to the parent's, then re-plan everyone under it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.regions.selectors import region_subtree_q

from .engine import refresh_recipient
from .models import EventRule, Frequency, VisitRule


def _recipients_under(region):
    from shegong.recipients.models import Recipient  # the app's models import this package's models

    return Recipient.objects.filter(region_subtree_q(region.code)).iterator(chunk_size=2000)


def rules_replace(*, actor, region, rules: list[dict[str, Any]], event_hours: int) -> list[VisitRule]:
    """Replace a region's rule table, then re-run the policy for every recipient under it."""
    actor.require("policy.change", region.code)
    errors: dict[str, list[str]] = {}
    if not rules:
        errors["rules"] = [_("规则表至少需要一条规则；要恢复默认规则请使用“恢复默认”")]
    for index, rule in enumerate(rules, start=1):
        if rule.get("frequency") not in Frequency.values:
            errors.setdefault("rules", []).append(_("第 %(i)d 条规则：请选择频次") % {"i": index})
        if rule.get("risk_tier") not in (None, 1, 2, 3):
            errors.setdefault("rules", []).append(_("第 %(i)d 条规则：风险等级无效") % {"i": index})
    if not 1 <= int(event_hours or 0) <= 168:
        errors["event_hours"] = [_("重大变故探访时限应在 1–168 小时之间")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = list(VisitRule.objects.filter(region=region).values("category_id", "risk_tier", "frequency"))
        VisitRule.objects.filter(region=region).delete()
        EventRule.objects.filter(region=region).delete()
        created = [VisitRule.objects.create(region=region, region_code=region.code, **rule) for rule in rules]
        EventRule.objects.create(region=region, region_code=region.code, within_hours=event_hours)
        for recipient in _recipients_under(region):
            refresh_recipient(recipient)
        record(
            "policy.rules.replace",
            actor=actor,
            region_code=region.code,
            object_type="recipients.visitrule",
            object_id=region.code,
            changes={"before": before, "after": rules, "event_hours": event_hours},
        )
    return created


def rules_reset(*, actor, region) -> None:
    actor.require("policy.change", region.code)
    with transaction.atomic():
        VisitRule.objects.filter(region=region).delete()
        EventRule.objects.filter(region=region).delete()
        for recipient in _recipients_under(region):
            refresh_recipient(recipient)
        record(
            "policy.rules.reset",
            actor=actor,
            region_code=region.code,
            object_type="recipients.visitrule",
            object_id=region.code,
        )

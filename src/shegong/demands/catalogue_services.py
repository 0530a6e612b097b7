"""Writes on a region's catalogue, dispatch rules and holiday calendar, and the demand list's project-design marks.

A region starts with the shipped catalogue; ``customise`` copies it (or the catalogue it inherits) into the
region's own rows, which it then edits. Items are retired, never deleted: requests keep naming them.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.audit.services import record

from . import catalogue
from . import policy as rules
from .models import CatalogueDomain, CatalogueItem, DispatchPolicy, Holiday, ProjectBasis, ReceiverKind


def customise(*, actor, region_code: str) -> None:
    """Give the region its own copy of the catalogue it uses now (idempotent)."""
    actor.require("demands.catalogue", region_code)
    if catalogue.owner_of(region_code) == region_code:
        return
    with transaction.atomic():
        source = catalogue.domains_for(region_code)
        for domain in source:
            copy = CatalogueDomain.objects.create(
                region_id=region_code, code=domain.code, name=domain.name, position=domain.position
            )
            CatalogueItem.objects.bulk_create(
                [
                    CatalogueItem(
                        domain=copy,
                        code=item.code,
                        name=item.name,
                        description=item.description,
                        keywords=item.keywords,
                        receivers=list(item.receivers),
                        default_urgency=item.default_urgency,
                        resolve_days=item.resolve_days,
                        active=item.active,
                        position=item.position,
                    )
                    for item in domain.items.order_by("position", "pk")
                ]
            )
        record(
            "demands.catalogue.customise",
            actor=actor,
            region_code=region_code,
            object_type="demands.catalogue",
            object_id=region_code,
            changes={"domains": len(source)},
        )


class ItemForm(forms.ModelForm):
    receivers = forms.MultipleChoiceField(
        label=_lazy("可承接方"), choices=ReceiverKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CatalogueItem
        fields = [
            "domain",
            "name",
            "description",
            "keywords",
            "receivers",
            "default_urgency",
            "resolve_days",
            "active",
        ]

    def __init__(self, *args, region_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = CatalogueDomain.objects.filter(region_id=region_code)

    def _post_clean(self):
        pass  # the service validates and writes


def _apply(item, data) -> dict:
    before = {
        f: getattr(item, f)
        for f in ("name", "description", "keywords", "receivers", "default_urgency", "resolve_days", "active")
    }
    for name in ("name", "description", "keywords", "default_urgency", "resolve_days", "active"):
        if name in data:
            setattr(item, name, data[name])
    item.receivers = list(data.get("receivers") or [])
    if not item.receivers:
        raise ValidationError({"receivers": [_("请至少选择一类承接方")]})
    after = {f: getattr(item, f) for f in before}
    return {k: [before[k], after[k]] for k in before if before[k] != after[k]}


def item_update(*, actor, item: CatalogueItem, data: dict) -> CatalogueItem:
    region_code = item.domain.region_id
    if region_code is None:
        raise ValidationError(_("默认目录不能直接修改，请先建立本地服务目录"))
    actor.require("demands.catalogue", region_code)
    domain = data.get("domain")
    if domain is not None and domain.region_id != region_code:
        raise ValidationError({"domain": [_("请选择本地目录中的领域")]})
    with transaction.atomic():
        if domain is not None:
            item.domain = domain
        changes = _apply(item, data)
        item.full_clean()
        item.save()
        record(
            "demands.catalogue.item.update",
            actor=actor,
            obj=item,
            region_code=region_code,
            changes={k: [str(v[0]), str(v[1])] for k, v in changes.items()},
        )
    return item


def item_create(*, actor, region_code: str, data: dict) -> CatalogueItem:
    actor.require("demands.catalogue", region_code)
    domain = data.get("domain")
    if domain is None or domain.region_id != region_code:
        raise ValidationError({"domain": [_("请选择本地目录中的领域")]})
    with transaction.atomic():
        count = CatalogueItem.objects.filter(domain__region_id=region_code).count()
        item = CatalogueItem(domain=domain, code=f"{domain.code}.local{count + 1}", position=500 + count)
        _apply(item, data)
        item.full_clean()
        item.save()
        record(
            "demands.catalogue.item.create",
            actor=actor,
            obj=item,
            region_code=region_code,
            changes={"name": item.name},
        )
    return item


def rules_for(code: str) -> rules.Policy:
    return rules.policy_for(code)


def policy_update(*, actor, region_code: str, values: dict) -> DispatchPolicy:
    """Set (or clear, with None) the region's own dispatch rules; a cleared value inherits again."""
    actor.require("demands.catalogue", region_code)
    unknown = set(values) - set(rules.FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知的设置项")] for name in unknown})
    start = values.get("work_start_hour", rules.policy_for(region_code).work_start_hour)
    end = values.get("work_end_hour", rules.policy_for(region_code).work_end_hour)
    if start is not None and end is not None and not 0 <= start < end <= 24:
        raise ValidationError({"work_end_hour": [_("下班时间应晚于上班时间")]})
    with transaction.atomic():
        row, _created = DispatchPolicy.objects.get_or_create(region_id=region_code)
        before = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        record(
            "demands.policy.update",
            actor=actor,
            region_code=region_code,
            object_type="demands.dispatchpolicy",
            object_id=region_code,
            changes={k: [before[k], values[k]] for k in values if before[k] != values[k]},
        )
    return row


def holiday_set(*, actor, region_code: str, day: datetime.date, working: bool, name: str = "") -> Holiday:
    """Mark a day of the region's calendar as a day off or a working day (overrides the shipped calendar)."""
    actor.require("demands.catalogue", region_code)
    with transaction.atomic():
        row, _created = Holiday.objects.update_or_create(
            region_id=region_code, day=day, defaults={"working": working, "name": name[:30]}
        )
        record(
            "demands.holiday.update",
            actor=actor,
            region_code=region_code,
            object_type="demands.holiday",
            object_id=f"{region_code}:{day}",
            changes={"day": str(day), "working": working},
        )
    return row


def basis_mark(*, actor, region_code: str, item, since, until, note: str = "") -> ProjectBasis:
    """Mark an item's demand in a region and period as the basis for a project design (the projects app links it)."""
    from . import selectors

    actor.require("demands.catalogue", region_code)
    summary = next(
        (row for row in selectors.demand_summary([region_code], since, until) if row.item_id == item.pk), None
    )
    if summary is None:
        raise ValidationError(_("该事项在所选时段没有诉求"))
    with transaction.atomic():
        basis = ProjectBasis.objects.create(
            region_id=region_code,
            item=item,
            since=since,
            until=until,
            requests=summary.requests,
            unmet=summary.open,
            note=note.strip()[:300],
            marked_by=getattr(actor, "user", None),
        )
        record(
            "demands.basis.mark",
            actor=actor,
            obj=basis,
            changes={"item": item.code, "requests": summary.requests},
        )
    return basis

"""The dishonesty list (失信名单): listing a worker and the bar it puts on new assignments."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.scoping import across_regions
from shegong.regions.selectors import policy_for

from ..models import (
    DishonestyEntry,
    SocialWorker,
)
from ._shared import _today, add_years


def dishonesty_bar(worker: SocialWorker, on: datetime.date) -> DishonestyEntry | None:
    """The entry that bars ``worker`` on ``on``, if any. The list binds in every region, so the look-up is not
    limited to the actor's scope: a worker listed elsewhere and re-registered here is still barred."""
    condition = Q(worker_id=worker.pk)
    if worker.id_number_index:
        condition |= Q(id_number_index=worker.id_number_index)
    with across_regions("the dishonesty list binds in every region"):
        return (
            DishonestyEntry.objects.filter(condition, listed_on__lte=on, bar_until__gt=on)
            .order_by("-bar_until")
            .first()
        )


def dishonesty_message(entry: DishonestyEntry) -> str:
    return _(
        "该社工已于 %(listed)s 被列入失信名单（原因：%(reason)s），%(until)s 前不得安排社会工作岗位。"
    ) % {"listed": entry.listed_on.isoformat(), "reason": entry.reason, "until": entry.bar_until.isoformat()}


def dishonesty_add(
    *,
    actor,
    worker: SocialWorker,
    reason: str,
    listed_on: datetime.date | None = None,
    listed_by: str = "",
    today: datetime.date | None = None,
) -> DishonestyEntry:
    actor.require("dishonesty.change", worker.region_code)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写列入失信名单的原因")]})
    listed_on = listed_on or _today(today)
    if listed_on > _today(today):
        raise ValidationError({"listed_on": [_("列入日期不能晚于今天")]})
    entry = DishonestyEntry(
        worker=worker,
        reason=reason,
        listed_on=listed_on,
        bar_until=add_years(listed_on, policy_for(worker.region_code).dishonesty_bar_years),
        listed_by=listed_by.strip(),
        id_number_index=worker.id_number_index or "",
        region_code=worker.region_code,
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(
            "people.dishonesty.add",
            actor=actor,
            obj=worker,
            reason=reason,
            changes={"listed_on": listed_on, "bar_until": entry.bar_until},
        )
    return entry

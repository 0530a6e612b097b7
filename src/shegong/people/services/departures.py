"""Departures: the notice, then leaving, which ends the worker's open assignments."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import record

from ..models import (
    Departure,
    SocialWorker,
    WorkerStatus,
)


def departure_notice(
    *,
    actor,
    worker: SocialWorker,
    notice_date: datetime.date,
    planned_leaving_date: datetime.date,
    reason: str = "",
    replacement: SocialWorker | None = None,
) -> Departure:
    actor.require("people.change", worker.region_code)
    if worker.departures.filter(left_on__isnull=True).exists():
        raise ValidationError({"notice_date": [_("该社工已有未完成的离职申请")]})
    if replacement is not None and replacement.pk == worker.pk:
        raise ValidationError({"replacement": [_("补员社工不能是本人")]})
    departure = Departure(
        worker=worker,
        notice_date=notice_date,
        planned_leaving_date=planned_leaving_date,
        reason=(reason or "").strip(),
        replacement=replacement,
        region_code=worker.region_code,
    )
    departure.full_clean()
    with transaction.atomic():
        departure.save()
        worker.status = WorkerStatus.LEAVING
        worker.save(update_fields=["status"])
        record(
            "people.departure.notice",
            actor=actor,
            obj=departure,
            changes={
                "notice_date": notice_date,
                "planned_leaving_date": planned_leaving_date,
                "breaches": departure.breaches(notice_date),
            },
        )
    return departure


def departure_complete(
    *, actor, departure: Departure, left_on: datetime.date, replacement: SocialWorker | None = None
) -> Departure:
    """The worker leaves: its open assignments end that day; breaches of the notice rules stay on record."""
    actor.require("people.change", departure.region_code)
    if departure.left_on:
        raise ValidationError({"left_on": [_("该离职已办结")]})
    if replacement is not None:
        if replacement.pk == departure.worker_id:
            raise ValidationError({"replacement": [_("补员社工不能是本人")]})
        departure.replacement = replacement
    departure.left_on = left_on
    departure.full_clean()
    worker = departure.worker
    with transaction.atomic():
        departure.save()
        for assignment in worker.assignments.filter(end_date__isnull=True):
            if left_on < assignment.start_date:
                raise ValidationError(
                    {"left_on": [_("离岗日期早于到岗日期 %(d)s") % {"d": assignment.start_date}]}
                )
            assignment.end_date = left_on
            assignment.save(update_fields=["end_date"])
        worker.status = WorkerStatus.LEFT
        worker.save(update_fields=["status"])
        record(
            "people.departure.complete",
            actor=actor,
            obj=departure,
            changes={
                "left_on": left_on,
                "replacement": departure.replacement_id,
                "breaches": departure.breaches(left_on),
            },
        )
    return departure

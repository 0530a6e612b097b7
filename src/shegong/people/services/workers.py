"""Social workers: registering and editing the record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.audit.services import diff, record
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

from ..models import (
    Certificate,
    PayPost,
    SocialWorker,
)
from ._shared import SENSITIVE, _clean_identity, _duplicate_identity, _resolve, _snapshot

WORKER_FIELDS = [
    "region",
    "name",
    "id_number",
    "phone",
    "gender",
    "birth_date",
    "education",
    "major",
    "certificate",
    "certificate_number",
    "certificate_date",
    "employer",
    "pay_post",
    "pay_grade",
    "status",
]


WORKER_REFS = {"region": Region, "employer": Organisation, "pay_post": PayPost}


def _validate_worker(worker: SocialWorker) -> None:
    errors: dict[str, list[str]] = {}
    _clean_identity(worker, errors, required_id=True)
    _duplicate_identity(SocialWorker, worker, errors, _("社工"))
    if worker.certificate != Certificate.NONE and not worker.certificate_number:
        errors.setdefault("certificate_number", []).append(_("持证社工须填写证书编号"))
    if worker.certificate == Certificate.NONE and (worker.certificate_number or worker.certificate_date):
        errors.setdefault("certificate", []).append(_("填写了证书编号或取证日期，请选择职业资格等级"))
    if worker.pay_grade is not None:
        if worker.pay_post_id is None:
            errors.setdefault("pay_post", []).append(_("填写薪级时须选择薪酬岗位"))
        elif not 1 <= worker.pay_grade <= worker.pay_post.ladder.grades:
            errors.setdefault("pay_grade", []).append(
                _("%(ladder)s的薪级为 1–%(n)d 级")
                % {"ladder": worker.pay_post.ladder.name, "n": worker.pay_post.ladder.grades}
            )
    if errors:
        raise ValidationError(errors)


def worker_create(*, actor, data: dict[str, Any]) -> SocialWorker:
    data = _resolve(data, WORKER_REFS)
    region = data.get("region")
    if region is None:
        raise ValidationError({"region": [_("请选择登记区划")]})
    actor.require("people.change", region.code)
    worker = SocialWorker(**{k: v for k, v in data.items() if k in WORKER_FIELDS and v is not None})
    worker.region_code = region.code
    _validate_worker(worker)
    worker.full_clean()
    with transaction.atomic():
        worker.save()
        record(
            "people.worker.create",
            actor=actor,
            obj=worker,
            changes=diff({}, _snapshot(worker, WORKER_FIELDS)),
        )
    return worker


def worker_update(*, actor, worker: SocialWorker, data: dict[str, Any]) -> SocialWorker:
    actor.require("people.change", worker.region_code)
    data = _resolve(data, WORKER_REFS)
    if data.get("region") is not None:
        actor.require("people.change", data["region"].code)
    before = _snapshot(worker, WORKER_FIELDS)
    old_sensitive = {k: getattr(worker, k) for k in SENSITIVE}
    for key, value in data.items():
        if key in WORKER_FIELDS:
            setattr(worker, key, "" if value is None and key in SENSITIVE else value)
    worker.region_code = worker.region_id
    _validate_worker(worker)
    worker.full_clean()
    with transaction.atomic():
        worker.save()
        changes = diff(before, _snapshot(worker, WORKER_FIELDS))
        for key, old in old_sensitive.items():
            if getattr(worker, key) != old:
                changes[key] = {"before": "***", "after": "*** (changed)"}
        if changes:
            record("people.worker.update", actor=actor, obj=worker, changes=changes)
    return worker

"""Social workers: registering and editing the record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.records import RecordKind, create_record, update_record
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

from ..models import (
    Certificate,
    PayPost,
    SocialWorker,
)
from ._shared import (
    SENSITIVE,
    _clean_identity,
    _duplicate_identity,
)

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


def _validate_worker(worker: SocialWorker, *, actor) -> None:
    errors: dict[str, list[Any]] = {}
    _clean_identity(worker, errors, required_id=True)
    _duplicate_identity(SocialWorker, worker, errors, actor=actor)
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


_KIND = RecordKind(
    model=SocialWorker,
    permission="people.change",
    fields=WORKER_FIELDS,
    refs=WORKER_REFS,
    validate=_validate_worker,
    action="people.worker",
    sensitive=SENSITIVE,
    missing_region=gettext_lazy("请选择登记区划"),
)


def worker_create(*, actor, data: dict[str, Any]) -> SocialWorker:
    return create_record(_KIND, actor=actor, data=data)


def worker_update(*, actor, worker: SocialWorker, data: dict[str, Any]) -> SocialWorker:
    return update_record(_KIND, worker, actor=actor, data=data)

"""Writes of the regions app: a bureau's roster words (``core.models.ImportSynonym``), audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core import importjobs, rosters
from shegong.core.auditing import record
from shegong.core.models import ImportSynonym, SynonymTarget
from shegong.core.scoping import across_regions


def import_fields(kind: str) -> dict[str, str]:
    """The fields a roster word may name: key → header, of one import or ("") of every registered one."""
    kinds = [kind] if kind else list(importjobs._importers)
    fields: dict[str, str] = {}
    for each in kinds:
        if importjobs.importer_for(each).spec is None:
            continue
        for column in importjobs.spec_of(each).columns:
            fields.setdefault(column.key, column.header)
    return fields


def import_word_add(
    *, actor, region_code: str, kind: str, target: str, field_key: str, text: str, value: str = ""
) -> ImportSynonym:
    actor.require("policy.change", region_code)
    if kind and kind not in importjobs._importers:
        raise ValidationError({"kind": _("没有这个导入")})
    if field_key not in import_fields(kind):
        raise ValidationError({"field_key": _("这个导入没有「%(f)s」字段") % {"f": field_key}})
    if target == SynonymTarget.VALUE and not value.strip():
        raise ValidationError({"value": _("请填写对应的值")})
    word = ImportSynonym(
        region_code=region_code,
        kind=kind,
        target=target,
        field_key=field_key,
        text=rosters.header_key(text) if target == SynonymTarget.HEADER else text.strip(),
        value=value.strip() if target == SynonymTarget.VALUE else "",
        created_by=actor.user,
    )
    with transaction.atomic():
        word.full_clean()
        with across_regions("a region's roster words are unique whoever can see them"):
            clash = ImportSynonym.objects.filter(
                region_code=region_code, kind=kind, target=target, text=word.text
            ).exists()
        if clash:
            raise ValidationError({"text": _("本区划已有这个写法")})
        word.save()
        record(
            "policy.import_word.add",
            actor=actor,
            obj=word,
            region_code=region_code,
            changes={
                "kind": kind,
                "target": target,
                "field": field_key,
                "text": word.text,
                "value": word.value,
            },
        )
    return word


def import_word_delete(*, actor, word: ImportSynonym) -> None:
    actor.require("policy.change", word.region_code)
    with transaction.atomic():
        record(
            "policy.import_word.delete",
            actor=actor,
            obj=word,
            region_code=word.region_code,
            changes={"kind": word.kind, "field": word.field_key, "text": word.text, "value": word.value},
        )
        word.delete()

"""Roster import (名册导入): all or nothing, every bad cell reported and marked in a copy of the user's file.

A row whose ID number is already in the registry under the import region is left as it is (importing the same
roster twice adds nothing); one registered elsewhere is refused without naming where (shegong.audit.identity).

The page runs it as a background job (``shegong.core.importjobs``, registered in ``apps.py``) whose status page
polls its progress; ``shegong recipients import`` calls ``import_roster`` directly. Reading, checking, planning
and (on SQLite) encrypting happen before the one write transaction, which only inserts prepared rows: on SQLite
the transaction holds the database's single write lock, and visits submitted meanwhile wait for it
(docs/adr/0006-background-imports.md).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.identity import identity_clashes
from shegong.audit.services import record
from shegong.core import crypto, rosters
from shegong.core import xlsx_import as x
from shegong.core.bulk import copy_rows, execute_rows, insert_rows, next_ids
from shegong.core.identity import IdentityError, ResidentId, parse_id_number, validate_phone
from shegong.core.regioncodes import Level, RegionCodeError, in_subtree, normalise
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.regions.imports import NAME_COLUMNS, resolve_region_names
from shegong.regions.models import Region

from . import care
from . import timeline as lines
from .care import policy
from .models import (
    Category,
    CategoryMembership,
    Recipient,
    RecipientStatus,
    RiskTier,
    TimelineEntry,
)

log = logging.getLogger(__name__)
CHECKING, WRITING = "checking", "writing"  # the job's statuses (shegong.core.models.ImportStatus)
Progress = Callable[[int, int, str], None]


def _id_number_parser(parsed: dict[str, ResidentId] | None) -> x.Parser:
    """The ID column's parser; keeps each ``ResidentId`` in ``parsed`` (one import's own dict) for the write."""

    def parse(value) -> str:
        resident = parse_id_number(value)
        if parsed is not None:
            parsed[resident.number] = resident
        return resident.number

    return parse


# Category words as bureaus write them → the dictionary's names. A region adds its own on the import-words page
# (``core.models.ImportSynonym``, target "value", field "categories").
CATEGORY_SYNONYMS = {
    "低保": "最低生活保障",
    "低保户": "最低生活保障",
    "低保对象": "最低生活保障",
    "城市低保": "最低生活保障",
    "农村低保": "最低生活保障",
    "城乡低保": "最低生活保障",
    "城市最低生活保障": "最低生活保障",
    "农村最低生活保障": "最低生活保障",
    "低保边缘户": "低保边缘",
    "低边": "低保边缘",
    "低保边缘家庭": "低保边缘",
    "分散供养特困": "特困人员（分散供养）",
    "分散供养特困人员": "特困人员（分散供养）",
    "特困供养（分散）": "特困人员（分散供养）",
    "特困（分散）": "特困人员（分散供养）",
    "分散特困": "特困人员（分散供养）",
    "农村分散供养特困人员": "特困人员（分散供养）",
    "集中供养特困": "特困人员（集中供养）",
    "集中供养特困人员": "特困人员（集中供养）",
    "特困供养（集中）": "特困人员（集中供养）",
    "特困（集中）": "特困人员（集中供养）",
    "集中特困": "特困人员（集中供养）",
    "临时救助对象": "临时救助",
    "重残": "重度残疾人",
    "重度残疾": "重度残疾人",
}


def _categories_parser(extra_synonyms: dict[str, str] | None = None) -> x.Parser:
    """Reads the category dictionary at its first cell, once per import (the spec alone, e.g. for its header,
    reads nothing). A word in ``CATEGORY_SYNONYMS`` or ``extra_synonyms`` (a region's) reads as its category."""
    known: dict[str, int] = {}
    loaded: list[bool] = []

    def parse(value) -> list[int]:
        if not loaded:
            loaded.append(True)
            for category in Category.objects.filter(active=True):
                # Cells arrive NFKC-folded (full-width brackets become ASCII): fold the names the same way.
                known[x.normalise_text(category.name)] = known[category.code] = category.pk
            for word, name in (*CATEGORY_SYNONYMS.items(), *(extra_synonyms or {}).items()):
                target = known.get(x.normalise_text(name))
                if target is not None:
                    known.setdefault(x.normalise_text(word), target)
        names = [
            p.strip()
            for p in str(value).replace("，", "、").replace(",", "、").replace(";", "、").split("、")
        ]
        result = []
        for name in filter(None, names):
            if name not in known:
                raise x.CellError(_("未知的对象类别“%(c)s”（类别名称见“对象类别”字典）") % {"c": name})
            result.append(known[name])
        return result

    def display(ids: list[int]) -> str:
        """The categories' names, for the mapping step's preview."""
        names: dict[int, str] = {}
        for name, pk in known.items():  # the dictionary's own names come first, before the synonyms
            if not name.isascii():
                names.setdefault(pk, name)
        return "、".join(names.get(pk, str(pk)) for pk in ids or [])

    parse.display = display  # type: ignore[attr-defined]
    return parse


# Beside the labels (the template's drop-down), the English codes.
RISK_CODES = {"high": RiskTier.HIGH, "key": RiskTier.KEY, "general": RiskTier.GENERAL}


def roster_spec(
    parsed_ids: dict[str, ResidentId] | None = None, category_synonyms: dict[str, str] | None = None
) -> x.ImportSpec:
    """The sheet's columns; built per import so the category dictionary is read once and is current. The
    village is a 12-digit code, or a township and community name resolved inside the import's area."""
    return x.ImportSpec(
        _("服务对象名册"),
        [
            x.Column("name", "姓名", required=True, parse=x.text(50), example="张三"),
            x.Column(
                "id_number",
                "身份证号",
                required=True,
                parse=x.wrap(_id_number_parser(parsed_ids), IdentityError),
                text_format=True,
                example="50010319450312113X",
                help="18 位身份证号，请把该列设为文本，避免 Excel 改成科学计数",
            ),
            x.Column(
                "phone",
                "联系电话",
                parse=x.wrap(validate_phone, IdentityError),
                text_format=True,
                example="13800138000",
            ),
            x.Column(
                "region",
                "村（社区）区划代码",
                parse=x.wrap(normalise, RegionCodeError),
                text_format=True,
                example="500103002001",
                aliases=("区划代码", "村社区代码", "社区代码", "村（社区）代码", "社区区划代码"),
                help="12 位统计用区划代码（村级）；也可不填代码，改填「街道」「社区」两列名称",
                region_code=True,
            ),
            *NAME_COLUMNS,
            x.Column("address", "居住地址", parse=x.text(200), example="民族路 1 号 3-2"),
            x.Column(
                "categories",
                "对象类别",
                parse=_categories_parser(category_synonyms),
                example="最低生活保障、困难老人（独居）",
                help="多个类别用顿号分隔",
            ),
            x.Column("start_on", "认定日期", parse=x.date, example="2024-03-01"),
            x.Column("authority", "认定机关", parse=x.text(100), example="渝中区民政局"),
            x.choice_column("risk_tier", "风险等级", RiskTier.choices, extra=RISK_CODES, example="一般"),
            x.Column("risk_reason", "评定理由", parse=x.text(200)),
        ],
        one_of=(("region", "community"),),
    )


@dataclass
class ImportResult:
    created: int
    existing: int
    total: int
    ignored: list[str] = field(default_factory=list)  # the file's columns no field read
    skipped: int = 0  # 合计 / 小计 rows


def _check(result: x.ParseResult, spec: x.ImportSpec, region_code: str) -> dict[str, Region]:
    x.duplicates_in_file(result, "id_number", spec)
    codes = {row.values["region"] for row in result.rows if row.values.get("region")}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for row in result.rows:
        code = row.values.get("region")
        if not code:
            if not (row.values.get("community") or row.values.get("township")):
                message = _("须填写村（社区）区划代码，或街道（乡镇）和村（社区）名称")
                at = next(k for k in ("region", "community", "township", "name") if k in result.column_index)
                result.error(row.row, at, message, spec)
            continue
        region = regions.get(code)
        if region is None:
            result.error(
                row.row, "region", _("区划代码 %(c)s 不存在或不在您的管辖范围内") % {"c": code}, spec
            )
        elif region.level != Level.VILLAGE:
            result.error(
                row.row,
                "region",
                _("须填写村（社区）级区划代码，%(c)s 是%(n)s") % {"c": code, "n": region.name},
                spec,
            )
        elif not in_subtree(code, region_code):
            result.error(row.row, "region", _("%(n)s不在本次导入的区划内") % {"n": region.name}, spec)
        if row.values.get("risk_tier") in (RiskTier.HIGH, RiskTier.KEY) and not row.values.get("risk_reason"):
            result.error(row.row, "risk_reason", _("高风险和重点对象须填写评定理由"), spec)
        # A category without its 认定日期 (bureaus' monthly rosters carry none) is in force from the import's day.
        if row.values.get("start_on") and row.values["start_on"] > timezone.localdate():
            result.error(row.row, "start_on", _("认定日期不能晚于今天"), spec)
    return regions


def _registry(
    result: x.ParseResult, spec: x.ImportSpec, region_code: str, progress: Progress | None, *, actor
) -> tuple[set[int], dict[str, str]]:
    """Rows already registered under the region (skipped); refuses those registered elsewhere without naming where.

    Returns those rows and the blind index of every ID number (reused when writing)."""
    blind_index = crypto.indexer(Recipient._meta.get_field("id_number_index").domain)
    indexes: dict[str, x.ParsedRow] = {}
    by_number: dict[str, str] = {}
    for count, row in enumerate(result.rows, start=1):
        number = row.values.get("id_number")
        if number:
            # The parser's output is already what the field's normaliser returns for it.
            index = by_number[number] = blind_index(number)
            indexes[index] = row
        if progress and count % 2000 == 0:
            progress(count, len(result.rows), CHECKING)
    numbers = {row.row: row.values["id_number"] for row in indexes.values()}
    row_indexes = {row.row: index for index, row in indexes.items()}
    clashes = identity_clashes(
        Recipient,
        numbers,
        actor=actor,
        indexes=row_indexes,
        already_here=lambda code: in_subtree(code, region_code),
    )
    existing_rows: set[int] = set()
    for row_number, clash in clashes.items():
        if clash.kind == "here":
            existing_rows.add(row_number)
            continue
        message = clash.message
        if clash.existing_id is not None:
            message = _("%(m)s（已有档案编号 %(id)s）") % {"m": message, "id": clash.existing_id}
        result.error(row_number, "id_number", message, spec)
    return existing_rows, by_number


KIND = "recipients.roster"


def import_roster(
    *,
    actor,
    content: bytes,
    region_code: str,
    progress: Progress | None = None,
    filename: str = "",
    mapping: list[str] | None = None,
    header_row: int | None = None,
) -> ImportResult:
    """Check every row; write all of them in one transaction, or raise ImportRejected and write nothing.
    ``mapping`` and ``header_row``: the confirmed column mapping (``core.rosters``); guessed when None."""
    actor.require("recipients.import", region_code)
    home = Region.objects.get(code=region_code)
    synonyms = rosters.synonyms_for(KIND, region_code)
    parsed_ids: dict[str, ResidentId] = {}
    spec = roster_spec(parsed_ids, synonyms.values.get("categories"))
    result = x.parse_workbook(spec, content, mapping=mapping, header_row=header_row, synonyms=synonyms)
    if result.errors and not result.rows:
        raise x.ImportRejected.of(result, content)
    if progress:
        progress(0, len(result.rows), CHECKING)
    resolve_region_names(result, spec, home)
    _check(result, spec, region_code)
    existing, id_indexes = _registry(result, spec, region_code, progress, actor=actor)
    if result.errors:
        raise x.ImportRejected.of(result, content)
    new_rows = [row for row in result.rows if row.row not in existing]
    prepared = _prepare(actor, new_rows, parsed_ids, id_indexes)
    if progress:
        progress(len(result.rows), len(result.rows), WRITING)
    with transaction.atomic():
        created = _write(prepared)
        record(
            "recipients.import",
            actor=actor,
            region_code=region_code,
            object_type="recipients.recipient",
            changes={
                "file": filename,
                "rows": len(result.rows),
                "created": created,
                "existing": len(existing),
                "columns": dict(zip(result.header, result.mapping, strict=False)),
            },
        )
    return ImportResult(
        created=created,
        existing=len(existing),
        total=len(result.rows),
        ignored=result.ignored,
        skipped=len(result.skipped),
    )


def _stations(village_codes: set[str]) -> dict[str, int]:
    townships = {c[:9] + "000" for c in village_codes}
    return dict(
        ServiceNode.objects.filter(region_id__in=townships, level=NodeLevel.STATION)
        .exclude(status=NodeStatus.CLOSED)
        .values_list("region_id", "pk")
    )


@dataclass
class _Planned:
    """One new recipient's values, computed once for either write path."""

    values: dict
    categories: list[int]
    start_on: datetime.date | None
    authority: str


def _plan(rows: list[x.ParsedRow], parsed_ids: dict[str, ResidentId]) -> list[_Planned]:
    today = timezone.localdate()
    stations = _stations({row.values["region"] for row in rows})
    tables = care.rule_tables({row.values["region"] for row in rows})
    codes = {c.pk: c.code for c in Category.objects.all()}
    strictest: dict[tuple, policy.Rule | None] = {}
    due: dict[str, datetime.date] = {}
    planned = []
    for row in rows:
        values = row.values
        parsed = parsed_ids.get(values["id_number"]) or parse_id_number(values["id_number"])
        tier = values.get("risk_tier") or RiskTier.GENERAL
        categories = values.get("categories") or []
        region = values["region"]
        table = tables[region]
        key = (id(table), frozenset(categories), tier)
        if key not in strictest:
            strictest[key] = policy.strictest(table.rules, {codes[c] for c in categories}, tier)
        rule = strictest[key]
        if rule and rule.frequency not in due:
            due[rule.frequency] = policy.next_due(rule.frequency, last_visit=None, registered_on=today)
        planned.append(
            _Planned(
                {
                    "name": values["name"],
                    "id_number": parsed.number,
                    "birth_date": parsed.birth_date,
                    "sex": parsed.sex,
                    "phone": values.get("phone") or "",
                    "address": values.get("address") or "",
                    "region_id": region,
                    "region_code": region,
                    "station_id": stations.get(region[:9] + "000"),
                    "risk_tier": tier,
                    "risk_reason": values.get("risk_reason") or "",
                    "registered_on": today,
                    "frequency": rule.frequency if rule else "",
                    "next_due_on": due[rule.frequency] if rule else None,
                },
                categories,
                values.get("start_on") or (today if categories else None),
                values.get("authority") or "",
            )
        )
    return planned


@dataclass
class _Prepared:
    """Everything the write needs, computed before its transaction begins."""

    planned: list[_Planned]
    id_indexes: dict[str, str]
    actor_name: str
    month: datetime.date
    recipient_values: list[tuple] | None  # SQLite: the rows, encrypted; PostgreSQL encrypts while it COPYs


def _prepare(
    actor,
    rows: list[x.ParsedRow],
    parsed_ids: dict[str, ResidentId] | None = None,
    id_indexes: dict[str, str] | None = None,
) -> _Prepared:
    planned = _plan(rows, parsed_ids or {}) if rows else []
    id_indexes = id_indexes or {}
    values = None
    if connection.vendor != "postgresql":
        # SQLite has one writer: encrypt here, so the write transaction (which holds the lock that visits submitted
        # meanwhile wait for) only inserts. PostgreSQL's readers and writers do not wait on it.
        values = list(_recipient_values(planned, id_indexes))
    return _Prepared(planned, id_indexes, str(actor)[:150], timezone.localdate().replace(day=1), values)


def _write(prepared: _Prepared) -> int:
    """Inside the caller's transaction: insert the prepared rows and what hangs off them."""
    planned = prepared.planned
    if not planned:
        return 0
    ids = next_ids(Recipient, len(planned))
    if prepared.recipient_values is None:
        values = _recipient_values(planned, prepared.id_indexes)
    else:
        values = prepared.recipient_values
    rows = ((pk, *row) for pk, row in zip(ids, values, strict=True))
    if connection.vendor == "postgresql":
        copy_rows(
            Recipient, RECIPIENT_COLUMNS, rows
        )  # a generator: the server takes in rows while we encrypt
    else:
        execute_rows(Recipient, RECIPIENT_COLUMNS, rows)
    memberships, entries = [], []
    summary = lines.render(lines.IMPORTED)
    now = timezone.now()
    for pk, plan in zip(ids, planned, strict=True):
        village = plan.values["region_code"]
        for category_id in plan.categories:
            memberships.append((village, pk, category_id, plan.start_on, None, plan.authority))
        entries.append((village, pk, now, "create", lines.IMPORTED, {}, summary, prepared.actor_name))
    insert_rows(
        CategoryMembership,
        ["region_code", "recipient_id", "category_id", "start_on", "end_on", "authority"],
        memberships,
    )
    insert_rows(
        TimelineEntry,
        ["region_code", "recipient_id", "at", "kind", "message", "params", "summary", "actor_name"],
        entries,
    )
    care.add_new_recipients(
        [
            (pk, plan.values["region_code"], plan.values["frequency"])
            for pk, plan in zip(ids, planned, strict=True)
        ],
        prepared.month,
    )
    return len(planned)


RECIPIENT_COLUMNS = [
    "id",
    "uid",
    "region_code",
    "name",
    "id_number",
    "id_number_index",
    "birth_date",
    "sex",
    "phone",
    "phone_index",
    "address",
    "region_id",
    "station_id",
    "worker_id",
    "status",
    "status_note",
    "risk_tier",
    "risk_reason",
    "risk_review_on",
    "notes",
    "registered_on",
    "frequency",
    "last_visit_at",
    "next_due_on",
    "event_due_at",
    "created_at",
    "updated_at",
]


def _recipient_values(planned: list[_Planned], id_indexes: dict[str, str]):
    """Each new recipient's row after its id (``RECIPIENT_COLUMNS[1:]``): encrypted (ID number, phone, risk
    reason; the status note and notes are empty) and indexed here exactly as the fields would
    (``EncryptedField.pre_save`` / ``BlindIndexField.pre_save``), with the same associated data."""
    meta = Recipient._meta
    id_field, phone_field = meta.get_field("id_number"), meta.get_field("phone")
    id_index, phone_index = meta.get_field("id_number_index"), meta.get_field("phone_index")
    id_ad = f"{meta.db_table}.{id_field.column}:"
    phone_ad = f"{meta.db_table}.{phone_field.column}:"
    reason_ad = f"{meta.db_table}.{meta.get_field('risk_reason').column}:"
    now = timezone.now()
    encrypt, index_id, index_phone = (
        crypto.sealer(),
        crypto.indexer(id_index.domain),
        crypto.indexer(phone_index.domain),
    )
    uuid4 = uuid.uuid4
    for plan in planned:
        v = plan.values
        uid = uuid4()
        suffix = str(uid)
        number, phone = v["id_number"], v["phone"]
        # Parsed values are already normalised (the normalisers are idempotent on them): index them directly.
        yield (
            uid,
            v["region_code"],
            v["name"],
            encrypt(number, id_ad + suffix),
            id_indexes.get(number) or index_id(number),
            v["birth_date"],
            v["sex"],
            encrypt(phone, phone_ad + suffix) if phone else "",
            index_phone(phone) if phone else None,
            v["address"],
            v["region_id"],
            v["station_id"],
            None,
            RecipientStatus.ACTIVE.value,
            "",
            v["risk_tier"],
            encrypt(v["risk_reason"], reason_ad + suffix) if v["risk_reason"] else "",
            None,
            "",
            v["registered_on"],
            v["frequency"],
            None,
            v["next_due_on"],
            None,
            now,
            now,
        )

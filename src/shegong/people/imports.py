"""Excel imports of social workers and volunteers: all rows or none, with a marked error file."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.identity import identity_clashes
from shegong.audit.services import record
from shegong.core import rosters
from shegong.core import xlsx_import as x
from shegong.core.identity import IdentityError, parse_id_number, validate_credit_code, validate_phone
from shegong.core.scoping import get_scoped_or_404
from shegong.orgs.models import Organisation
from shegong.regions.imports import NAME_COLUMNS, REGION_COLUMN, resolve_region_column, resolve_region_names
from shegong.regions.models import Region

from .models import Certificate, Education, Skill, SocialWorker, Volunteer, VolunteerTeam


def _skills(value) -> list[str]:
    labels = {str(label): code for code, label in Skill.choices}
    found = []
    for part in str(value).replace("，", "、").replace(",", "、").replace(";", "、").split("、"):
        part = part.strip()
        if not part:
            continue
        if part not in labels and part not in Skill.values:
            raise x.CellError(_("未知的技能“%(s)s”（可选：%(o)s）") % {"s": part, "o": "、".join(labels)})
        found.append(labels.get(part, part))
    return found


ID_COLUMN = x.Column(
    "id_number",
    "身份证号",
    required=True,
    parse=x.wrap(parse_id_number, IdentityError),
    text_format=True,
    example="500103199001011234",
    help="18 位居民身份证号，请设为文本格式",
)
PHONE_COLUMN = x.Column(
    "phone", "手机号", parse=x.wrap(validate_phone, IdentityError), text_format=True, example="13800000000"
)

WORKER_SPEC = x.ImportSpec(
    title="社工",
    name=gettext_lazy("社工名册"),
    columns=[
        x.Column("name", "姓名", required=True, parse=x.text(50), example="张晓"),
        ID_COLUMN,
        PHONE_COLUMN,
        x.choice_column("education", "学历", Education.choices, example="本科"),
        x.Column("major", "专业", parse=x.text(40)),
        x.choice_column("certificate", "职业资格", Certificate.choices, example="社会工作师"),
        x.Column("certificate_number", "证书编号", parse=x.text(40), text_format=True),
        x.Column("certificate_date", "取证日期", parse=x.date),
        x.Column(
            "employer",
            "用人机构信用代码",
            parse=x.wrap(validate_credit_code, IdentityError),
            text_format=True,
            help="用人机构的统一社会信用代码，须已在社会组织名录中",
        ),
        REGION_COLUMN,
        *NAME_COLUMNS,
    ],
)

VOLUNTEER_SPEC = x.ImportSpec(
    title="志愿者",
    name=gettext_lazy("志愿者名册"),
    columns=[
        x.Column("name", "姓名", required=True, parse=x.text(50), example="赵敏"),
        ID_COLUMN,
        x.Column(
            "phone",
            "手机号",
            required=True,
            parse=x.wrap(validate_phone, IdentityError),
            text_format=True,
            example="13800000000",
        ),
        x.Column(
            "skills",
            "技能",
            parse=_skills,
            example="生活照料、文体艺术",
            help="多个用顿号分隔：" + "、".join(str(label) for _code, label in Skill.choices),
        ),
        x.Column("team", "所属队伍", parse=x.text(100), help="已建立的志愿服务队伍名称"),
        REGION_COLUMN,
        *NAME_COLUMNS,
    ],
)


def _identity(result: x.ParseResult, spec: x.ImportSpec, model, *, actor) -> None:
    for row in result.rows:
        parsed = row.values.get("id_number")
        row.values["id_key"] = parsed.number if parsed else None
    x.duplicates_in_file(result, "id_key", spec)
    # The duplicate check reports on the ID column.
    for error in list(result.errors):
        if error.column == "id_key":
            result.errors.remove(error)
            result.error(error.row, "id_number", error.message, spec)
    numbers = {r.row: r.values["id_key"] for r in result.rows if r.values.get("id_key")}
    for row, clash in identity_clashes(model, numbers, actor=actor).items():
        message = clash.message
        if clash.existing_id is not None:
            message = _("%(m)s（已有档案编号 %(id)s）") % {"m": message, "id": clash.existing_id}
        result.error(row, "id_number", message, spec)


def _reject_if_errors(result: x.ParseResult, content: bytes) -> None:
    if result.errors:
        raise x.ImportRejected.of(result, content)


def import_workers(
    *, actor, content: bytes, region_code: str, progress=None, mapping=None, header_row=None
) -> int:
    home = get_scoped_or_404(Region, code=region_code)
    actor.require("people.import", home.code)
    synonyms = rosters.synonyms_for("people.workers", home.code)
    result = x.parse_workbook(WORKER_SPEC, content, mapping=mapping, header_row=header_row, synonyms=synonyms)
    if not result.rows:
        _reject_if_errors(result, content)
    if progress:
        progress(0, len(result.rows), "checking")
    resolve_region_names(result, WORKER_SPEC, home)
    resolve_region_column(result, WORKER_SPEC, home)
    _identity(result, WORKER_SPEC, SocialWorker, actor=actor)
    codes = {r.values["employer"] for r in result.rows if r.values.get("employer")}
    employers = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    for row in result.rows:
        values = row.values
        if values.get("employer"):
            if values["employer"] not in employers:
                result.error(row.row, "employer", _("社会组织名录中没有这个机构"), WORKER_SPEC)
            values["employer"] = employers.get(values["employer"])
        certificate = values.get("certificate") or Certificate.NONE
        values["certificate"] = certificate
        if certificate != Certificate.NONE and not values.get("certificate_number"):
            result.error(row.row, "certificate_number", _("持证社工须填写证书编号"), WORKER_SPEC)
    _reject_if_errors(result, content)
    if progress:
        progress(len(result.rows), len(result.rows), "writing")
    with transaction.atomic():
        for row in result.rows:
            values = row.values
            parsed = values["id_number"]
            worker = SocialWorker(
                region=values["region"],
                region_code=values["region"].code,
                name=values["name"],
                id_number=parsed.number,
                birth_date=parsed.birth_date,
                gender=parsed.sex,
                phone=values.get("phone") or "",
                education=values.get("education") or "",
                major=values.get("major") or "",
                certificate=values["certificate"],
                certificate_number=values.get("certificate_number") or "",
                certificate_date=values.get("certificate_date"),
                employer=values.get("employer"),
            )
            worker.save()
        record(
            "people.worker.import",
            actor=actor,
            region_code=home.code,
            object_type="people.socialworker",
            changes={"rows": len(result.rows)},
        )
    return len(result.rows)


def import_volunteers(
    *, actor, content: bytes, region_code: str, progress=None, mapping=None, header_row=None
) -> int:
    home = get_scoped_or_404(Region, code=region_code)
    actor.require("volunteers.change", home.code)
    synonyms = rosters.synonyms_for("people.volunteers", home.code)
    result = x.parse_workbook(
        VOLUNTEER_SPEC, content, mapping=mapping, header_row=header_row, synonyms=synonyms
    )
    if not result.rows:
        _reject_if_errors(result, content)
    if progress:
        progress(0, len(result.rows), "checking")
    resolve_region_names(result, VOLUNTEER_SPEC, home)
    resolve_region_column(result, VOLUNTEER_SPEC, home)
    _identity(result, VOLUNTEER_SPEC, Volunteer, actor=actor)
    names = {r.values["team"] for r in result.rows if r.values.get("team")}
    teams: dict[str, list[VolunteerTeam]] = {}
    for team in VolunteerTeam.objects.filter(name__in=names):
        teams.setdefault(team.name, []).append(team)
    for row in result.rows:
        name = row.values.get("team")
        if name:
            matches = teams.get(name, [])
            if len(matches) != 1:
                result.error(
                    row.row,
                    "team",
                    _("找不到队伍“%(t)s”") % {"t": name}
                    if not matches
                    else _("有多支队伍叫“%(t)s”") % {"t": name},
                    VOLUNTEER_SPEC,
                )
                row.values["team"] = None
            else:
                row.values["team"] = matches[0]
    _reject_if_errors(result, content)
    if progress:
        progress(len(result.rows), len(result.rows), "writing")
    with transaction.atomic():
        for row in result.rows:
            values = row.values
            parsed = values["id_number"]
            Volunteer(
                region=values["region"],
                region_code=values["region"].code,
                name=values["name"],
                id_number=parsed.number,
                birth_date=parsed.birth_date,
                gender=parsed.sex,
                phone=values["phone"],
                skills=values.get("skills") or [],
                team=values.get("team"),
            ).save()
        record(
            "people.volunteer.import",
            actor=actor,
            region_code=home.code,
            object_type="people.volunteer",
            changes={"rows": len(result.rows)},
        )
    return len(result.rows)

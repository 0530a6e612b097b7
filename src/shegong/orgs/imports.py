"""Excel import of the social-organisation registry: all rows or none, with a marked error file."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.services import record
from shegong.core import rosters
from shegong.core import xlsx_import as x
from shegong.core.identity import IdentityError, validate_credit_code
from shegong.core.scoping import across_regions, get_scoped_or_404
from shegong.regions.imports import NAME_COLUMNS, REGION_COLUMN, resolve_region_column, resolve_region_names
from shegong.regions.models import Region

from .models import Organisation, OrgCategory, OrgFilingStatus, OrgKind, PartyBranch

SPEC = x.ImportSpec(
    title="社会组织",
    name=gettext_lazy("社会组织名录"),
    columns=[
        x.Column("name", "名称", required=True, parse=x.text(150), example="渝中区阳光社会工作服务中心"),
        x.Column(
            "credit_code",
            "统一社会信用代码",
            required=True,
            text_format=True,
            parse=x.wrap(validate_credit_code, IdentityError),
            example="52500103MJP123456X",
            help="18 位，末位为校验码（GB 32100）",
        ),
        x.choice_column("kind", "类型", OrgKind.choices, required=True, example="社会工作服务机构"),
        x.choice_column("category", "类别", OrgCategory.choices, example="社会工作类"),
        REGION_COLUMN,
        x.Column(
            "rating",
            "评估等级",
            parse=x.choice(
                {"3A": "3A", "4A": "4A", "5A": "5A", "AAA": "3A", "AAAA": "4A", "AAAAA": "5A", "未评级": ""}
            ),
            choices=("3A", "4A", "5A", "未评级"),
        ),
        x.Column("rating_date", "评级日期", parse=x.date),
        x.Column("rating_expires", "等级有效期至", parse=x.date),
        x.Column(
            "filing_status",
            "备案状态",
            parse=x.choice({"待备案": "pending", "已备案": "filed", "不适用": ""}),
            choices=("待备案", "已备案", "不适用"),
            help="社区社会组织填写",
        ),
        x.Column("filed_on", "备案日期", parse=x.date),
        x.choice_column("party_branch", "党组织建设", PartyBranch.choices),
        x.Column("contact", "负责人", parse=x.text(50)),
        x.Column("phone", "联系电话", parse=x.text(30), text_format=True),
        x.Column("founded_on", "成立日期", parse=x.date),
        *NAME_COLUMNS,
    ],
)


def import_organisations(
    *, actor, content: bytes, region_code: str, progress=None, mapping=None, header_row=None
) -> int:
    """Create every organisation in the file, or none; raises ImportRejected with the row report."""
    home = get_scoped_or_404(Region, code=region_code)
    actor.require("orgs.change", home.code)
    synonyms = rosters.synonyms_for("orgs.organisations", home.code)
    result = x.parse_workbook(SPEC, content, mapping=mapping, header_row=header_row, synonyms=synonyms)
    if progress:
        progress(0, len(result.rows), "checking")
    if not result.errors:
        _check_rows(result, home)
    if result.errors:
        raise x.ImportRejected.of(result, content)
    if progress:
        progress(len(result.rows), len(result.rows), "writing")
    with transaction.atomic():
        orgs = []
        for row in result.rows:
            values = dict(row.values)
            region = values.pop("region")
            values.pop("township", None)
            values.pop("community", None)
            if values["kind"] != OrgKind.COMMUNITY:
                values["filing_status"] = ""
            elif not values.get("filing_status"):
                values["filing_status"] = OrgFilingStatus.PENDING
            values = {k: v for k, v in values.items() if v is not None}
            orgs.append(Organisation(region=region, region_code=region.code, **values))
        Organisation.objects.bulk_create(orgs, batch_size=500)
        record(
            "orgs.organisation.import",
            actor=actor,
            region_code=home.code,
            object_type="orgs.organisation",
            changes={"rows": len(orgs)},
        )
    return len(orgs)


def _check_rows(result: x.ParseResult, home: Region) -> None:
    x.duplicates_in_file(result, "credit_code", SPEC)
    codes = [r.values["credit_code"] for r in result.rows if r.values.get("credit_code")]
    # Credit codes are unique nationally: look across every region, not only the importer's.
    with across_regions("credit codes are unique nationwide"):
        existing = set(
            Organisation.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
        )
    resolve_region_names(result, SPEC, home)
    resolve_region_column(result, SPEC, home)
    for row in result.rows:
        values = row.values
        if values.get("credit_code") in existing:
            result.error(row.row, "credit_code", _("该统一社会信用代码已登记"), SPEC)
        if values.get("rating") and not values.get("rating_date"):
            result.error(row.row, "rating_date", _("有评估等级时须填写评级日期"), SPEC)
        if values.get("filing_status") and values.get("kind") != OrgKind.COMMUNITY:
            result.error(row.row, "filing_status", _("备案状态只适用于社区社会组织"), SPEC)
        if values.get("filing_status") == OrgFilingStatus.FILED and not values.get("filed_on"):
            result.error(row.row, "filed_on", _("已备案的须填写备案日期"), SPEC)

"""The region column every registry import shares: an optional 12-digit code inside the area the file is imported
into; blank means that area itself."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shegong.core import xlsx_import as x
from shegong.core.regioncodes import RegionCodeError, normalise

from .models import Region
from .selectors import communities_under, region_subtree_q

REGION_COLUMN = x.Column(
    "region", "区划代码", text_format=True, help="留空则登记在导入时选定的区划", region_code=True
)


def template_for(spec: x.ImportSpec, *, actor, permission: str) -> bytes:
    """``spec``'s template for ``actor``: its 社区代码 sheet lists the communities of the areas where the actor
    holds ``permission`` (the import's), as far as the actor's scope shows them."""
    return x.template_workbook(spec, communities=communities_under(actor.regions_with(permission)))


def resolve_region_column(result: x.ParseResult, spec: x.ImportSpec, home: Region) -> None:
    """Replace each row's ``region`` value by its Region: inside ``home`` or a row error naming the code; blank
    means ``home``. One query for the whole file."""
    codes: dict[int, str] = {}
    for row in result.rows:
        raw = row.values.get("region")
        if raw:
            try:
                codes[row.row] = normalise(raw)
            except RegionCodeError as exc:
                result.error(row.row, "region", str(exc), spec)
    found = {
        r.code: r
        for r in Region.objects.filter(region_subtree_q(home.code, "code"), code__in=set(codes.values()))
    }
    for row in result.rows:
        if row.row in codes:
            region = found.get(codes[row.row])
            if region is None and codes[row.row]:
                result.error(
                    row.row,
                    "region",
                    _("区划 %(c)s 不在 %(h)s 之内") % {"c": codes[row.row], "h": home.name},
                    spec,
                )
            row.values["region"] = region
        elif not row.values.get("region"):
            row.values["region"] = home

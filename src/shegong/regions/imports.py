"""The region column every registry import shares: an optional 12-digit code inside the area the file is imported
into; blank means that area itself."""

from __future__ import annotations

import difflib
import unicodedata

from django.utils.translation import gettext as _

from shegong.core import xlsx_import as x
from shegong.core.regioncodes import Level, RegionCodeError, normalise

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


# Street and community names, as bureaus write them --------------------------------------------------------------

TOWNSHIP_COLUMN = x.Column("township", "街道（乡镇）", parse=x.text(60), in_template=False)
COMMUNITY_COLUMN = x.Column("community", "村（社区）名称", parse=x.text(60), in_template=False)
NAME_COLUMNS = [TOWNSHIP_COLUMN, COMMUNITY_COLUMN]
# Longest first: 街道办事处 before 街道, 社区居民委员会 before 社区.
_SUFFIXES = (
    "社区居民委员会",
    "村民委员会",
    "居民委员会",
    "街道办事处",
    "村委会",
    "居委会",
    "街道",
    "社区",
    "镇",
    "乡",
    "村",
)
_CLOSEST = 3


def _plain(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def bare_name(name: str) -> str:
    """A region's name without its 街道 / 镇 / 乡 / 社区 / 村 / 居委会 suffix: 解放碑街道 → 解放碑."""
    plain = _plain(name)
    for suffix in _SUFFIXES:
        if plain.endswith(suffix) and len(plain) > len(suffix):
            return plain[: -len(suffix)]
    return plain


class _Names:
    """The regions of one level inside an area, found by exact name, then by name without its suffix."""

    def __init__(self, regions: list[tuple[str, str, str | None]]):
        self.regions = regions  # (code, name, parent code)
        self.exact: dict[str, list[int]] = {}
        self.bare: dict[str, list[int]] = {}
        for i, (_code, name, _parent) in enumerate(regions):
            self.exact.setdefault(_plain(name), []).append(i)
            self.bare.setdefault(bare_name(name), []).append(i)

    def find(
        self, name: str, parent: str | None = None
    ) -> tuple[list[tuple[str, str, str | None]], list[str]]:
        """The regions so named (under ``parent`` when given), and when there is none the closest names."""

        def under(found: list[int]) -> list[tuple[str, str, str | None]]:
            return [self.regions[i] for i in found if parent is None or self.regions[i][2] == parent]

        matches = under(self.exact.get(_plain(name), []))
        if not matches:
            matches = under(self.bare.get(bare_name(name), []))
        if matches:
            return matches, []
        names = sorted({r[1] for r in self.regions if parent is None or r[2] == parent})
        closest = difflib.get_close_matches(_plain(name), names, n=_CLOSEST, cutoff=0.3)
        if not closest:
            bare = {bare_name(n): n for n in names}
            closest = [bare[b] for b in difflib.get_close_matches(bare_name(name), list(bare), _CLOSEST, 0.3)]
        return [], closest


def resolve_region_names(result: x.ParseResult, spec: x.ImportSpec, home: Region) -> None:
    """For each row without a region code but with a township and/or community name, put the code of the region
    so named inside ``home`` in its ``region`` value: the community (village) when named, else the township.
    An unknown or ambiguous name is an error on its cell naming the closest matches. Two queries per file."""
    rows = [
        r
        for r in result.rows
        if not r.values.get("region") and (r.values.get("community") or r.values.get("township"))
    ]
    if not rows:
        return
    inside = region_subtree_q(home.code, "code")
    townships = _Names(
        [(home.code, home.name, home.parent_id)]
        if home.level == Level.TOWNSHIP
        else list(
            Region.objects.filter(inside, level=Level.TOWNSHIP).values_list("code", "name", "parent_id")
        )
    )
    villages = _Names(
        list(Region.objects.filter(inside, level=Level.VILLAGE).values_list("code", "name", "parent_id"))
        if home.level < Level.VILLAGE
        else [(home.code, home.name, home.parent_id)]
    )
    cache: dict[tuple[str, str], tuple[str | None, str, str]] = {}
    for row in rows:
        township, community = row.values.get("township") or "", row.values.get("community") or ""
        if (township, community) not in cache:
            cache[(township, community)] = _resolve(townships, villages, township, community, home)
        code, key, message = cache[(township, community)]
        if code:
            row.values["region"] = code
        else:
            result.error(row.row, key, message, spec)


def _resolve(townships: _Names, villages: _Names, township: str, community: str, home: Region):
    """(code, "", "") or (None, the column at fault, the message)."""
    parent = None
    if township:
        found, closest = townships.find(township)
        if len(found) > 1:
            listed = "、".join(f"{name}（{code}）" for code, name, _p in found)
            return (
                None,
                "township",
                _("区划内有多个“%(n)s”：%(l)s，请改填区划代码") % {"n": township, "l": listed},
            )
        if not found:
            return None, "township", _unknown(township, home, closest, _("街道（乡镇）"))
        parent = found[0][0]
        if not community:
            return parent, "", ""
    found, closest = villages.find(community, parent)
    if len(found) > 1:
        listed = "、".join(f"{name}（{code}）" for code, name, _p in found)
        return (
            None,
            "community",
            _("区划内有多个“%(n)s”：%(l)s，请填写街道（乡镇）或区划代码")
            % {
                "n": community,
                "l": listed,
            },
        )
    if not found:
        within = next((n for c, n, _p in townships.regions if c == parent), "") if parent else ""
        return None, "community", _unknown(community, home, closest, _("村（社区）"), within)
    return found[0][0], "", ""


def _unknown(name: str, home: Region, closest: list[str], what: str, within: str = "") -> str:
    message = _("在%(h)s%(w)s内找不到%(what)s“%(n)s”") % {
        "h": home.name,
        "w": within,
        "what": what,
        "n": name,
    }
    if closest:
        message += _("，最接近的是：%(c)s") % {"c": "、".join(closest)}
    return message

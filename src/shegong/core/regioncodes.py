"""The 12-digit statistical division code (统计用区划代码): PP CC DD TTT VVV.

Codes may arrive shortened to their significant digits (2, 4, 6, 9 or 12) and with full-width digits or stray
spaces; ``normalise`` turns any of those into the 12-digit form or raises ``RegionCodeError``.
"""

from __future__ import annotations

from enum import IntEnum

from django.utils.translation import gettext_lazy as _


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    Level.PROVINCE: _("省级"),
    Level.CITY: _("地级"),
    Level.COUNTY: _("县级"),
    Level.TOWNSHIP: _("乡级"),
    Level.VILLAGE: _("村级"),
}

# Significant length of a code at each level.
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_BY_LENGTH = {length: level for level, length in PREFIX_LENGTH.items()}
CODE_LENGTH = 12

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


class RegionCodeError(ValueError):
    pass


def normalise(raw: object) -> str:
    """Return the 12-digit code for ``raw`` or raise RegionCodeError with a message a user can act on."""
    if raw is None:
        raise RegionCodeError(_("区划代码为空"))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise RegionCodeError(_("区划代码必须是数字"))
        raw = int(raw)
    text = str(raw)
    if not text.isascii():
        text = text.translate(_FULL_WIDTH).replace("\u3000", "")
    text = text.strip().replace(" ", "")
    if not text:
        raise RegionCodeError(_("区划代码为空"))
    if not text.isdigit() or not text.isascii():
        raise RegionCodeError(_("区划代码“%(code)s”只能包含数字") % {"code": text})
    if len(text) not in LEVEL_BY_LENGTH:
        raise RegionCodeError(
            _("区划代码“%(code)s”的长度应为 2、4、6、9 或 12 位，实际为 %(n)d 位")
            % {"code": text, "n": len(text)}
        )
    code = text.ljust(CODE_LENGTH, "0")
    if code[:2] == "00":
        raise RegionCodeError(_("区划代码“%(code)s”的省级部分不能为 00") % {"code": text})
    return code


def level_of(code: str) -> Level:
    """The level a 12-digit code denotes, read from where its trailing zeros begin."""
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def subtree_prefix(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def subtree_bounds(code: str) -> tuple[str, str]:
    """Inclusive bounds of every code in the subtree of ``code``: a range scan, not a LIKE."""
    prefix = subtree_prefix(code)
    rest = CODE_LENGTH - len(prefix)
    return prefix + "0" * rest, prefix + "9" * rest


def in_subtree(code: str, root: str) -> bool:
    return code.startswith(subtree_prefix(root))


def parent_code_of(code: str) -> str | None:
    """The code of the level above, derived from the digits (None for a province)."""
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    parent_length = PREFIX_LENGTH[Level(level - 1)]
    return code[:parent_length].ljust(CODE_LENGTH, "0")


def ancestors_of(code: str) -> list[str]:
    """Codes from the province down to the parent of ``code``."""
    chain = []
    parent = parent_code_of(code)
    while parent:
        chain.append(parent)
        parent = parent_code_of(parent)
    return list(reversed(chain))


def township_kind(code: str) -> str:
    """街道 / 镇 / 乡 by the township digits (001–099, 100–199, 200–399)."""
    number = int(code[6:9])
    if number < 100:
        return "street"
    if number < 200:
        return "town"
    return "township"


def village_kind(code: str) -> str:
    """居委会 (001–199) or 村委会 (200–399) by the village digits."""
    return "community" if int(code[9:12]) < 200 else "village"

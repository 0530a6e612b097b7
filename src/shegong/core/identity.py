"""Identity numbers: the resident ID (GB 11643, ISO 7064 MOD 11-2), phones, the unified social credit code
(GB 32100)."""

from __future__ import annotations

import datetime
import operator
import re
from typing import NamedTuple

from django.utils.translation import gettext as _

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_SURELY_PAST = datetime.date(2020, 1, 1)  # births up to here need no look at the clock
_OLD_ID_SHAPE = re.compile(r"[0-9]{15}")
_PHONE_PUNCTUATION = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}[0-9]{7,8}")


class IdentityError(ValueError):
    pass


def _clean(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float):
        # A number Excel stored as a float has lost its last digits beyond 15 significant figures.
        if raw.is_integer() and raw < 1e15:
            raw = int(raw)
        else:
            raise IdentityError(
                _("身份证号被 Excel 存成了数字（%(v)s），末尾几位已丢失；请把该列设为文本后重新填写")
                % {"v": f"{raw:.6g}"}
            )
    text = str(raw)
    if not text.isascii():
        text = text.translate(_FULL_WIDTH).replace("\u3000", "")
    return text.strip().replace(" ", "")


def id_check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("the check digit is computed over 17 digits")
    return ID_CHECK[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


class ResidentId(NamedTuple):
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"
    region_code: str


def parse_id_number(raw: object) -> ResidentId:
    """Validate an ID number; upgrade a 15-digit one; accept a lower-case x. Raises IdentityError."""
    text = _clean(raw).upper()
    if not text:
        raise IdentityError(_("身份证号为空"))
    if len(text) == 15:
        if not _OLD_ID_SHAPE.fullmatch(text):
            raise IdentityError(_("15 位身份证号只能包含数字"))
        first17 = text[:6] + "19" + text[6:]
        text = first17 + id_check_digit(first17)
    if len(text) != 18:
        raise IdentityError(_("身份证号应为 18 位，实际为 %(n)d 位") % {"n": len(text)})
    if not _ID_SHAPE.fullmatch(text):
        raise IdentityError(_("身份证号前 17 位须为数字，末位为数字或 X"))
    try:
        birth = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise IdentityError(_("身份证号中的出生日期 %(d)s 不存在") % {"d": text[6:14]}) from exc
    if birth.year < 1880 or (birth > _SURELY_PAST and birth > datetime.date.today()):
        raise IdentityError(_("身份证号中的出生日期 %(d)s 不合理") % {"d": text[6:14]})
    expected = id_check_digit(text[:17])
    if text[17] != expected:
        raise IdentityError(
            _("身份证号校验位错误：应为 %(e)s，实际为 %(a)s") % {"e": expected, "a": text[17]}
        )
    return ResidentId(text, birth, "M" if int(text[16]) % 2 else "F", text[:6])


def normalise_id_number(raw: object) -> str:
    try:
        return parse_id_number(raw).number
    except IdentityError:
        return _clean(raw).upper()


def normalise_phone(raw: object) -> str:
    text = _clean(raw)
    text = _PHONE_PUNCTUATION.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def validate_phone(raw: object) -> str:
    text = normalise_phone(raw)
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise IdentityError(_("电话号码“%(v)s”格式不正确（应为 11 位手机号或带区号的固定电话）") % {"v": text})


# GB 32100: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(raw: object) -> str:
    text = _clean(raw).upper()
    if len(text) != 18:
        raise IdentityError(_("统一社会信用代码应为 18 位，实际为 %(n)d 位") % {"n": len(text)})
    bad = [c for c in text if c not in CREDIT_ALPHABET]
    if bad:
        raise IdentityError(_("统一社会信用代码含有不允许的字符“%(c)s”") % {"c": bad[0]})
    expected = credit_check_char(text[:17])
    if text[17] != expected:
        raise IdentityError(
            _("统一社会信用代码校验位错误：应为 %(e)s，实际为 %(a)s") % {"e": expected, "a": text[17]}
        )
    return text

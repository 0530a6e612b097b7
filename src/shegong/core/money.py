"""Money: ``Decimal`` yuan with 2 places, never float (ARCHITECTURE "Data rules").

``money_field`` is the one column type for an amount; ``parse_yuan`` turns what a user typed (or an API sent) into
such an amount, or raises ``ValueError`` with a message that can be shown as is; ``yuan`` formats for display.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
# 12 digits before the point: up to ¥999,999,999,999.99, far above any purchase contract.
MAX_DIGITS = 14
LIMIT = Decimal("999999999999.99")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2, **kwargs)


def parse_yuan(value, *, allow_zero: bool = True) -> Decimal:
    """An amount in yuan from text, int or Decimal: at most 2 decimal places, not negative, never float."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a string or a Decimal")
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    if not text:
        raise ValueError(_("请填写金额"))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("金额格式不正确，请填写数字，如 1200.50")) from None
    if not amount.is_finite():
        raise ValueError(_("金额格式不正确，请填写数字，如 1200.50"))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(_("金额最多保留两位小数"))
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    if amount == 0 and not allow_zero:
        raise ValueError(_("金额必须大于零"))
    if amount > LIMIT:
        raise ValueError(_("金额过大"))
    return amount.quantize(CENT)


def yuan(amount: Decimal | int | None) -> str:
    """¥1,234.50 — for display."""
    value = Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"¥{value:,.2f}"


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` as a fraction rounded to 4 places; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

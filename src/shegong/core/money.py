"""Money: ``Decimal`` yuan with 2 places, never float (ARCHITECTURE "Data rules").

- ``MoneyField`` is the column every amount uses (signed: a reversal is a negative row); ``money_field`` is the same
  column refusing negative amounts, for budgets, prices and payments.
- ``to_yuan`` turns what a sheet or JSON carries into an exact amount, raising ``MoneyError`` (floats, a third
  decimal place, non-numbers are refused: money is never rounded silently); ``parse_yuan`` does the same for what a
  user typed and raises ``ValueError`` with a message that can be shown as is.
- ``format_yuan`` / ``yuan`` show an amount; ``share`` is a fraction of two amounts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# 12 digits before the point: up to ¥999,999,999,999.99, far above any purchase contract or fund.
MAX_DIGITS = 14
LIMIT = Decimal("999999999999.99")


class MoneyError(ValueError):
    """A value that is not an exact amount of yuan."""


def MoneyField(verbose_name=None, **kwargs) -> models.DecimalField:  # noqa: N802 - reads as a field class
    kwargs.setdefault("max_digits", MAX_DIGITS)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return MoneyField(verbose_name, **kwargs)


def to_yuan(value) -> Decimal:
    """An exact, possibly negative amount in yuan with two places, from text, int or Decimal."""
    if isinstance(value, bool | float):
        raise MoneyError("money must not be a float")
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise MoneyError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise MoneyError("not a finite amount")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError("more than two decimal places")
    amount = amount.quantize(CENT)
    if abs(amount) > LIMIT:
        raise MoneyError("amount too large")
    return amount


def parse_yuan(value, *, allow_zero: bool = True) -> Decimal:
    """What a user typed as an amount in yuan: at most 2 decimal places, not negative; the error reads as is."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a string or a Decimal")
    if not str(value).strip():
        raise ValueError(_("请填写金额"))
    try:
        amount = to_yuan(value)
    except MoneyError as exc:
        if str(exc) == "more than two decimal places":
            raise ValueError(_("金额最多保留两位小数")) from None
        if str(exc) == "amount too large":
            raise ValueError(_("金额过大")) from None
        raise ValueError(_("金额格式不正确，请填写数字，如 1200.50")) from None
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    if amount == 0 and not allow_zero:
        raise ValueError(_("金额必须大于零"))
    return amount


def format_yuan(value) -> str:
    """¥1,234.50 (two places, thousands separated); blank for None."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def yuan(amount: Decimal | int | None) -> str:
    """¥1,234.50 — for display; None shows as ¥0.00."""
    return format_yuan(amount or 0)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` as a fraction rounded to 4 places; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

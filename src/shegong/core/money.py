"""Money: ``Decimal`` yuan with two places, never float (ARCHITECTURE "Data rules").

``MoneyField`` is the column every amount uses; ``to_yuan`` turns what a form, a sheet or JSON carries into an exact
amount (refusing floats, more than two places and non-numbers); ``format_yuan`` is how a page shows one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
# 12 digits before the point: a trillion yuan, far above any fund.
MAX_DIGITS = 14
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an exact amount of yuan."""


def MoneyField(verbose_name=None, **kwargs) -> models.DecimalField:  # noqa: N802 - reads as a field class
    kwargs.setdefault("max_digits", MAX_DIGITS)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def to_yuan(value) -> Decimal:
    """An exact amount in yuan with two places. Floats are refused (they cannot hold 0.10 exactly), and so is a
    third decimal place: money is never rounded silently."""
    if isinstance(value, bool) or isinstance(value, float):
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
    if len(amount.as_tuple().digits) > MAX_DIGITS:
        raise MoneyError("amount too large")
    return amount


def format_yuan(value) -> str:
    """¥1,234.50 (two places, thousands separated); blank for None."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"

"""Numbers typed into addresses and forms by hand: ids and small counts parsed so that what the database cannot
hold never reaches it. ``str.isdigit`` is not enough — it accepts "²" (which ``int`` refuses) and 40-digit numbers
(which SQLite and PostgreSQL refuse) — and either answered a filter with a server error."""

from __future__ import annotations

# The largest value of a 64-bit signed integer column (SQLite's INTEGER, PostgreSQL's bigint).
ID_MAX = 2**63 - 1


def as_int(raw: object, *, max_value: int = ID_MAX) -> int | None:
    """``raw`` as a non-negative integer of ASCII digits no larger than ``max_value``, else None."""
    text = str(raw if raw is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= max_value else None


def int_param(raw: object, *, max_value: int = ID_MAX) -> str:
    """The same, kept as the text a filter form shows back: the digits, or "" when they are not a usable number."""
    value = as_int(raw, max_value=max_value)
    return "" if value is None else str(value)

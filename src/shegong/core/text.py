"""Text at the edge of the system.

``join_list``/``join_messages``: the separators are part of the language too (“、” in Chinese, “, ” in English).

``clean_text``: the one rule for text that people type or upload (forms, API bodies, spreadsheet cells). It refuses
what cannot be shown or stored safely — NUL and other C0/C1 control characters (tab, newline and carriage return
are allowed in long text only), the bidirectional formatting characters that reorder what a reader sees (U+061C,
U+200E/U+200F, U+202A–U+202E, U+2066–U+2069: refused, not stripped, so the stored text is what was typed) — and a
value with nothing visible in it (only spaces, zero-width characters or a BOM) where a value is required.
``search_term`` is the lenient twin for search boxes: it drops what the database cannot hold instead of refusing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# C0 controls other than tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x85\u2028\u2029]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Whitespace plus the characters that take no room: zero-width space/non-joiner/joiner, word joiner, BOM,
# soft hyphen, Mongolian vowel separator and the invisible operators.
_INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]+")


def join_list(items: Iterable[object]) -> str:
    """Items of an enumeration: 生活照料、康复护理 / daily care, rehabilitation."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def join_messages(messages: Iterable[object]) -> str:
    """Several whole messages shown on one line: 请填写姓名；请填写电话 / Name is required; phone is required."""
    return pgettext("message separator", "；").join(str(message) for message in messages)


def text_problem(value: str, *, multiline: bool = False, required: bool = False) -> str | None:
    """What is wrong with ``value`` (a message without the field's name), or None when it is fine."""
    if value.isprintable():  # the common case: no control, format or line-break character at all
        if required and value and not value.strip():
            return _("不能只填写空格")
        return None
    if _CONTROL.search(value):
        return _("含有不可见的控制字符，请删除后重新输入")
    if _BIDI.search(value):
        return _("含有改变文字方向的控制字符（如 U+202E），请删除后重新输入")
    if not multiline and _LINE_BREAKS.search(value):
        return _("不能包含换行符或制表符")
    # Nothing visible: refused where a value is required, and anywhere it holds more than plain whitespace (a
    # zero-width space looks empty but is not, and would defeat "is this filled in" checks downstream).
    if value and not _INVISIBLE.sub("", value) and (required or value.strip()):
        return _("不能只包含空格或不可见字符")
    return None


def clean_text(value: str, *, label: object = "", multiline: bool = False, required: bool = False) -> str:
    """``value`` unchanged when it passes ``text_problem``; otherwise a ValidationError naming the field."""
    problem = text_problem(value, multiline=multiline, required=required)
    if problem is None:
        return value
    if label:
        problem = _("「%(field)s」%(problem)s") % {"field": label, "problem": problem}
    raise ValidationError(problem, code="text")


_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def unsearchable_removed(value: str) -> str:
    """``value`` without what no database column holds or a search could match (NUL, control, format chars)."""
    return value if value.isprintable() else _UNSEARCHABLE.sub("", value)


def search_term(value: str | None, max_length: int = 100) -> str:
    """A search box's text, cleaned as ``unsearchable_removed`` does, trimmed and bounded."""
    return unsearchable_removed(value or "").strip()[:max_length]

"""Joining translated pieces: the separators are part of the language too (“、” in Chinese, “, ” in English)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_list(items: Iterable[object]) -> str:
    """Items of an enumeration: 生活照料、康复护理 / daily care, rehabilitation."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def join_messages(messages: Iterable[object]) -> str:
    """Several whole messages shown on one line: 请填写姓名；请填写电话 / Name is required; phone is required."""
    return pgettext("message separator", "；").join(str(message) for message in messages)

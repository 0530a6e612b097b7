"""`{% load text_tags %}`: `{{ labels|join_list }}` and `{{ errors|join_messages }}` with the language's separators."""

from django import template

from shegong.core.text import join_list as _join_list
from shegong.core.text import join_messages as _join_messages

register = template.Library()


@register.filter
def join_list(items) -> str:
    return _join_list(items or [])


@register.filter
def join_messages(messages) -> str:
    return _join_messages(messages or [])

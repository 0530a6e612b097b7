"""`{% load money_tags %}`: `{{ amount|yuan }}` shows ¥1,234.50."""

from django import template

from shegong.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    return format_yuan(value)

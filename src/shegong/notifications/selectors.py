"""Reads on the inbox: always the reader's own messages, whatever its roles."""

from __future__ import annotations

from django.db.models import F

from .models import Message


def inbox_of(user):
    """Unread first, then newest first."""
    return Message.objects.filter(recipient=user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()

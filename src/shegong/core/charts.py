"""Shared pieces of the charts' data: the month axis every monthly trend uses."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def month_labels(months, *, today: datetime.date | None = None) -> list[str]:
    """``YYYY-MM`` for each month (a date or a ``YYYY-MM`` string); the month still running reads ``YYYY-MM（至今）``,
    so its short bar on the 2nd is read as two days' work, not as a collapse."""
    current = f"{(today or timezone.localdate()):%Y-%m}"
    out = []
    for month in months:
        label = month if isinstance(month, str) else f"{month:%Y-%m}"
        out.append(_("%(month)s（至今）") % {"month": label} if label == current else label)
    return out

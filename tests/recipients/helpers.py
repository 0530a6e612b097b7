"""Builders for recipient and visit tests."""

from __future__ import annotations

import datetime
import itertools
import uuid

from django.utils import timezone

from shegong.accounts.actor import Actor, SystemActor
from shegong.core.identity import id_check_digit
from shegong.recipients import care, services
from shegong.recipients.models import Category, RiskTier

_serial = itertools.count(100)


def id_number(birth: str = "19450312", region: str = "500103", female: bool = False) -> str:
    """A valid 18-digit resident ID, different on every call."""
    serial = next(_serial)
    day = int(birth[6:]) + serial // 450  # 450 serial numbers of one sex per birth date
    sequence = f"{(serial % 450) * 2 + (0 if female else 1):03d}"
    first17 = region + birth[:6] + f"{day:02d}" + sequence
    return first17 + id_check_digit(first17)


def system() -> Actor:
    return SystemActor("test")


def make_recipient(
    village: str,
    *,
    name: str = "张大爷",
    tier: int = RiskTier.GENERAL,
    categories=(),
    actor=None,
    worker=None,
    registered_on: datetime.date | None = None,
    **extra,
):
    memberships = [
        {
            "category": Category.objects.get(code=code),
            "start_on": datetime.date(2020, 1, 1),
            "authority": "区民政局",
        }
        for code in categories
    ]
    recipient = services.recipient_create(
        actor=actor or system(),
        data={"name": name, "id_number": id_number(), "region": village, "worker": worker, **extra},
        categories=memberships,
        risk_tier=tier,
        risk_reason="测试" if tier != RiskTier.GENERAL else "",
    )
    if registered_on:
        type(recipient)._base_manager.filter(pk=recipient.pk).update(registered_on=registered_on)
        recipient.refresh_from_db()
        care.refresh_recipient(recipient)
        recipient.refresh_from_db()
    return recipient


def visit_data(when: datetime.datetime | None = None, **extra) -> dict:
    data = {
        "visited_at": when or timezone.now(),
        "method": "home",
        "findings": {"health": "ok", "gas": "issue"},
        "notes": "血压偏高",
        "needs_found": "",
        "follow_up": "",
    }
    data.update(extra)
    return data


def key() -> str:
    return str(uuid.uuid4())

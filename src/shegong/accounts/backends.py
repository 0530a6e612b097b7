"""Authentication with lockout for M minutes after N failures on an account (from anywhere) or on an account from
one address, or after a looser ceiling of failures from one address on any accounts. Wrong second-factor codes
count as failures too."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from shegong.core.net import client_address

from .models import LoginFailure


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(username: str, ip: str) -> bool:
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.LOGIN_LOCKOUT_FAILURES
    username = (username or "").lower()
    if username and recent.filter(username=username).count() >= limit:
        return True
    if not ip:
        return False
    if username and recent.filter(username=username, ip=ip).count() >= limit:
        return True
    return recent.filter(ip=ip).count() >= settings.LOGIN_LOCKOUT_ADDRESS_FAILURES


def note_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username=(username or "").lower()[:150], ip=ip or "")


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


class LockedOut(Exception):
    pass


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        ip = client_address(request)
        if username and is_locked(username, ip):
            raise LockedOut(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

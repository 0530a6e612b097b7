"""Authentication with lockout: N failures lock the account and the address for M minutes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from .models import LoginFailure


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(username: str, ip: str) -> bool:
    since = _window_start()
    limit = settings.LOGIN_LOCKOUT_FAILURES
    if username and LoginFailure.objects.filter(username=username.lower(), at__gte=since).count() >= limit:
        return True
    return bool(ip) and LoginFailure.objects.filter(ip=ip, at__gte=since).count() >= limit


def note_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username=(username or "").lower()[:150], ip=ip or "")


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


class LockedOut(Exception):
    pass


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
        if username and is_locked(username, ip):
            raise LockedOut(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

"""The second factor: TOTP devices and one-time recovery codes (django-otp), enrolment, re-enrolment and reset.

A factor is enrolled only while none is confirmed; replacing it needs a code from the current one, or a security
admin's reset (audited; the user is told at next login). Every wrong code at the login step counts towards the
same lockout as a wrong password, and django-otp throttles each device and never accepts a used time step twice.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from shegong.audit.services import record
from shegong.core.net import client_address

from .backends import LockedOut, clear_failures, is_locked, note_failure
from .models import RecoveryCode, RecoveryDevice, User
from .roles import ADMIN_ROLES

_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _region(user: User) -> str:
    return user.assignments.order_by("id").values_list("region_id", flat=True).first() or ""


def has_confirmed_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_administrator(user: User) -> bool:
    return user.assignments.filter(role__in=ADMIN_ROLES).exists()


def totp_begin(*, user: User) -> TOTPDevice:
    """The pending device of a first enrolment; refused once a factor is confirmed."""
    if has_confirmed_factor(user):
        raise ValidationError({"code": _("已启用两步验证；更换须先输入当前的验证码")})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="totp", confirmed=False)


def totp_reenrol_begin(*, user: User, code: str, request=None) -> TOTPDevice:
    """A new pending device for a user who proves the current factor (a TOTP or a recovery code)."""
    if verify_second_factor(user=user, code=code, request=request) is None:
        raise ValidationError({"code": _("验证码不正确。")})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="totp", confirmed=False)


def pending_device(user: User, pk: int | None) -> TOTPDevice | None:
    if pk is None:
        return None
    return TOTPDevice.objects.filter(user=user, pk=pk, confirmed=False).first()


def totp_confirm(*, actor, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from it; it replaces any earlier factor. Returns new recovery codes."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": _("没有待启用的两步验证")})
    with transaction.atomic():
        if not device.verify_token((code or "").strip()):
            return None
        replacing = has_confirmed_factor(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = recovery_codes_new(user=user)
        record(
            "totp.replace" if replacing else "totp.enable", actor=actor, obj=user, region_code=_region(user)
        )
    return codes


def _hash_code(code: str) -> str:
    return hashlib.sha256(_clean_code(code).encode()).hexdigest()


def _clean_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_codes_new(*, user: User) -> list[str]:
    """Ten fresh one-time codes (80 bits each), stored hashed; the caller shows them once."""
    RecoveryDevice.objects.filter(user=user).delete()
    device = RecoveryDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = []
    for _i in range(settings.RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=_hash_code(c)) for c in codes)
    return codes


def verify_second_factor(*, user: User, code: str, request=None):
    """The device that accepts ``code`` (used up by accepting it), or None; counts towards the login lockout."""
    ip = client_address(request)
    if is_locked(user.username, ip):
        raise LockedOut(user.username)
    code = (code or "").strip()
    device = None
    with transaction.atomic():
        if code.isdigit():
            candidates = TOTPDevice.objects.filter(user=user, confirmed=True)
        else:
            candidates = RecoveryDevice.objects.filter(user=user, confirmed=True)
        for candidate in candidates.select_for_update():
            if candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        note_failure(user.username, ip)
        record("login.second_factor_failure", actor=user, request=request, region_code=_region(user))
    else:
        clear_failures(user.username)
    return device


def factor_reset(*, actor, user: User) -> None:
    """A security admin removes a user's second factor (a lost phone); the user enrols anew at next login."""
    from .services import _require_manage

    _require_manage(actor, user)
    if getattr(actor, "user", None) is not None:
        if actor.user.pk == user.pk:
            raise ValidationError(_("不能重置自己的两步验证"))
        if is_administrator(user):
            raise ValidationError(_("管理员账号的两步验证只能由部署人员用命令重置"))
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        RecoveryDevice.objects.filter(user=user).delete()
        user.factor_reset_at = timezone.now()
        user.save(update_fields=["factor_reset_at"])
        record(
            "user.factor_reset",
            actor=actor,
            obj=user,
            region_code=_region(user),
            changes={"devices": removed},
        )


def factor_reset_notice(user: User) -> datetime.datetime | None:
    """When the factor was reset since the user last logged in (read once, then cleared)."""
    at = user.factor_reset_at
    if at is not None:
        User.objects.filter(pk=user.pk).update(factor_reset_at=None)
        user.factor_reset_at = None
    return at


def admin_token_allowed(token) -> bool:
    """An administrator's token works only while a factor is confirmed, and for at most a day from issue."""
    limit = datetime.timedelta(hours=settings.ADMIN_API_TOKEN_HOURS, minutes=1)
    return has_confirmed_factor(token.user) and token.expires_at - token.created_at <= limit

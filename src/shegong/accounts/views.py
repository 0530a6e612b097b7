import base64
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from shegong.audit.services import client_ip, record
from shegong.core.forms import apply_errors

from . import factors, services
from .backends import LockedOut, clear_failures, is_locked, note_failure
from .forms import LoginForm, OtpForm, PasswordChangeForm
from .middleware import SESSION_LAST_SEEN, SESSION_OTP_OK
from .models import User
from .roles import TOTP_REQUIRED_ROLES

SESSION_REENROL = "shegong_otp_reenrol"


def locked_message(*, address: bool = False) -> str:
    """The lockout refusal, naming the lockout the deployment configured (LOGIN_LOCKOUT_MINUTES)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    if address:
        text = ngettext(
            "失败次数过多，账号或来源地址已被锁定 %(minutes)d 分钟，请稍后再试。",
            "失败次数过多，账号或来源地址已被锁定 %(minutes)d 分钟，请稍后再试。",
            minutes,
        )
    else:
        text = ngettext(
            "失败次数过多，账号已被锁定 %(minutes)d 分钟，请稍后再试。",
            "失败次数过多，账号已被锁定 %(minutes)d 分钟，请稍后再试。",
            minutes,
        )
    return text % {"minutes": minutes}


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.GET.get("expired"):
        messages.info(request, _("会话因长时间未操作已失效，请重新登录。"))
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        ip = client_ip(request)
        known = User.objects.filter(username=username).first()
        region = known.assignments.values_list("region_id", flat=True).first() if known else ""
        try:
            if is_locked(username, ip):
                raise LockedOut(username)
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
        except LockedOut:
            record("login.locked", actor_name=username, request=request, region_code=region or "")
            form.add_error(None, locked_message(address=True))
        else:
            if user is None:
                note_failure(username, ip)
                record("login.failure", actor_name=username, request=request, region_code=region or "")
                form.add_error(None, _("用户名或密码不正确。"))
            else:
                if not needs_second_factor(user):
                    # With a second factor pending, failures are cleared only once it is passed: otherwise each
                    # password login would reset the count of wrong codes.
                    clear_failures(username)
                login(request, user)
                request.session[SESSION_LAST_SEEN] = time.time()
                record("login.success", actor=user, request=request, region_code=region or "")
                reset_at = factors.factor_reset_notice(user)
                if reset_at is not None:
                    messages.warning(
                        request,
                        _(
                            "您的两步验证已于 %(at)s 被安全管理员重置，请重新设置。如非本人申请，请立即联系安全管理员。"
                        )
                        % {"at": localtime(reset_at).strftime("%Y-%m-%d %H:%M")},
                    )
                return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record("logout", actor=request.user, request=request, region_code=request.actor.home_region_code)
    logout(request)
    response = redirect("accounts:login")
    # The field app's offline copy (IndexedDB, its service worker and cache) leaves with the session: a shared
    # phone keeps nothing of the worker who logged out (the app's own logout button wipes it first as well).
    response["Clear-Site-Data"] = '"storage"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.actor, user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("dashboards:home")
    return render(request, "accounts/password_change.html", {"form": form})


def needs_second_factor(user: User) -> bool:
    roles = set(user.assignments.values_list("role", flat=True))
    return bool(roles & TOTP_REQUIRED_ROLES) or factors.has_confirmed_factor(user)


def _second_factor_passed(request, device) -> None:
    request.session.cycle_key()
    request.session[SESSION_OTP_OK] = True
    request.session.pop(SESSION_REENROL, None)
    otp_login(request, device)


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request):
    """Enrol a TOTP factor: freely while none is confirmed; to replace one, first a code from the current one."""
    user = request.user
    if factors.has_confirmed_factor(user):
        device = factors.pending_device(user, request.session.get(SESSION_REENROL))
        if device is None:
            return _otp_reenrol(request)
    else:
        device = factors.totp_begin(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = factors.totp_confirm(
                actor=request.actor, user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if codes is not None:
                _second_factor_passed(request, device)
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            form.add_error("code", _("验证码不正确，请核对手机上的时间后重试。"))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": qr, "secret": secret})


def _otp_reenrol(request):
    if not request.session.get(SESSION_OTP_OK):
        return redirect("accounts:otp")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = factors.totp_reenrol_begin(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except LockedOut:
            form.add_error(None, locked_message())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[SESSION_REENROL] = device.pk
            return redirect("accounts:otp_setup")
    return render(request, "accounts/otp_reenrol.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def otp_view(request):
    if not needs_second_factor(request.user):
        return redirect("dashboards:home")
    if not factors.has_confirmed_factor(request.user):
        return redirect("accounts:otp_setup")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = request.actor.home_region_code
        try:
            device = factors.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except LockedOut:
            record("login.locked", actor=request.user, request=request, region_code=region)
            form.add_error(None, locked_message())
        else:
            if device is not None:
                _second_factor_passed(request, device)
                record("login.second_factor", actor=request.user, request=request, region_code=region)
                return redirect(_safe_next(request))
            form.add_error("code", _("验证码不正确。"))
    return render(request, "accounts/otp.html", {"form": form})

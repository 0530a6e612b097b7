import time

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.audit.services import client_ip, record

from . import services
from .backends import LockedOut, clear_failures, is_locked, note_failure
from .forms import LoginForm, OtpForm, PasswordChangeForm
from .middleware import SESSION_LAST_SEEN, SESSION_OTP_OK
from .models import User


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
            form.add_error(None, _("失败次数过多，账号或来源地址已被锁定 15 分钟，请稍后再试。"))
        else:
            if user is None:
                note_failure(username, ip)
                record("login.failure", actor_name=username, request=request, region_code=region or "")
                form.add_error(None, _("用户名或密码不正确。"))
            else:
                clear_failures(username)
                login(request, user)
                request.session[SESSION_LAST_SEEN] = time.time()
                record("login.success", actor=user, request=request, region_code=region or "")
                return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record("logout", actor=request.user, request=request, region_code=request.actor.home_region_code)
    logout(request)
    return redirect("accounts:login")


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


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request):
    user = request.user
    if request.method == "GET" or not user.totp_secret:
        services.totp_begin(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(actor=request.actor, user=user, code=form.cleaned_data["code"]):
            request.session[SESSION_OTP_OK] = True
            messages.success(request, _("两步验证已启用。"))
            return redirect("dashboards:home")
        form.add_error("code", _("验证码不正确，请核对手机上的时间后重试。"))
    uri = services.provisioning_uri(user)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": qr, "secret": user.totp_secret})


@login_required
@require_http_methods(["GET", "POST"])
def otp_view(request):
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(request.user, form.cleaned_data["code"]):
            request.session[SESSION_OTP_OK] = True
            record(
                "login.second_factor",
                actor=request.user,
                request=request,
                region_code=request.actor.home_region_code,
            )
            return redirect(_safe_next(request))
        note_failure(request.user.username, client_ip(request))
        form.add_error("code", _("验证码不正确。"))
    return render(request, "accounts/otp.html", {"form": form})

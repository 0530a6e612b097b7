"""One middleware gives every request (page or API) its actor and activates the actor's region scope.

It also enforces what a session may do before anything else: API tokens, the idle timeout, the forced password
change on first login and the second factor for the roles that require it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.scoping import activate

from .actor import Actor
from .models import ApiToken, hash_token
from .roles import TOTP_REQUIRED_ROLES

SESSION_LAST_SEEN = "shegong_last_seen"
SESSION_OTP_OK = "shegong_otp_ok"
# Paths a user may reach while a password change or second factor is pending.
OPEN_PREFIXES = (
    "/static/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/accounts/otp/",
    "/i18n/",
    "/public/",
    "/favicon",
)


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": message}, status=status)


def authenticate_token(raw: str):
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith("/api/")
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if is_api and header.startswith("Bearer "):
            user = authenticate_token(header[7:].strip())
            if user is None:
                return _api_error(401, "invalid_token", _("API 令牌无效、已过期或已吊销"))
            request.user = user
            request.api_token_auth = True
            # Token requests carry no session and need no CSRF token.
            request._dont_enforce_csrf_checks = True
        actor = Actor.for_user(request.user)
        if request.user.is_authenticated and not getattr(request, "api_token_auth", False):
            blocked = self._session_checks(request, actor, is_api)
            if blocked is not None:
                return blocked
        request.actor = actor
        with activate(actor.scope):
            return self.get_response(request)

    def _session_checks(self, request, actor: Actor, is_api: bool):
        now = time.time()
        last_seen = request.session.get(SESSION_LAST_SEEN)
        idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if last_seen is not None and now - last_seen > idle_limit:
            logout(request)
            if is_api:
                return _api_error(401, "session_expired", _("会话因长时间未操作已失效，请重新登录"))
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?expired=1&next={request.path}")
        if last_seen is None or now - last_seen > 30:
            request.session[SESSION_LAST_SEEN] = now
        if request.path.startswith(OPEN_PREFIXES):
            return None
        user = request.user
        if user.must_change_password:
            if is_api:
                return _api_error(403, "password_change_required", _("首次登录须先修改密码"))
            return redirect("accounts:password_change")
        needs_otp = user.totp_confirmed or bool(actor.roles & TOTP_REQUIRED_ROLES)
        if needs_otp and not request.session.get(SESSION_OTP_OK):
            if is_api:
                return _api_error(403, "second_factor_required", _("须先完成两步验证"))
            return redirect("accounts:otp" if user.totp_confirmed else "accounts:otp_setup")
        return None

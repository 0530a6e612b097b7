"""One middleware gives every request (page or API) its actor and activates the actor's region scope.

It also enforces what a session may do before anything else: API tokens (an administrator's only with a second
factor), the idle timeout, the second factor for enrolled users and the roles that require it (before it, a session
reaches only the factor pages and logout), and the forced password change on first login.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import current_request
from shegong.core.scoping import activate

from .actor import Actor
from .factors import admin_token_allowed, has_confirmed_factor
from .models import ApiToken, hash_token
from .roles import ADMIN_ROLES, TOTP_REQUIRED_ROLES

SESSION_LAST_SEEN = "shegong_last_seen"
SESSION_OTP_OK = "shegong_otp_ok"
# Paths that need no login at all.
PUBLIC_PREFIXES = ("/static/", "/accounts/login/", "/i18n/", "/public/", "/favicon")
# All a session may reach before its second factor: the factor pages and logout.
FACTOR_PREFIXES = (*PUBLIC_PREFIXES, "/accounts/otp/", "/accounts/logout/")
# What it may reach, once past the second factor, while a password change is pending.
OPEN_PREFIXES = (*FACTOR_PREFIXES, "/accounts/password/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": message}, status=status)


def authenticate_token(raw: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith("/api/")
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = None
        if is_api and header.startswith("Bearer "):
            token = authenticate_token(header[7:].strip())
            if token is None:
                return _api_error(401, "invalid_token", _("API 令牌无效、已过期或已吊销"))
            request.user = token.user
            request.api_token_auth = True
            # Token requests carry no session and need no CSRF token.
            request._dont_enforce_csrf_checks = True
        actor = Actor.for_user(request.user)
        if token is not None and actor.roles & ADMIN_ROLES and not admin_token_allowed(token):
            return _api_error(401, "invalid_token", _("管理员的 API 令牌须启用两步验证，且有效期不超过一天"))
        if request.user.is_authenticated and not getattr(request, "api_token_auth", False):
            blocked = self._session_checks(request, actor, is_api)
            if blocked is not None:
                return blocked
        request.actor = actor
        # Bound for the audit writer: a service's entry carries the client's address and user agent although
        # the view passes it only the actor.
        with activate(actor.scope), current_request.bound(request):
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
        user = request.user
        if not request.session.get(SESSION_OTP_OK):
            enrolled = has_confirmed_factor(user)
            # Read by the menus (core.context_processors): before the factor they offer nothing but logout.
            request.second_factor_pending = bool(enrolled or actor.roles & TOTP_REQUIRED_ROLES)
            if request.second_factor_pending and not request.path.startswith(FACTOR_PREFIXES):
                if is_api:
                    return _api_error(403, "second_factor_required", _("须先完成两步验证"))
                return redirect("accounts:otp" if enrolled else "accounts:otp_setup")
        if user.must_change_password and not request.path.startswith(OPEN_PREFIXES):
            if is_api:
                return _api_error(403, "password_change_required", _("首次登录须先修改密码"))
            return redirect("accounts:password_change")
        return None

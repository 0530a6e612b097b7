"""Writes on accounts: users, role assignments, API tokens and passwords (the second factor: factors.py)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.regioncodes import RegionCodeError, normalise
from shegong.core.scoping import across_regions
from shegong.regions.models import Region

from .actor import SystemActor
from .models import ApiToken, RoleAssignment, User, hash_token
from .roles import ADMIN_ROLES, Role, grantable_roles


def region_code_of(raw: object) -> str:
    """The one way a region argument from a page, the API or a command becomes a 12-digit code."""
    try:
        return normalise(raw)
    except RegionCodeError as exc:
        raise ValidationError({"region": str(exc)}) from exc


def user_create(
    *,
    actor,
    username: str,
    roles: list[tuple[str, str, int | None]],
    password: str | None = None,
    display_name: str = "",
    must_change_password: bool = True,
) -> User:
    """Create a user with role assignments given as (role, region code, organisation id or None)."""
    actor.require("accounts.manage")
    roles = [(role, region_code_of(code), org) for role, code, org in roles]
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(u)s”已存在") % {"u": username}})
    with transaction.atomic():
        user = User(username=username, display_name=display_name, must_change_password=must_change_password)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        for role, region_code, organisation_id in roles:
            assignment_add(
                actor=actor, user=user, role=role, region_code=region_code, organisation_id=organisation_id
            )
        record(
            "user.create",
            actor=actor,
            obj=user,
            region_code=roles[0][1] if roles else "",
            changes={"roles": [list(r) for r in roles]},
        )
    return user


def _roles_of(user: User) -> list[list]:
    return [
        list(row)
        for row in user.assignments.order_by("id").values_list("role", "region_id", "organisation_id")
    ]


def _check_grant(actor, user: User, role: str, region_code: str) -> None:
    """May ``actor`` grant or take away ``role`` over ``region_code`` on ``user``'s account?

    The system (management commands) may do anything the model allows; a person needs accounts.manage over the
    region, may only hand out the roles its own roles may grant, and never touches its own account or an
    administrator's.
    """
    if not actor.can("accounts.manage", region_code):
        actor.require("accounts.manage")  # no account management anywhere: 403
        raise ValidationError({"region": _("区划 %(c)s 不在您的管辖范围内") % {"c": region_code}})
    if isinstance(actor, SystemActor):
        return
    if role not in grantable_roles(actor.roles):
        raise ValidationError({"role": _("您不能授予或撤销“%(r)s”角色") % {"r": Role(role).label}})
    if getattr(actor.user, "pk", None) == user.pk:
        raise ValidationError({"role": _("不能更改自己账号的角色")})
    if user.assignments.filter(role__in=ADMIN_ROLES).exists():
        raise ValidationError({"role": _("不能更改管理员账号的角色")})


def assignment_add(
    *, actor, user: User, role: str, region_code: str, organisation_id: int | None = None
) -> RoleAssignment:
    actor.require("accounts.manage")
    if role not in Role.values:
        raise ValidationError(
            {"role": _("未知角色“%(r)s”，可选：%(all)s") % {"r": role, "all": ", ".join(Role.values)}}
        )
    code = region_code_of(region_code)
    _check_grant(actor, user, role, code)
    # The security admin's own scope holds no business data; whether a region or organisation exists is asked of
    # the whole database. The organisation model is reached through the relation: orgs sits above accounts.
    with (
        transaction.atomic(),
        across_regions("account administration checks a region or organisation exists"),
    ):
        if not Region.objects.filter(code=code).exists():
            raise ValidationError({"region": _("区划 %(c)s 不存在") % {"c": code}})
        if organisation_id is not None:
            Organisation = RoleAssignment._meta.get_field("organisation").related_model
            if not Organisation.objects.filter(pk=organisation_id).exists():
                raise ValidationError({"organisation": _("机构 %(o)s 不存在") % {"o": organisation_id}})
        existing = RoleAssignment.objects.filter(
            user=user, role=role, region_id=code, organisation_id=organisation_id
        ).first()
        if existing is not None:
            return existing
        before = _roles_of(user)
        assignment = RoleAssignment(user=user, role=role, region_id=code, organisation_id=organisation_id)
        assignment.full_clean()
        assignment.save()
        record(
            "user.role.add",
            actor=actor,
            obj=user,
            region_code=code,
            changes={"roles": {"before": before, "after": _roles_of(user)}},
        )
    return assignment


def user_region(user: User) -> str:
    """The region an account's audit entries are filed under: its first role's region."""
    return user.assignments.order_by("id").values_list("region_id", flat=True).first() or ""


def token_create(*, actor, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Return the token row and the raw token, which is shown once and never stored."""
    if actor.user != user:
        actor.require("accounts.manage")
    lifetime = datetime.timedelta(days=days or settings.API_TOKEN_DAYS)
    from .factors import has_confirmed_factor, is_administrator

    if is_administrator(user):
        # An administrator's token is as strong as its login: a confirmed second factor, and a day at most.
        if not has_confirmed_factor(user):
            raise ValidationError({"name": _("管理员须先启用两步验证，才能创建 API 令牌")})
        lifetime = min(lifetime, datetime.timedelta(hours=settings.ADMIN_API_TOKEN_HOURS))
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[3:11],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + lifetime,
    )
    record(
        "token.create",
        actor=actor,
        obj=token,
        region_code=user_region(user),
        changes={"user": user.username, "name": name},
    )
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> None:
    if actor.user != token.user:
        actor.require("accounts.manage")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record("token.revoke", actor=actor, obj=token, region_code=user_region(token.user))


def password_change(*, actor, user: User, new_password: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    if user.check_password(new_password):
        raise ValidationError({"new_password1": _("新密码不能与当前密码相同")})
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record("password.change", actor=actor, obj=user, region_code=user_region(user))


def _require_manage(actor, user: User) -> None:
    """Security admins manage users whose roles all lie inside their own subtrees."""
    from shegong.core.regioncodes import in_subtree

    roots = actor.regions_with("accounts.manage")
    if not getattr(actor, "user", None) and actor.can("accounts.manage"):
        return  # the system actor of management commands
    codes = list(user.assignments.values_list("region_id", flat=True))
    if not roots or not all(any(in_subtree(code, root) for root in roots) for code in codes):
        from django.http import Http404

        raise Http404


def assignment_remove(*, actor, assignment: RoleAssignment) -> None:
    user = assignment.user
    _check_grant(actor, user, assignment.role, assignment.region_id)
    with transaction.atomic():
        before = _roles_of(user)
        assignment.delete()
        record(
            "user.role.remove",
            actor=actor,
            obj=user,
            region_code=assignment.region_id,
            changes={"roles": {"before": before, "after": _roles_of(user)}},
        )


def password_reset(*, actor, user: User, new_password: str) -> None:
    """A security admin sets a temporary password; the user must change it at next login."""
    _require_manage(actor, user)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    from .backends import clear_failures

    clear_failures(user.username)
    record("user.password_reset", actor=actor, obj=user, region_code=user_region(user))


def user_unlock(*, actor, user: User) -> None:
    _require_manage(actor, user)
    from .backends import clear_failures

    clear_failures(user.username)
    record("user.unlock", actor=actor, obj=user, region_code=user_region(user))


def user_set_active(*, actor, user: User, active: bool) -> None:
    _require_manage(actor, user)
    if actor.user == user:
        raise ValidationError({"is_active": _("不能停用自己的账号")})
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        "user.activate" if active else "user.deactivate", actor=actor, obj=user, region_code=user_region(user)
    )

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from shegong.core.fields import SensitiveModel

from .roles import ADMIN_ROLES, BUSINESS_ROLES, Role


class User(AbstractUser, SensitiveModel):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Set when a security admin resets the second factor; the next login tells the user, then clears it.
    factor_reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def second_factor_enabled(self) -> bool:
        from .factors import has_confirmed_factor

        return has_confirmed_factor(self)


class RoleAssignment(models.Model):
    """One role held by a user over a region subtree, optionally on behalf of an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("区划"))
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属机构")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(organisation__isnull=True),
                name="unique_assignment_without_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "organisation"], name="unique_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region_id}"

    def clean(self) -> None:
        """三权分立: an administrator's account holds no business role, and a business account no admin role.

        The rule spans rows, so the database cannot hold it as a CheckConstraint; every write goes through
        ``assignment_add``, which calls ``full_clean``.
        """
        if not self.user_id or self.role not in ADMIN_ROLES | BUSINESS_ROLES:
            return
        clashing = ADMIN_ROLES if self.role in BUSINESS_ROLES else BUSINESS_ROLES
        others = RoleAssignment.objects.filter(user_id=self.user_id, role__in=clashing).exclude(pk=self.pk)
        if others.exists():
            raise ValidationError(
                {"role": _("管理员账号不能持有业务角色，业务账号也不能持有管理员角色（三权分立）")}
            )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored. It carries its owner's roles and scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name or self.prefix} ({self.user})"

    @staticmethod
    def new_raw() -> str:
        return "sg_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class LoginFailure(models.Model):
    """A failed login, counted per account and per address for lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"


class RecoveryDevice(ThrottlingMixin, Device):
    """One-time recovery codes (django-otp device); only their SHA-256 is stored, each is deleted when used.

    django-otp's StaticDevice keeps its tokens in plain text, hence this device. The codes carry 80 random bits,
    so an unsalted hash is as good as a slow one here (the same reasoning as API tokens).
    """

    class Meta(Device.Meta):
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        from .factors import _hash_code

        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _rows = self.codes.filter(code_hash=_hash_code(str(token))).delete()
        if deleted:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"{self.device_id}:{self.code_hash[:8]}"

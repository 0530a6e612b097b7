"""The in-app inbox: one message per user and event, the user's outgoing-channel preferences, and a record of
every e-mail or SMS that went out (or failed to).

A message's title and body are stored untranslated (``gettext_noop`` text) with their values in ``params``, and
translated when shown, like timeline entries (docs/development.md, "Text").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, SensitiveModel
from shegong.core.scoping import RegionOwned, by_user


class Kind(models.TextChoices):
    VISIT_ESCALATED = "visit_escalated", _("高风险对象逾期未访（已上报站长）")
    FILING_DUE = "filing_due", _("社工备案即将逾期")
    HOURS_PENDING = "hours_pending", _("志愿服务时长待确认（每日汇总）")
    PROJECT_FILING_DUE = "project_filing_due", _("项目人员备案即将逾期")
    PROJECT_OVERSPEND = "project_overspend", _("项目支出超预算被拒")
    PROJECT_STAFF_BREACH = "project_staff_breach", _("项目人员离职违反规定")
    DISCLOSURE_DUE = "disclosure_due", _("三务公开即将发布")
    CASE_APPROVAL = "case_approval", _("个案待审批")
    CASE_DECIDED = "case_decided", _("个案审批结果")
    CASE_TRANSFER = "case_transfer", _("个案转移待接收")
    DEMAND_ASSIGNED = "demand_assigned", _("新派单")
    DEMAND_DUE = "demand_due", _("诉求催办")
    DEMAND_ESCALATED = "demand_escalated", _("诉求逾期督办")
    REPORT_OVERDUE = "report_overdue", _("周报逾期未报送")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("无联系方式")


def _render(template: str, params: dict) -> str:
    text = gettext(template) if template else ""
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        # A catalogue entry that lost a placeholder must not break the inbox: show the untranslated text.
        return template % params if params else template


class Message(RegionOwned):
    """One notice in one user's inbox. ``dedupe_key`` names the event: re-evaluating it never makes a second one."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox", verbose_name=_("收件人")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="message_once_per_user_and_event"
            ),
            models.CheckConstraint(condition=~Q(dedupe_key=""), name="message_has_dedupe_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    # Whoever holds a relationship-bound role sees only its own messages; the views also filter every role by
    # recipient, so a region-wide role sees no one else's inbox either.
    relationship = {
        "operator": by_user("recipient_id"),
        "supervisor": by_user("recipient_id"),
        "evaluator": by_user("recipient_id"),
        "volunteer": by_user("recipient_id"),
    }

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.kind} · {self.dedupe_key}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def shown_title(self) -> str:
        return _render(self.title, self.params)

    @property
    def shown_body(self) -> str:
        return _render(self.body, self.params)


class Preference(SensitiveModel):
    """Which kinds of message also go out by e-mail or SMS, for one user. No row: in-app only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(_("邮件通知"), default=list, blank=True)
    sms_kinds = models.JSONField(_("短信通知"), default=list, blank=True)
    phone = EncryptedField(_("接收短信的手机号"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")

    def __str__(self) -> str:
        return f"{self.user_id}"

    def channels_for(self, kind: str) -> list[str]:
        channels = []
        if kind in self.email_kinds:
            channels.append(Channel.EMAIL)
        if kind in self.sms_kinds:
            channels.append(Channel.SMS)
        return channels


class Delivery(RegionOwned):
    """One attempt to send a message outside the app; a failure stays here with its error, never lost."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("外发记录")
        verbose_name_plural = _("外发记录")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_status")]

    region_from = "message"
    relationship = {
        "operator": by_user("message__recipient_id"),
        "supervisor": by_user("message__recipient_id"),
        "evaluator": by_user("message__recipient_id"),
        "volunteer": by_user("message__recipient_id"),
    }

    def __str__(self) -> str:
        return f"{self.message_id} · {self.channel} · {self.status}"

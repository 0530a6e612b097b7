from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER_AGENT_MAX = 255  # what a browser's User-Agent needs to be told apart; longer ones are cut


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only; use `shegong audit prune`")


class AuditEvent(models.Model):
    """One entry of the append-only audit log, chained to the previous entry by a keyed hash (HMAC-SM3 under the
    audit key version ``key_id``; docs/adr/0004-keyed-audit-chain.md)."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=40, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("区划"), max_length=12, blank=True, db_index=True)
    changes = models.JSONField(_("变更摘要"), default=dict, blank=True)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=USER_AGENT_MAX, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted")


class AuditChainHead(models.Model):
    """The single row that serialises appends and remembers where a prune cut the chain.

    The prune marker (``pruned_through_seq``, ``pruned_anchor_hash``) is signed under the audit key, so that a
    deleted prefix cannot pass for a prune.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    pruned_through_seq = models.BigIntegerField(default=0)
    pruned_anchor_hash = models.CharField(max_length=64, default="0" * 64)
    pruned_key_id = models.CharField(max_length=16, blank=True)
    pruned_mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head at #{self.last_seq}"


class AuditCheckpoint(models.Model):
    """A signed note of the chain's head at one moment: entry ``last_seq`` had hash ``last_hash``.

    Kept apart from the entries (and copied to the log output): a chain cut back or re-chained behind a
    checkpoint no longer matches it. Append-only like the entries (triggers of migration 0002).
    """

    taken_at = models.DateTimeField(db_index=True)
    last_seq = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField()  # entries in the log when taken (after any prune)
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"audit checkpoint at #{self.last_seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit checkpoints cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit checkpoints cannot be deleted")

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.crypto import blind_index, sm3_hex
from shegong.core.fields import EncryptedBinaryField, EncryptedField, EncryptedJSONField, SensitiveModel
from shegong.core.scoping import RegionOwned, by_organisation
from shegong.people.relationships import supervised


class VisitMethod(models.TextChoices):
    HOME = "home", _("上门")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")
    THIRD_PARTY = "third_party", _("委托第三方")
    VOLUNTEER = "volunteer", _("志愿者结对")
    RELATIVES = "relatives", _("亲属邻里")
    SMART_ALERT = "smart_alert", _("智能预警")


# The findings checklist: each item is "ok", "issue" or "na" (not checked).
FINDINGS = [
    ("health", _("身体健康")),
    ("mental", _("精神状态")),
    ("gas", _("燃气安全")),
    ("water", _("用水安全")),
    ("power", _("用电安全")),
    ("heating", _("取暖安全")),
    ("hygiene", _("个人及居室卫生")),
    ("living", _("居住条件")),
]
# Findings about health and the mind are sensitive personal information: they stay inside the encrypted record.
SENSITIVE_FINDINGS = frozenset({"health", "mental"})
FINDING_VALUES = {"ok": _("正常"), "issue": _("有问题"), "na": _("未查看")}


class Visit(RegionOwned, SensitiveModel):
    recipient = models.ForeignKey(
        "recipients.Recipient", on_delete=models.PROTECT, related_name="visits", verbose_name=_("服务对象")
    )
    worker = models.ForeignKey(
        "people.SocialWorker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("探访社工"),
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visited_at = models.DateTimeField(_("探访时间"), default=timezone.now)
    method = models.CharField(
        _("探访方式"), max_length=12, choices=VisitMethod.choices, default=VisitMethod.HOME
    )
    # Health, mental state and living details are sensitive personal information (PIPL art. 28): encrypted, and
    # never filtered on (no list or selector reads them in the database; the visit timeline reads decrypted rows).
    findings = EncryptedJSONField(_("探访发现"), default=dict, blank=True)
    notes = EncryptedField(_("情况记录"), blank=True, default="")
    needs_found = EncryptedField(_("发现需求"), blank=True, default="")
    follow_up = EncryptedField(_("后续跟进"), blank=True, default="")
    location_consent = models.BooleanField(_("对象同意记录位置"), default=False)
    location = EncryptedField(_("位置"), blank=True, default="")
    # The purchased project this was done under, chosen by the write service (core.projectlinks, ADR 0008).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_visits",
        verbose_name=_("所属项目"),
    )
    idempotency_key = models.UUIDField(_("提交编号"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        indexes = [models.Index(fields=["recipient", "visited_at"], name="visit_recipient_time")]

    def __str__(self) -> str:
        return f"{self.recipient} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    region_from = "recipient"
    # An operator sees the visits of the recipients served at its stations; a supervisor its supervisees' visits.
    relationship = {
        "operator": by_organisation("recipient__station__operator_id"),
        "supervisor": supervised("worker"),
    }

    def finding_rows(self) -> list[tuple[str, str, str]]:
        return [(key, label, self.findings.get(key, "na")) for key, label in FINDINGS]

    @property
    def issues(self) -> list[str]:
        return [str(label) for key, label in FINDINGS if self.findings.get(key) == "issue"]

    @property
    def recordable_issues(self) -> list[str]:
        """The issue keys that may be kept outside the encrypted record (the audit log): not health or mind."""
        return [
            key
            for key, _label in FINDINGS
            if key not in SENSITIVE_FINDINGS and self.findings.get(key) == "issue"
        ]


class VisitPhoto(RegionOwned, SensitiveModel):
    # No database constraint: on PostgreSQL visits are partitioned by month and a foreign key would need
    # (id, visited_at); a trigger checks the reference there instead (docs/adr/0010).
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", db_constraint=False)
    content_type = models.CharField(max_length=20)
    # Encrypted at rest; decrypted only by the photo view, which fetches within the viewer's scope.
    data = EncryptedBinaryField()
    size = models.PositiveIntegerField()
    # A keyed hash of the photo's bytes (HMAC-SM3 over their SM3 digest), set when the photo is stored: the same
    # picture attached to two visits has the same hash, and the hash tells nothing about the picture without the key.
    content_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "visit"
    relationship = {
        "operator": by_organisation("visit__recipient__station__operator_id"),
        "supervisor": supervised("visit__worker"),
    }


class VisitKey(models.Model):
    """PostgreSQL only: the idempotency keys of every visit, one row each, in one unpartitioned table.

    The partitioned visit table can only hold a key unique within its month; this table keeps it unique across all
    of them. A trigger on the visit table claims the key as a row is inserted (a second visit with the same key,
    in any month, fails as a unique violation) and releases it when the visit is deleted. SQLite keeps the plain
    table, whose own unique index holds the rule; this table does not exist there (docs/adr/0010).
    """

    idempotency_key = models.UUIDField(primary_key=True)
    visit_id = models.BigIntegerField()
    visited_at = models.DateTimeField(db_index=True)

    class Meta:
        required_db_vendor = "postgresql"

    def __str__(self) -> str:
        return str(self.idempotency_key)


def photo_content_hash(data: bytes) -> str:
    return blind_index("visits.photo", sm3_hex(data))


class PhotoDraft(RegionOwned, SensitiveModel):
    """A photo chosen on a visit form that came back with an error, held for the re-render (a short-lived draft).

    Keyed by the form's idempotency key and the user who chose it; the visit write takes it over and deletes it,
    and drafts older than ``DRAFT_HOURS`` are swept whenever another draft is held.
    """

    recipient = models.ForeignKey("recipients.Recipient", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.UUIDField(db_index=True)
    name = models.CharField(max_length=200)
    data = EncryptedBinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "recipient"
    relationship = {"operator": by_organisation("recipient__station__operator_id")}

    class Meta:
        ordering = ["created_at", "pk"]

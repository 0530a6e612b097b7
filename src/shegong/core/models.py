from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedBinaryField, EncryptedJSONField, SensitiveModel
from shegong.core.scoping import REGION_WIDE_ONLY, RegionOwned, by_user


class ScheduleRun(models.Model):
    """When a daily schedule's work last finished (``shegong.core.schedules``); not region-owned."""

    name = models.CharField(max_length=60, primary_key=True)
    finished_on = models.DateField()  # the local (Asia/Shanghai) date it last finished

    def __str__(self) -> str:
        return f"{self.name} @ {self.finished_on}"


class ScheduleFinish(models.Model):
    """When each schedule's task last finished, whoever ran it (the worker or an inline tick); read by /readyz.
    Kept apart from the task queue, whose finished results are pruned after two weeks."""

    name = models.CharField(max_length=60, primary_key=True)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.finished_at}"


class WorkerHeartbeat(models.Model):
    """A running task worker (`shegong db_worker`) stamps its row every few seconds; /readyz reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} @ {self.beat_at}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准，待下载")
    DOWNLOADED = "downloaded", _("已下载")


class ExportRequest(RegionOwned):
    """An unmasked export above ``SHEGONG_UNMASKED_EXPORT_APPROVAL_ROWS`` rows, waiting for a second person.

    Only the query is kept (the export's key and its filters), never the file: the file is built again, under the
    requester's scope, for its one download after another holder of the reveal permission approved it.
    """

    export_key = models.CharField(max_length=60)
    permission = models.CharField(max_length=60)
    filters = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("事由"), max_length=300)
    row_count = models.PositiveIntegerField(_("行数"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_requests"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_approvals",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("下载时间"), null=True, blank=True)

    class Meta(RegionOwned.Meta):
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("导出申请")
        verbose_name_plural = _("导出申请")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("requested_by")),
                name="export_request_approver_is_another_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.export_key} #{self.pk}"

    # An operator (the one relationship-bound role that exports) sees the requests it made; approvers hold
    # region-wide roles.
    relationship = {"operator": by_user("requested_by_id")}


class BackgroundJob(RegionOwned):
    """What a page polls while a background task works: how far it got, when it started and ended."""

    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(RegionOwned.Meta):
        abstract = True

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("待确认列对应")
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("校验中")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("有错误，未导入")
    FAILED = "failed", _("失败")


class ImportJob(BackgroundJob):
    """One uploaded spreadsheet of any registry (``shegong.core.importjobs``) and how far its import has got.

    The page only stores the file and queues the job; a task worker (or, without one, a thread) checks and writes
    it while the status page polls this row.
    """

    kind = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created = models.PositiveIntegerField(default=0)
    existing = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    marked = models.BinaryField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The confirmed column mapping (``core.rosters``): the header's Excel row and, per header cell, the field key
    # it maps to or "" (ignored). Null: guessed from the header when the job runs.
    header_row = models.PositiveIntegerField(null=True, blank=True)
    mapping = models.JSONField(null=True, blank=True)
    ignored = models.JSONField(default=list, blank=True)  # headers of the columns no field read
    skipped = models.PositiveIntegerField(default=0)  # 合计 / 小计 rows left out

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    # An operator (or any importer) follows its own uploads.
    relationship = {"operator": by_user("user_id")}

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(BackgroundJob):
    """Any other long piece of work run in the background for a user (``shegong.core.jobs``): generating a report,
    a full check run. Its page polls this row for the progress bar and, once done, shows the result."""

    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)
    params = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    message = models.CharField(max_length=200, blank=True)
    # What the work produced: a few figures (``result``), a link to the record it made (``result_url``).
    result = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    # A job is its starter's own.
    relationship = {"operator": by_user("user_id")}

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成，待下载")
    DOWNLOADED = "downloaded", _("已下载")
    EXPIRED = "expired", _("已过期")
    FAILED = "failed", _("失败")


class ExportJob(BackgroundJob):
    """A large export (more than ``SHEGONG_BACKGROUND_EXPORT_ROWS`` rows) built by a background task
    (``shegong.core.exports``) while its page shows how far it has got.

    The finished file is kept encrypted (``content``) until its requester downloads it once or it expires
    (``SHEGONG_EXPORT_KEEP_HOURS``); then the bytes are dropped and only the row stays, as a record.
    """

    export_key = models.CharField(max_length=60)
    title = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True)
    reveal = models.BooleanField(default=False)
    reason = models.CharField(_("事由"), max_length=300, blank=True)
    export_request = models.ForeignKey(
        ExportRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")

    def __str__(self) -> str:
        return f"{self.export_key} #{self.pk}"

    # An export and its file are its requester's own.
    relationship = {"operator": by_user("requested_by_id")}

    @property
    def finished(self) -> bool:
        return self.status not in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)

    def content_aad(self) -> str:
        return f"core.exportjob:{self.pk}"


class ImportMapping(models.Model):
    """A user's confirmed column mapping for one import and one sheet shape (the hash of its normalised header,
    ``core.rosters.shape_of``): next month's roster of the same shape is mapped the same way. Not region-owned:
    it is the user's own, read only for that user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    shape = models.CharField(max_length=32)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "shape"], name="import_mapping_one_per_shape")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.shape[:8]}"


class SynonymTarget(models.TextChoices):
    HEADER = "header", _("列名")
    VALUE = "value", _("取值")


class ImportSynonym(RegionOwned):
    """A word a region's rosters use, added by its bureau: a column header meaning one of an import's fields
    (``target=header``: 对象名称 → name), or a value meaning one of a field's values (``target=value``: 城乡低保 →
    最低生活保障). It applies to imports into the region and everywhere below it, beside the shipped synonyms
    (``core.rosters.COLUMN_SYNONYMS``, an import's own seeds)."""

    kind = models.CharField(_("导入"), max_length=40)
    target = models.CharField(_("类型"), max_length=10, choices=SynonymTarget.choices)
    field_key = models.CharField(_("字段"), max_length=40)
    text = models.CharField(_("名册中的写法"), max_length=100)
    value = models.CharField(_("对应的值"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(RegionOwned.Meta):
        ordering = ["kind", "target", "field_key", "text"]
        verbose_name = _("导入同义词")
        verbose_name_plural = _("导入同义词")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "kind", "target", "text"], name="import_synonym_unique_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} → {self.value or self.field_key}"

    # The bureau's dictionary: edited by region-wide roles holding policy.change, read by every import below.
    relationship = REGION_WIDE_ONLY


class Tally(RegionOwned):
    """One counted figure of one region (the lowest region the records belong to) and month (``core.tallies``).

    Kept current by the services that write the records counted (a case opened, a session held, an hour
    confirmed) in the same transaction, and checked against the records by ``shegong tallies reconcile``; pages and
    higher layers read these rows, never the raw records, for per-region × month figures.
    """

    month = models.DateField()  # the first day of the month
    metric = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    # Whole regions' counts: region-wide roles only.
    relationship = REGION_WIDE_ONLY

    class Meta(RegionOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "region_code", "month"], name="one_tally_per_metric_region_month"
            )
        ]
        indexes = [models.Index(fields=["metric", "month", "region_code"], name="tally_metric_month_region")]
        verbose_name = _("统计数")
        verbose_name_plural = _("统计数")

    def __str__(self) -> str:
        return f"{self.metric} {self.region_code} {self.month:%Y-%m} = {self.value}"


class TallyMember(RegionOwned):
    """Who a distinct-count tally already counted (a person served in a region and month counts once)."""

    month = models.DateField()
    metric = models.CharField(max_length=40)
    member = models.CharField(max_length=60)

    relationship = REGION_WIDE_ONLY

    class Meta(RegionOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "region_code", "month", "member"], name="one_tally_member_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.region_code} {self.month:%Y-%m} {self.member}"


class Standing(RegionOwned):
    """How many records of one region are in a state now, by when they fall due (``core.standing``).

    A figure of the present (cases in the assessment stage, requests open, requests past their deadline), where a
    ``Tally`` is a figure of a month. Kept current by the services that move records in and out of the state, in
    the same transaction; ``due`` is the moment a record of this row becomes overdue (``NEVER`` when it has no
    deadline), so "overdue now" is the sum of the rows due before now, an index read however many records there are.
    """

    metric = models.CharField(max_length=40)
    due = models.DateTimeField()
    value = models.IntegerField(default=0)

    relationship = REGION_WIDE_ONLY

    class Meta(RegionOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "region_code", "due"], name="one_standing_per_metric_region_due"
            )
        ]
        verbose_name = _("现存数")
        verbose_name_plural = _("现存数")

    def __str__(self) -> str:
        return f"{self.metric} {self.region_code} {self.due:%Y-%m-%d %H:%M} = {self.value}"


class SyncDevice(SensitiveModel):
    """One installed copy of the field app on one phone, for one user (the offline app, ``core.sync``).

    ``key`` is the device's data key: the phone encrypts its offline copy with it and keeps it only wrapped by a key
    derived from the worker's password, so the server releases it to a password check (``sync_unlock``). A revoked
    device (or the account of a deactivated user) is told so on its next contact and wipes itself.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = EncryptedBinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.token}"


class SyncReceipt(models.Model):
    """The answer given to one uploaded record, by its client-generated key: a retry gets the same answer."""

    key = models.UUIDField(unique=True)
    kind = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class SyncConflict(RegionOwned, SensitiveModel):
    """An offline edit of a shared record that arrived after the server's copy had moved on.

    The server kept its values; the device's are stored here beside them (encrypted: a phone number is personal
    information), with who entered each and when, until a person picks field by field.
    """

    key = models.UUIDField(unique=True)
    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    fields = EncryptedJSONField(default=dict)  # field → {"server": …, "device": …}
    device_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device_at = models.DateTimeField()
    server_user_name = models.CharField(max_length=150, blank=True)
    server_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "region_code"], name="syncconflict_open")]

    # Operators, supervisors and the other relationship-bound roles see none: conflicts are the station's and the
    # worker's business (the worker's own are read by device_user, within the worker's region).
    relationship = REGION_WIDE_ONLY

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"

"""Government-purchased service projects (政府购买服务项目, SPEC §6): the project and its lifecycle, the workers on
it and their filing, targets, budget lines and spending, payments, claw-backs, and the frozen monthly three-affairs
releases (三务公开)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedBinaryField, SensitiveModel
from shegong.core.money import money_field
from shegong.core.scoping import RegionOwned, by_organisation
from shegong.people.models import AssignmentFilingStatus
from shegong.people.relationships import supervised


class ProjectKind(models.TextChoices):
    """The "1+2+3+X" scheme (seed 003)."""

    CORE = "core", _("1 核心项目")
    GOVERNANCE = "governance", _("2 治理品牌项目")
    BASIC_POOR = "basic_poor", _("3 基础项目·困难家庭")
    BASIC_ELDERLY = "basic_elderly", _("3 基础项目·老年人")
    BASIC_CHILDREN = "basic_children", _("3 基础项目·儿童")
    FEATURED = "featured", _("X 特色项目")


class ProjectField(models.TextChoices):
    ASSISTANCE = "assistance", _("社会救助")
    ELDERLY = "elderly", _("养老服务")
    CHILDREN = "children", _("儿童关爱")
    GOVERNANCE = "governance", _("社区治理")
    AFFAIRS = "affairs", _("社会事务")
    OTHER = "other", _("其他")


class ProjectState(models.TextChoices):
    DEMAND = "demand", _("需求发布")
    APPROVED = "approved", _("立项")
    STAFFING = "staffing", _("人员备案")
    EXECUTING = "executing", _("执行")
    MID_REVIEW = "mid_review", _("中期评估")
    FINAL_REVIEW = "final_review", _("末期评估")
    CLOSED = "closed", _("结项")
    TERMINATED = "terminated", _("终止")


# A project "runs" from its approval until it is closed or terminated: its workers are bound to it (one project at
# a time), its targets are measured and its releases are published.
ACTIVE_STATES = (
    ProjectState.APPROVED,
    ProjectState.STAFFING,
    ProjectState.EXECUTING,
    ProjectState.MID_REVIEW,
    ProjectState.FINAL_REVIEW,
)
FINISHED_STATES = (ProjectState.CLOSED, ProjectState.TERMINATED)


class Project(RegionOwned):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    buyer = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("购买方"),
        help_text=_("民政局或乡镇（街道）所在区划"),
    )
    buyer_name = models.CharField(_("购买方名称"), max_length=100)
    operator = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="projects", verbose_name=_("承接机构")
    )
    service_regions = models.ManyToManyField(
        "regions.Region", related_name="+", verbose_name=_("服务区域"), blank=True
    )
    kind = models.CharField(_("项目类型"), max_length=16, choices=ProjectKind.choices)
    field = models.CharField(_("服务领域"), max_length=12, choices=ProjectField.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    contract_amount = money_field(_("合同金额（元）"))
    government_funds = money_field(_("财政资金（元）"), default=Decimal("0"))
    charity_funds = money_field(_("撬动慈善资金（元）"), default=Decimal("0"))
    state = models.CharField(
        _("阶段"), max_length=14, choices=ProjectState.choices, default=ProjectState.DEMAND
    )
    approved_on = models.DateField(_("立项日期"), null=True, blank=True)
    staff_changed_on = models.DateField(_("人员变动日期"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    behind_margin = models.PositiveSmallIntegerField(
        _("进度落后提示阈值（%）"),
        default=10,
        help_text=_("实际完成低于按期应完成量的该百分比时提示落后"),
    )
    # The demand-list items the project answers (codes of the demands app's summary; see the app's README note).
    demand_codes = models.JSONField(_("回应的需求清单条目"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "buyer"
    # An operator sees the projects its organisation runs (in every region its grants reach). A project names no
    # station, so no supervisor sees it through the register (an assignment to a project is by name only); a
    # supervisor sees its supervisees' project postings (ProjectStaff).
    relationship = {"operator": by_organisation("operator_id")}

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("购买服务项目")
        verbose_name_plural = _("购买服务项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("结束日期须晚于开始日期"),
            ),
            models.CheckConstraint(condition=Q(contract_amount__gte=0), name="project_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["state", "region_code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def elapsed_share(self, today: datetime.date | None = None) -> Decimal:
        """The share of the period gone by (0 before it starts, 1 after it ends)."""
        today = today or timezone.localdate()
        total = (self.ends_on - self.starts_on).days + 1
        gone = (min(today, self.ends_on) - self.starts_on).days + 1
        return Decimal(max(0, min(gone, total))) / Decimal(total)


class Transition(RegionOwned):
    """One step of a project's lifecycle, who took it and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=14, choices=ProjectState.choices)
    to_state = models.CharField(max_length=14, choices=ProjectState.choices)
    on = models.DateField(_("日期"))
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["created_at", "pk"]


class StaffRole(models.TextChoices):
    LEAD = "lead", _("项目负责人")
    WORKER = "worker", _("项目社工")
    FINANCE = "finance", _("财务")
    SUPERVISOR = "supervisor", _("督导")


class ProjectStaff(RegionOwned):
    """A worker on a project from a date, and its filing (备案) with the bureau under the same local policy as a
    station posting (``regions.selectors.policy_for``: the filing deadline)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="staff")
    worker = models.ForeignKey(
        "people.SocialWorker", on_delete=models.PROTECT, related_name="project_posts", verbose_name=_("社工")
    )
    role = models.CharField(_("项目岗位"), max_length=12, choices=StaffRole.choices, default=StaffRole.WORKER)
    start_date = models.DateField(_("进入项目日期"))
    end_date = models.DateField(_("离开项目日期"), null=True, blank=True)
    filing_status = models.CharField(
        _("备案状态"),
        max_length=10,
        choices=AssignmentFilingStatus.choices,
        default=AssignmentFilingStatus.UNFILED,
    )
    filing_submitted_on = models.DateField(_("报备日期"), null=True, blank=True)
    filing_confirmed_on = models.DateField(_("备案确认日期"), null=True, blank=True)
    # Leaving (seed 003): notice at least 30 days ahead, gone only once a replacement is in post, at most 60 days
    # after the notice (local policy). Ending a post that breaks a rule is recorded, with the rules it broke.
    notice_date = models.DateField(_("提出离职日期"), null=True, blank=True)
    replacement = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("补员人员"),
    )
    breaches = models.JSONField(_("违反离职规定"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id"), "supervisor": supervised("worker")}

    class Meta:
        ordering = ["end_date", "start_date", "pk"]
        verbose_name = _("项目人员")
        verbose_name_plural = _("项目人员")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="project_staff_end_after_start",
                violation_error_message=_("离开日期不能早于进入日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.project.code}"

    @property
    def breached(self) -> bool:
        return bool(self.breaches)

    def filing_due(self, filing_days: int) -> datetime.date:
        """Filed within the policy's days after the later of the project's approval and the worker's start."""
        base = max(self.start_date, self.project.approved_on or self.start_date)
        return base + datetime.timedelta(days=filing_days)


class Indicator(models.TextChoices):
    VISITS = "visits", _("探访（次）")
    CASES_OPENED = "cases_opened", _("个案开案")
    CASES_CLOSED = "cases_closed", _("个案结案")
    GROUP_SESSIONS = "group_sessions", _("小组活动节数")
    ACTIVITIES = "activities", _("社区活动场次")
    PEOPLE_SERVED = "people_served", _("服务人次（人·月）")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿服务时长（小时）")
    DEMANDS_RESOLVED = "demands_resolved", _("需求办结")
    SATISFACTION = "satisfaction", _("满意度（%）")


class Target(RegionOwned):
    """What the plan promises for one indicator over a period (the project's whole period unless narrowed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("指标"), max_length=20, choices=Indicator.choices)
    quantity = models.DecimalField(_("目标值"), max_digits=12, decimal_places=1)
    period_start = models.DateField(_("起始"))
    period_end = models.DateField(_("截止"))

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["project", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "period_start"],
                name="one_target_per_indicator_period",
                violation_error_message=_("该指标在此期间已有目标"),
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="target_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="target_period_order"
            ),
        ]


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("人员经费")
    ACTIVITIES = "activities", _("活动经费")
    SUPPLIES = "supplies", _("物资费")
    TRAINING = "training", _("培训费")
    SUPERVISION = "supervision", _("督导费")
    EVALUATION = "evaluation", _("评估费")
    MANAGEMENT = "management", _("管理费")
    OTHER = "other", _("其他")


class BudgetLine(RegionOwned):
    """One line of the budget. ``spent`` is the sum of the line's approved and reviewed expenditures, kept by the
    spending service under a row lock. Where the region refuses overspending (local policy) the service refuses
    it; elsewhere an expenditure that takes the line over is recorded and flagged."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("预算科目"), max_length=12, choices=BudgetCategory.choices)
    amount = money_field(_("预算金额（元）"))
    spent = money_field(_("已支出（元）"), default=Decimal("0"))
    refused_attempts = models.PositiveIntegerField(_("超支被拒次数"), default=0)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["project", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category"],
                name="one_budget_line_per_category",
                violation_error_message=_("该科目已有预算"),
            ),
            models.CheckConstraint(condition=Q(spent__gte=0), name="budget_spent_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.get_category_display()}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


class ExpenditureStatus(models.TextChoices):
    PENDING = "pending", _("待机构财务审核")
    APPROVED = "approved", _("待购买方复核")
    REVIEWED = "reviewed", _("已复核")
    REJECTED = "rejected", _("已退回")


class Expenditure(RegionOwned):
    """Money spent on a budget line, with its voucher. It counts as spent only once the operator's finance has
    approved it and the buyer has reviewed it; until then it is pending."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenditures")
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("预算科目")
    )
    amount = money_field(_("金额（元）"))
    spent_on = models.DateField(_("支出日期"))
    description = models.CharField(_("用途"), max_length=200)
    voucher_number = models.CharField(_("凭证号"), max_length=40, blank=True)
    voucher = models.ForeignKey(
        "ProjectDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("支出凭证"),
    )
    status = models.CharField(
        _("审核状态"), max_length=10, choices=ExpenditureStatus.choices, default=ExpenditureStatus.PENDING
    )
    over_budget = models.BooleanField(_("超预算"), default=False)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("财务审核日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_on = models.DateField(_("购买方复核日期"), null=True, blank=True)
    rejection_note = models.CharField(_("退回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_positive")]
        indexes = [models.Index(fields=["project", "status"])]

    @property
    def counts(self) -> bool:
        return self.status == ExpenditureStatus.REVIEWED


class DocumentType(models.TextChoices):
    PLAN = "plan", _("计划书")
    AGREEMENT = "agreement", _("协议")
    MID_REPORT = "mid_report", _("中期报告")
    FINAL_REPORT = "final_report", _("末期报告")
    OTHER = "other", _("其他")
    VOUCHER = "voucher", _("支出凭证")


class ProjectDocument(RegionOwned, SensitiveModel):
    """An uploaded file of a project. A new upload of a type is a new version; earlier versions stay. The bytes
    are encrypted in the database (never under the web root) and served only by the document view, which fetches
    the project within the viewer's scope and audits the download."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("文件类型"), max_length=14, choices=DocumentType.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    data = EncryptedBinaryField()
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["doc_type", "-version"]
        verbose_name = _("项目文件")
        verbose_name_plural = _("项目文件")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "doc_type", "version"], name="one_project_document_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_doc_type_display()} v{self.version}"


class Payment(RegionOwned):
    """Money the buyer paid the operator at a milestone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payments")
    milestone = models.CharField(_("付款节点"), max_length=60)
    amount = money_field(_("金额（元）"))
    paid_on = models.DateField(_("付款日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]


class ClawBack(RegionOwned):
    """Money the bureau recovers from the operator (e.g. for breaking the staffing rules, seed 003)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="clawbacks")
    amount = money_field(_("追回金额（元）"))
    reason = models.CharField(_("追回原因"), max_length=300)
    decided_on = models.DateField(_("决定日期"))
    staff = models.ForeignKey(
        ProjectStaff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及人员"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["decided_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="clawback_positive")]


class Release(RegionOwned):
    """A frozen monthly three-affairs release (三务公开). Never edited: a correction is a new version that says what
    it corrects. ``content`` holds no personal data (a test scans it)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="releases")
    month = models.DateField(_("所属月份"))  # the first day of the month reported
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    published_at = models.DateTimeField(_("发布时间"))
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    correction_note = models.CharField(_("更正说明"), max_length=300, blank=True)
    content = models.JSONField(default=dict)

    region_from = "project"
    relationship = {"operator": by_organisation("project__operator_id")}

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "version"], name="one_release_version"),
            models.CheckConstraint(
                condition=Q(version=1, corrects__isnull=True) | Q(version__gt=1, corrects__isnull=False),
                name="correction_names_what_it_corrects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.month:%Y-%m} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("已发布的公开信息不能修改，请发布更正版本"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的公开信息不能删除"))

"""Supervision (督导), training and continuing education, and the resource libraries (SPEC §7).

Who supervises whom is a registry fact (``people.Supervisor``, ``people.SupervisionAssignment``); this app keeps
what oversight does with it: the sessions held, the courses taught and attended, the question, expert and project
banks (seed 003, Haining).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, SensitiveModel
from shegong.core.scoping import RegionOwned, by_organisation, by_user, every_row
from shegong.people.relationships import supervised


class Topic(models.Model):
    """A supervision topic of the configurable list (case review, skills, stress relief, …): data, not code."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = models.Manager()

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("督导主题")
        verbose_name_plural = _("督导主题")

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个别督导")
    GROUP = "group", _("团体督导")


class SessionMode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")


class SupervisionSession(RegionOwned):
    """A supervision session held under a supervision relationship, with the workers who attended; each attendee
    (the supervisee) confirms the record."""

    supervisor = models.ForeignKey(
        "people.Supervisor", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("督导")
    )
    assignment = models.ForeignKey(
        "people.SupervisionAssignment",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("督导关系"),
    )
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_sessions",
        verbose_name=_("所在阵地"),
    )
    kind = models.CharField(
        _("形式"), max_length=10, choices=SessionKind.choices, default=SessionKind.INDIVIDUAL
    )
    mode = models.CharField(
        _("方式"), max_length=10, choices=SessionMode.choices, default=SessionMode.OFFLINE
    )
    held_on = models.DateField(_("督导日期"))
    minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), validators=[MinValueValidator(10), MaxValueValidator(600)]
    )
    topics = models.ManyToManyField(Topic, related_name="+", verbose_name=_("督导主题"))
    problems = models.TextField(_("提出的问题"), max_length=2000)
    advice = models.TextField(_("督导意见"), max_length=2000)
    follow_up = models.CharField(_("跟进事项"), max_length=300, blank=True)
    follow_up_due = models.DateField(_("跟进期限"), null=True, blank=True)
    attendees = models.ManyToManyField(
        "people.SocialWorker",
        through="Attendance",
        related_name="supervision_sessions",
        verbose_name=_("参加社工"),
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        indexes = [models.Index(fields=["assignment", "held_on"], name="session_assignment_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_due__isnull=True) | Q(follow_up_due__gte=models.F("held_on")),
                name="follow_up_after_session",
                violation_error_message=_("跟进期限不能早于督导日期"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} · {self.held_on}"

    # The supervisor sees its own sessions; an operator those its workers attended.
    relationship = {
        "supervisor": by_user("supervisor__user_id"),
        "operator": by_organisation("attendance__worker__employer_id"),
    }

    def derived_region_code(self) -> str:
        return self.node.region_code if self.node_id else self.assignment.region_code

    def save(self, *args, **kwargs):
        self.region_code = self.derived_region_code()
        super().save(*args, **kwargs)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


class Attendance(RegionOwned):
    """A worker at a supervision session, and its confirmation of the record."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="attendance")
    worker = models.ForeignKey("people.SocialWorker", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "worker"], name="one_attendance_per_worker")
        ]

    region_from = "session"
    relationship = {
        "supervisor": by_user("session__supervisor__user_id"),
        "operator": by_organisation("worker__employer_id"),
    }


class CourseKind(models.TextChoices):
    PRE_SERVICE = "pre_service", _("岗前培训")
    CONTINUING = "continuing", _("继续教育")
    THEMATIC = "thematic", _("专题培训")
    SUPERVISION = "supervision", _("督导培训")
    PEER = "peer", _("朋辈分享")


class Layer(models.TextChoices):
    """Courses by layer (seed 002, Suzhou)."""

    ALL = "", _("不分层")
    NEW_STAFF = "new_staff", _("新入职社工")
    FRONT_LINE = "front_line", _("一线社工")
    AGENCY_HEADS = "agency_heads", _("机构负责人")
    PROJECT_LEADS = "project_leads", _("项目主管")
    SUPERVISORS = "supervisors", _("本土督导")


class Course(RegionOwned):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("举办区划"), related_name="+"
    )
    title = models.CharField(_("课程名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=12, choices=CourseKind.choices)
    layer = models.CharField(_("培训对象"), max_length=14, choices=Layer.choices, blank=True, default="")
    organiser = models.CharField(_("主办单位"), max_length=100)
    lecturers = models.ManyToManyField(
        "people.Supervisor", blank=True, related_name="courses_taught", verbose_name=_("本土讲师")
    )
    other_lecturers = models.CharField(_("其他讲师"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(
        _("学时"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    region_from = "region"
    # Courses are no one's personal data: every staff role of the region sees the calendar.
    relationship = {"operator": every_row, "supervisor": every_row}


class Enrolment(RegionOwned):
    """A worker enrolled on a course; once attendance is recorded, the hours credited count toward its year."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("课程")
    )
    worker = models.ForeignKey(
        "people.SocialWorker", on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("社工")
    )
    attended = models.BooleanField(_("出勤"), null=True, default=None)
    hours = models.DecimalField(_("计入学时"), max_digits=5, decimal_places=1, default=Decimal(0))
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "worker__name"]
        verbose_name = _("培训报名")
        verbose_name_plural = _("培训报名")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "worker"],
                name="one_enrolment_per_worker",
                violation_error_message=_("已报名"),
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="enrolment_hours_nonneg"),
        ]
        indexes = [models.Index(fields=["worker", "attended"], name="enrolment_worker")]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.course}"

    region_from = "worker"
    relationship = {"operator": by_organisation("worker__employer_id"), "supervisor": supervised("worker")}


# Resource libraries (seed 003, Haining: 问题资源库, 专家资源库, 项目资源库) -------------------------------------
#
# Search: each entry keeps ``search_text``, its searchable words in one column (never a personal contact), matched
# with ``icontains`` — LIKE on SQLite, UPPER(..) LIKE on PostgreSQL — so any run of Chinese characters, two of them
# included, finds the entries that contain it on both databases. A library holds hundreds of entries per region,
# not millions; a bigram or trigram index can replace the scan behind ``selectors.search_resources`` if one grows.


class Searchable(models.Model):
    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    search_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        parts = [str(getattr(self, name) or "") for name in self.search_fields]
        parts += [str(tag) for tag in self.tags or []]
        return "\n".join(p for p in parts if p)


class Question(Searchable, RegionOwned):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所属区划"), related_name="+"
    )
    title = models.CharField(_("问题"), max_length=200)
    detail = models.TextField(_("问题描述"), max_length=4000, blank=True)
    answer = models.TextField(_("解答"), max_length=8000, blank=True)
    answered_by = models.ForeignKey(
        "people.Supervisor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("解答督导"),
    )
    answered_on = models.DateField(_("解答日期"), null=True, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问题资源")
        verbose_name_plural = _("问题资源")

    def __str__(self) -> str:
        return self.title

    search_fields = ("title", "detail", "answer")
    region_from = "region"
    # The libraries are the region's shared knowledge, no one's personal data.
    relationship = {"operator": every_row, "supervisor": every_row}


class Expert(Searchable, RegionOwned, SensitiveModel):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所属区划"), related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    organisation = models.CharField(_("工作单位"), max_length=120, blank=True)
    title = models.CharField(_("职称"), max_length=60, blank=True)
    phone = EncryptedField(_("联系电话"), blank=True, default="")
    email = EncryptedField(_("电子邮箱"), blank=True, default="")
    tags = models.JSONField(_("标签"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家")

    def __str__(self) -> str:
        return self.name

    # The contact details are personal data: encrypted, masked in lists and never searchable.
    search_fields = ("name", "field", "organisation", "title")
    region_from = "region"
    relationship = {"operator": every_row, "supervisor": every_row}


class ReferenceProject(Searchable, RegionOwned):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所属区划"), related_name="+"
    )
    title = models.CharField(_("项目名称"), max_length=150)
    summary = models.TextField(_("项目简介"), max_length=4000)
    organisation = models.CharField(_("实施机构"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("实施年度"), null=True, blank=True)
    # The projects register does not exist yet: a reference project links to its id once it does.
    project_id = models.PositiveIntegerField(_("关联项目编号"), null=True, blank=True)
    documents = models.TextField(
        _("项目文档"), max_length=2000, blank=True, help_text=_("每行一份文档的名称或链接")
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("项目资源")
        verbose_name_plural = _("项目资源")

    def __str__(self) -> str:
        return self.title

    search_fields = ("title", "summary", "organisation", "documents")
    region_from = "region"
    relationship = {"operator": every_row, "supervisor": every_row}

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]

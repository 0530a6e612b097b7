"""Social workers with their assignments, filings, departures and the dishonesty list; volunteers, their teams
and hours; the pay ladders (SPEC §3)."""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedField, SensitiveModel
from shegong.core.identity import normalise_id_number, normalise_phone
from shegong.core.scoping import RegionOwned, by_organisation, by_user
from shegong.regions.selectors import Policy, policy_for, policy_q

from .relationships import supervised

# Defaults from Haining (seed 003); a region may be stricter.
# The filing deadline, the notice to leave and the dishonesty bar are local policy: ``regions.selectors.policy_for``.
VOLUNTEER_TARGET_PER_WORKER = 5


class Certificate(models.TextChoices):
    NONE = "none", _("无")
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class Education(models.TextChoices):
    NONE = "", _("未填写")
    HIGH_SCHOOL = "high_school", _("高中/中专及以下")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEAVING = "leaving", _("离职交接中")
    LEFT = "left", _("已离职")


class PayLadder(models.Model):
    """A pay ladder: posts × grades, kept as data. Presets: Haining 四岗十一级, Jiulongpo 三岗二十一级."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    source = models.CharField(_("出处"), max_length=120, blank=True)
    grades = models.PositiveSmallIntegerField(
        _("级数"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    objects = models.Manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("薪酬体系")
        verbose_name_plural = _("薪酬体系")

    def __str__(self) -> str:
        return self.name


class PayPost(models.Model):
    ladder = models.ForeignKey(PayLadder, on_delete=models.CASCADE, related_name="posts")
    rank = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("岗位"), max_length=40)

    objects = models.Manager()

    class Meta:
        ordering = ["ladder", "rank"]
        constraints = [models.UniqueConstraint(fields=["ladder", "rank"], name="unique_post_rank")]

    def __str__(self) -> str:
        return f"{self.ladder.name} · {self.name}"


class SocialWorker(RegionOwned, SensitiveModel):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("登记区划"), related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", normaliser=normalise_id_number)
    phone = EncryptedField(_("手机号"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", normaliser=normalise_phone)
    gender = models.CharField(_("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True, choices=Education.choices)
    major = models.CharField(_("专业"), max_length=40, blank=True)
    certificate = models.CharField(
        _("职业资格"), max_length=16, choices=Certificate.choices, default=Certificate.NONE
    )
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True)
    certificate_date = models.DateField(_("取证日期"), null=True, blank=True)
    employer = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("用人机构"),
        related_name="workers",
    )
    pay_post = models.ForeignKey(
        PayPost, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("薪酬岗位"), related_name="+"
    )
    pay_grade = models.PositiveSmallIntegerField(_("薪级"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker_profile",
        verbose_name=_("登录账号"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("社工")
        verbose_name_plural = _("社工")
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_grade__isnull=True) | Q(pay_post__isnull=False),
                name="worker_grade_needs_post",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the workers it employs; a supervisor the workers it supervises (people.relationships).
    relationship = {"operator": by_organisation("employer_id"), "supervisor": supervised("")}

    @property
    def is_certified(self) -> bool:
        return self.certificate != Certificate.NONE


class AssignmentFilingStatus(models.TextChoices):
    """Where a worker's posting stands in its filing (备案): reported by the employer, confirmed by civil affairs."""

    UNFILED = "unfiled", _("未备案")
    SUBMITTED = "submitted", _("已报备待确认")
    CONFIRMED = "confirmed", _("已备案")


class Posting(models.TextChoices):
    """How a worker is posted (seed 002, Suzhou): resident at the station, or sent out to a village room."""

    RESIDENT = "resident", _("驻站")
    OUTREACH = "outreach", _("外派")


class WorkerAssignment(RegionOwned):
    """A worker in post at a station or room, from a start date to an optional end date, and its filing (备案)."""

    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("社工")
    )
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("服务阵地"),
    )
    post = models.CharField(_("岗位"), max_length=30, blank=True)
    start_date = models.DateField(_("到岗日期"), default=timezone.localdate)
    end_date = models.DateField(_("离岗日期"), null=True, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    filing_status = models.CharField(
        _("备案状态"),
        max_length=10,
        choices=AssignmentFilingStatus.choices,
        default=AssignmentFilingStatus.UNFILED,
    )
    posting = models.CharField(_("派驻方式"), max_length=10, choices=Posting.choices, blank=True, default="")
    filing_submitted_on = models.DateField(_("报备日期"), null=True, blank=True)
    filing_confirmed_on = models.DateField(_("备案确认日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("岗位安排")
        verbose_name_plural = _("岗位安排")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
                violation_error_message=_("离岗日期不能早于到岗日期"),
            ),
        ]
        indexes = [models.Index(fields=["node", "filing_status"])]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.node}"

    region_from = "node"
    relationship = {"operator": by_organisation("worker__employer_id"), "supervisor": supervised("worker")}

    @cached_property
    def policy(self) -> Policy:
        """The local policy in force where the posting is (a list sets it for many rows at once)."""
        return policy_for(self.region_code or self.node.region_code)

    @property
    def filing_due(self) -> datetime.date:
        return self.start_date + datetime.timedelta(days=self.policy.filing_due_days)

    def filing_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.filing_status == AssignmentFilingStatus.UNFILED
            and today > self.filing_due
            and self.end_date is None
        )

    @classmethod
    def in_post(cls, on: datetime.date | None = None) -> Q:
        on = on or timezone.localdate()
        return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))

    @classmethod
    def overdue_q(cls, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return Q(filing_status=AssignmentFilingStatus.UNFILED, end_date__isnull=True) & policy_q(
            "filing_due_days", lambda days: Q(start_date__lt=today - datetime.timedelta(days=days))
        )

    @classmethod
    def staffing(cls, node_ids: list[int], on: datetime.date | None = None) -> dict[int, tuple[int, int]]:
        rows = (
            cls.objects.filter(cls.in_post(on), node_id__in=node_ids, full_time=True)
            .values("node_id")
            .annotate(
                fulltime=Count("worker_id", distinct=True),
                certified=Count("worker_id", distinct=True, filter=~Q(worker__certificate=Certificate.NONE)),
            )
        )
        return {r["node_id"]: (r["fulltime"], r["certified"]) for r in rows}


class Departure(RegionOwned):
    """A worker's notice to leave: ≥ 30 days' notice, a replacement in post, gone within 60 days (seed 003)."""

    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="departures", verbose_name=_("社工")
    )
    notice_date = models.DateField(_("提出离职日期"))
    planned_leaving_date = models.DateField(_("拟离岗日期"))
    left_on = models.DateField(_("实际离岗日期"), null=True, blank=True)
    replacement = models.ForeignKey(
        SocialWorker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("补员社工"),
    )
    reason = models.CharField(_("离职原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-notice_date"]
        verbose_name = _("离职")
        verbose_name_plural = _("离职")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_leaving_date__gte=models.F("notice_date")),
                name="departure_plan_after_notice",
                violation_error_message=_("拟离岗日期不能早于提出离职日期"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("notice_date")),
                name="departure_left_after_notice",
                violation_error_message=_("实际离岗日期不能早于提出离职日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.notice_date}"

    region_from = "worker"
    relationship = {"operator": by_organisation("worker__employer_id")}

    @cached_property
    def policy(self) -> Policy:
        return policy_for(self.region_code or self.worker.region_code)

    @property
    def earliest_leaving(self) -> datetime.date:
        return self.notice_date + datetime.timedelta(days=self.policy.notice_min_days)

    @property
    def latest_leaving(self) -> datetime.date:
        return self.notice_date + datetime.timedelta(days=self.policy.notice_max_days)

    def breaches(self, today: datetime.date | None = None) -> list[str]:
        """What the departure breaks, in words; empty when it keeps the rules."""
        today = today or timezone.localdate()
        found = []
        leaving = self.left_on or self.planned_leaving_date
        if leaving < self.earliest_leaving:
            found.append(str(_("提前通知不足 %(n)d 天") % {"n": self.policy.notice_min_days}))
        if (
            self.left_on
            and self.left_on > self.latest_leaving
            or not self.left_on
            and today > self.latest_leaving
        ):
            found.append(str(_("自提出离职起超过 %(n)d 天仍未完成交接") % {"n": self.policy.notice_max_days}))
        elif self.planned_leaving_date > self.latest_leaving and not self.left_on:
            found.append(str(_("拟离岗日期晚于提出离职后 %(n)d 天") % {"n": self.policy.notice_max_days}))
        if self.left_on and self.replacement_id is None:
            found.append(str(_("未落实补员即离岗")))
        return found


class DishonestyEntry(RegionOwned):
    """A worker on the dishonesty list (失信名单): barred from social-work posts until ``bar_until``."""

    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="dishonesty", verbose_name=_("社工")
    )
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(_("列入原因"), max_length=300)
    listed_on = models.DateField(_("列入日期"))
    bar_until = models.DateField(_("限制至"))
    listed_by = models.CharField(_("决定机关"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-listed_on"]
        verbose_name = _("失信名单")
        verbose_name_plural = _("失信名单")
        constraints = [
            models.CheckConstraint(
                condition=Q(bar_until__gt=models.F("listed_on")), name="dishonesty_bar_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.listed_on}"

    region_from = "worker"
    relationship = {"operator": by_organisation("worker__employer_id")}

    def active_on(self, day: datetime.date) -> bool:
        return self.listed_on <= day < self.bar_until


class TeamLevel(models.TextChoices):
    CORPS = "corps", _("总队")
    DETACHMENT = "detachment", _("支队/分队")
    SQUAD = "squad", _("小队")


TEAM_PARENT_LEVELS = {
    TeamLevel.CORPS: (),
    TeamLevel.DETACHMENT: (TeamLevel.CORPS,),
    TeamLevel.SQUAD: (TeamLevel.CORPS, TeamLevel.DETACHMENT),
}


class VolunteerTeam(RegionOwned):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所在区划"), related_name="+"
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=TeamLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级队伍"),
    )
    leader = models.CharField(_("队长"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "level", "name"]
        verbose_name = _("志愿服务队伍")
        verbose_name_plural = _("志愿服务队伍")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="unique_team_name_in_region",
                violation_error_message=_("该区划已有同名队伍"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the teams its workers' recruits belong to; a volunteer its own team.
    relationship = {
        "operator": by_organisation("members__recruited_by__employer_id"),
        "volunteer": by_user("members__user_id"),
    }


class Skill(models.TextChoices):
    CARE = "care", _("生活照料")
    MEDICAL = "medical", _("医疗护理")
    COUNSELLING = "counselling", _("心理疏导")
    LEGAL = "legal", _("法律服务")
    TUTORING = "tutoring", _("教育辅导")
    ARTS = "arts", _("文体艺术")
    IT = "it", _("信息技术")
    REPAIR = "repair", _("家电维修")
    EMERGENCY = "emergency", _("应急救援")
    PUBLICITY = "publicity", _("宣传策划")


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("在册")
    INACTIVE = "inactive", _("已退出")


class Volunteer(RegionOwned, SensitiveModel):
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所在区划"), related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", normaliser=normalise_id_number)
    phone = EncryptedField(_("手机号"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", normaliser=normalise_phone)
    gender = models.CharField(_("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    skills = models.JSONField(_("技能"), default=list, blank=True)
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所属队伍"),
    )
    recruited_by = models.ForeignKey(
        SocialWorker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruits",
        verbose_name=_("招募社工"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    self_registered = models.BooleanField(_("自助登记"), default=False)
    registered_on = models.DateField(_("登记日期"), default=timezone.localdate)
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_profile",
        verbose_name=_("登录账号"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the volunteers its workers recruited; a volunteer its own record.
    relationship = {"operator": by_organisation("recruited_by__employer_id"), "volunteer": by_user("user_id")}

    @property
    def skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels.get(s, s)) for s in self.skills or []]


class HoursStatus(models.TextChoices):
    LOGGED = "logged", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已退回")


class VolunteerHours(RegionOwned):
    """Hours a volunteer served, logged by itself against an activity or its team, confirmed by a worker."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="hours", verbose_name=_("志愿者")
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hours",
        verbose_name=_("队伍"),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_hours",
        verbose_name=_("活动"),
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(
        _("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    description = models.CharField(_("服务内容"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.LOGGED
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("确认意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_in_a_day"),
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(activity__isnull=False),
                name="hours_against_team_or_activity",
                violation_error_message=_("请选择活动或队伍"),
            ),
        ]
        indexes = [models.Index(fields=["status", "region_code"])]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.served_on} · {self.hours}h"

    region_from = "volunteer"
    relationship = {
        "operator": by_organisation("volunteer__recruited_by__employer_id"),
        "volunteer": by_user("volunteer__user_id"),
    }


def activity_model():
    """``activities.Activity``, reached through the hours' relation: the people app sits in the registries layer,
    below activities, and never imports it (docs/adr/0005-layers.md)."""
    return VolunteerHours._meta.get_field("activity").related_model


class SupervisorLevel(models.TextChoices):
    TRAINEE = "trainee", _("见习督导")
    LOCAL = "local", _("本土督导")
    SENIOR = "senior", _("资深督导")


class Supervisor(RegionOwned):
    """A supervisor (督导) of the register: internal, or external from a partner agency (seed 003, Hezhou), with its
    qualification and level; a local lecturer (本土讲师, seed 002) may teach courses."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("内部督导")
        EXTERNAL = "external", _("外聘督导")

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("登记区划"), related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisors",
        verbose_name=_("所属机构"),
    )
    qualification = models.CharField(_("资质"), max_length=100, blank=True)
    level = models.CharField(_("督导级别"), max_length=10, choices=SupervisorLevel.choices)
    lecturer = models.BooleanField(_("本土讲师"), default=False)
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisor_profile",
        verbose_name=_("登录账号"),
    )
    active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("督导")
        verbose_name_plural = _("督导")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="internal") | Q(organisation__isnull=False),
                name="external_supervisor_has_agency",
                violation_error_message=_("外聘督导须填写所属机构"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # A supervisor sees its own register entry; operators see the supervisors of their agency.
    relationship = {"supervisor": by_user("user_id"), "operator": by_organisation("organisation_id")}


class SupervisionAssignment(RegionOwned):
    """Who supervises whom (a registry fact): a supervisor → a worker, a station or a project, with its dates.

    The row is the supervisee's (its region is the worker's or the station's); the supervisor's rows elsewhere
    stay the supervisor's. A project is named until the projects register exists (``project_name``)."""

    supervisor = models.ForeignKey(
        Supervisor, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("督导")
    )
    worker = models.ForeignKey(
        SocialWorker,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("被督导社工"),
    )
    node = models.ForeignKey(
        "network.ServiceNode",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervisions",
        verbose_name=_("被督导阵地"),
    )
    project_name = models.CharField(_("被督导项目"), max_length=120, blank=True)
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("督导关系")
        verbose_name_plural = _("督导关系")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(worker__isnull=False, node__isnull=True, project_name="")
                    | Q(worker__isnull=True, node__isnull=False, project_name="")
                    | (Q(worker__isnull=True, node__isnull=True) & ~Q(project_name=""))
                ),
                name="supervision_has_one_supervisee",
                violation_error_message=_("请选择一名社工、一个阵地或填写一个项目（只选其一）"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="supervision_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.supervisee_label}"

    relationship = {"supervisor": by_user("supervisor__user_id")}

    def derived_region_code(self) -> str:
        if self.worker_id:
            return self.worker.region_code
        if self.node_id:
            return self.node.region_code
        return self.supervisor.region_code

    def save(self, *args, **kwargs):
        self.region_code = self.derived_region_code()
        super().save(*args, **kwargs)

    @property
    def supervisee_label(self) -> str:
        if self.worker_id:
            return self.worker.name
        if self.node_id:
            return self.node.name
        return self.project_name

    @property
    def kind(self) -> str:
        return "worker" if self.worker_id else "node" if self.node_id else "project"

    @classmethod
    def active_q(cls, on: datetime.date | None = None, prefix: str = "") -> Q:
        on = on or timezone.localdate()
        return Q(**{f"{prefix}start_date__lte": on}) & (
            Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
        )

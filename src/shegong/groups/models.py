"""Group work (小组工作, MZ/T 095): a group with its purpose, leaders, members, stages and sessions."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, SensitiveModel
from shegong.core.scoping import RegionOwned, Relation, RelationshipRule, by_organisation
from shegong.people.relationships import supervised


class GroupKind(models.TextChoices):
    THERAPEUTIC = "therapeutic", _("治疗小组")
    SUPPORT = "support", _("支持小组")
    EDUCATIONAL = "educational", _("教育小组")
    GROWTH = "growth", _("成长小组")
    SOCIAL = "social", _("社交小组")


class GroupStage(models.TextChoices):
    PREPARING = "preparing", _("筹备期")
    FORMING = "forming", _("形成期")
    TRANSITION = "transition", _("转折期")
    MATURE = "mature", _("成熟期")
    ENDED = "ended", _("结束期")


class Frequency(models.TextChoices):
    """How often a group meets: the rhythms a station's groups keep (每周 / 每两周)."""

    WEEKLY = "weekly", _("每周")
    BIWEEKLY = "biweekly", _("每两周")


# Days between two meetings of each rhythm.
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.BIWEEKLY: 14}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


# The stages in order: a group moves one step forward at a time (MZ/T 095); it may end early from any stage.
STAGE_ORDER = [s.value for s in GroupStage]


def supervised_group(path_to_group: str = "") -> RelationshipRule:
    """A supervisor sees the groups led or co-led by a worker it supervises (people.SupervisionAssignment)."""
    prefix = f"{path_to_group}__" if path_to_group else ""
    leader, co_leaders = supervised(f"{prefix}leader"), supervised(f"{prefix}co_leaders")

    def rule(relation: Relation) -> Q:
        return leader(relation) | co_leaders(relation)

    return rule


class Group(RegionOwned):
    node = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="groups", verbose_name=_("所属阵地")
    )
    name = models.CharField(_("小组名称"), max_length=80)
    kind = models.CharField(_("小组类型"), max_length=12, choices=GroupKind.choices)
    purpose = models.CharField(_("小组目标"), max_length=500)
    leader = models.ForeignKey(
        "people.SocialWorker", on_delete=models.PROTECT, related_name="groups_led", verbose_name=_("带领社工")
    )
    co_leaders = models.ManyToManyField(
        "people.SocialWorker", blank=True, related_name="groups_co_led", verbose_name=_("协同带领")
    )
    stage = models.CharField(
        _("阶段"), max_length=12, choices=GroupStage.choices, default=GroupStage.PREPARING
    )
    planned_sessions = models.PositiveSmallIntegerField(
        _("计划节数"), default=6, validators=[MaxValueValidator(60)]
    )
    starts_on = models.DateField(_("开始日期"))
    ended_reason = models.CharField(_("结束说明"), max_length=200, blank=True)
    # The meeting schedule: how often, which weekday, what time and (optionally) where. No rhythm means no
    # schedule: nothing is due on the worklist (groups made before schedules existed).
    meets = models.CharField(_("活动频率"), max_length=10, choices=Frequency.choices, blank=True, default="")
    meets_weekday = models.PositiveSmallIntegerField(
        _("活动日"), choices=Weekday.choices, null=True, blank=True
    )
    meets_at = models.TimeField(_("活动时间"), null=True, blank=True)
    meets_place = models.CharField(_("活动地点"), max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves with every save (a stage step, an edit): the field app's incremental download reads it.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("小组")
        verbose_name_plural = _("小组")
        constraints = [
            models.CheckConstraint(condition=Q(planned_sessions__gte=1), name="group_plans_a_session"),
            models.CheckConstraint(condition=Q(stage__in=STAGE_ORDER), name="group_stage_known"),
            models.CheckConstraint(
                condition=Q(meets="")
                | Q(
                    meets__in=["weekly", "biweekly"],
                    meets_weekday__isnull=False,
                    meets_weekday__lte=6,
                    meets_at__isnull=False,
                ),
                name="group_schedule_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "node"
    relationship = {"operator": by_organisation("node__operator_id"), "supervisor": supervised_group()}

    @property
    def is_open(self) -> bool:
        return self.stage != GroupStage.ENDED

    @property
    def has_schedule(self) -> bool:
        return bool(self.meets)

    @property
    def next_stage(self) -> str | None:
        index = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class GroupMember(RegionOwned, SensitiveModel):
    """A member: a recipient of the registry, or a resident who is not in it (a name and an optional phone,
    both encrypted: a group's members are personal information)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    recipient = models.ForeignKey(
        "recipients.Recipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_memberships",
        verbose_name=_("服务对象"),
    )
    resident_name = EncryptedField(_("居民姓名"), blank=True, default="")
    resident_phone = EncryptedField(_("居民电话"), blank=True, default="")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["joined_on", "id"]
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "recipient"], condition=Q(recipient__isnull=False), name="group_member_once"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="group_member_leaves_after_joining",
            ),
        ]

    region_from = "group"
    relationship = {
        "operator": by_organisation("group__node__operator_id"),
        "supervisor": supervised_group("group"),
    }

    @property
    def display_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.resident_name

    def active_on(self, day) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class GroupSession(RegionOwned, SensitiveModel):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("节次"))
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=120)
    content = models.CharField(_("活动内容"), max_length=1000)
    # What the leader saw of the members: personal, kept encrypted.
    observations = EncryptedField(_("观察记录"), blank=True, default="")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The purchased project this was done under, chosen by the write service (core.projectlinks, ADR 0008).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_group_sessions",
        verbose_name=_("所属项目"),
    )
    idempotency_key = models.UUIDField(_("提交编号"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "number"]
        verbose_name = _("小组活动节次")
        verbose_name_plural = _("小组活动节次")
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="group_session_number_once")]

    def __str__(self) -> str:
        return f"{self.group} #{self.number}"

    region_from = "group"
    relationship = {
        "operator": by_organisation("group__node__operator_id"),
        "supervisor": supervised_group("group"),
    }


class Attendance(RegionOwned):
    """One member at one session: present or not, and optional pre/post measures (a 0–100 score)."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("出席"), default=False)
    pre_score = models.PositiveSmallIntegerField(
        _("前测"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    post_score = models.PositiveSmallIntegerField(
        _("后测"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_once")]

    region_from = "session"
    relationship = {
        "operator": by_organisation("session__group__node__operator_id"),
        "supervisor": supervised_group("session__group"),
    }

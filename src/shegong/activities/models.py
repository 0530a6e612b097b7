from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedBinaryField, SensitiveModel
from shegong.core.scoping import RegionOwned, by_organisation, by_user
from shegong.people.relationships import supervised_node


class Activity(RegionOwned):
    """A community activity held by a node (社区活动, SPEC §5): who came (a head count and, optionally, named
    recipients), which volunteers served and for how long (their hours wait for confirmation in ``people``), which
    organisations took part, photos and a short outcome."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区活动")
        GROUP = "group", _("小组活动")
        PUBLICITY = "publicity", _("宣传倡导")
        VOLUNTEER = "volunteer", _("志愿服务")
        TRAINING = "training", _("培训")
        CULTURE = "culture", _("文体活动")
        FESTIVAL = "festival", _("节日活动")
        HEALTH = "health", _("健康义诊")

    node = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="activities", verbose_name=_("举办阵地")
    )
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.COMMUNITY)
    held_on = models.DateField(_("活动日期"), default=timezone.localdate)
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    organisations = models.ManyToManyField(
        "orgs.Organisation", blank=True, related_name="activities", verbose_name=_("参与组织")
    )
    outcome = models.CharField(_("活动成效"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.UUIDField(_("提交编号"), unique=True, null=True, blank=True)
    # The purchased project this was done under, chosen by the write service (core.projectlinks, ADR 0008).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_activities",
        verbose_name=_("所属项目"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        indexes = [models.Index(fields=["node", "held_on"], name="activity_node_day")]

    def __str__(self) -> str:
        return self.title

    region_from = "node"
    # An operator sees the activities at its sites; a volunteer the activities it logged hours for.
    relationship = {
        "operator": by_organisation("node__operator_id"),
        "volunteer": by_user("volunteer_hours__volunteer__user_id"),
        "supervisor": supervised_node("node"),
    }


class ActivityParticipant(RegionOwned):
    """A recipient named as a participant: the activity then shows on the recipient's timeline."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="named")
    recipient = models.ForeignKey(
        "recipients.Recipient",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("服务对象"),
    )

    class Meta:
        verbose_name = _("活动参与对象")
        verbose_name_plural = _("活动参与对象")
        constraints = [
            models.UniqueConstraint(fields=["activity", "recipient"], name="activity_participant_once")
        ]

    region_from = "activity"
    relationship = {
        "operator": by_organisation("activity__node__operator_id"),
        "supervisor": supervised_node("activity__node"),
    }


class ActivityPhoto(RegionOwned, SensitiveModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=20)
    # People's faces: encrypted at rest like visit photos; decrypted only by the photo view within scope.
    data = EncryptedBinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")

    region_from = "activity"
    relationship = {
        "operator": by_organisation("activity__node__operator_id"),
        "supervisor": supervised_node("activity__node"),
    }

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import RegionOwned, by_organisation, by_user


class Activity(RegionOwned):
    """A community activity held by a node (社区活动, SPEC §5)."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区活动")
        GROUP = "group", _("小组活动")
        PUBLICITY = "publicity", _("宣传倡导")
        VOLUNTEER = "volunteer", _("志愿服务")
        TRAINING = "training", _("培训")

    node = models.ForeignKey(
        "network.ServiceNode", on_delete=models.PROTECT, related_name="activities", verbose_name=_("举办阵地")
    )
    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.COMMUNITY)
    held_on = models.DateField(_("活动日期"), default=timezone.localdate)
    place = models.CharField(_("地点"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")

    def __str__(self) -> str:
        return self.title

    region_from = "node"
    # An operator sees the activities at its sites; a volunteer the activities it logged hours for.
    relationship = {
        "operator": by_organisation("node__operator_id"),
        "volunteer": by_user("volunteer_hours__volunteer__user_id"),
    }

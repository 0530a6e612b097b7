from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import RegionOwned, by_organisation


class NodeLevel(models.TextChoices):
    CENTRE = "centre", _("社会工作指导中心")
    HUB = "hub", _("街道指导站/孵化基地")
    STATION = "station", _("乡镇（街道）社工站")
    ROOM = "room", _("村（社区）社工室")


class NodeStatus(models.TextChoices):
    PLANNED = "planned", _("筹建中")
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已撤销")


class FunctionRoom(models.TextChoices):
    CASEWORK = "casework", _("个案工作室")
    GROUP = "group", _("小组活动室")
    MULTI = "multi", _("多功能活动室")
    OFFICE = "office", _("办公区")
    RECEPTION = "reception", _("接待区")


# The region level each node level sits at.
NODE_REGION_LEVEL = {
    NodeLevel.CENTRE: (2, 3),
    NodeLevel.HUB: (3, 4),
    NodeLevel.STATION: (4,),
    NodeLevel.ROOM: (5,),
}


class ServiceNode(RegionOwned):
    """A centre, hub, station or room of the service network, attached to one region (SPEC §2)."""

    level = models.CharField(_("层级"), max_length=10, choices=NodeLevel.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("所在区划"), related_name="nodes"
    )
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    operator = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("运营机构"),
        related_name="operated_nodes",
    )
    site_area = models.DecimalField(
        _("场地面积（㎡）"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    function_rooms = models.JSONField(_("功能室"), default=list, blank=True)
    has_signage = models.BooleanField(_("已挂牌"), default=False)
    opening_date = models.DateField(_("启用日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=NodeStatus.choices, default=NodeStatus.OPERATING
    )
    standardised = models.BooleanField(_("规范化社工室"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code", "level", "name"]
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        constraints = [
            models.CheckConstraint(
                condition=Q(site_area__gte=0) | Q(site_area__isnull=True), name="node_area_nonneg"
            ),
            models.UniqueConstraint(
                fields=["region", "level"],
                condition=Q(level__in=["station", "room"]) & ~Q(status="closed"),
                name="one_open_station_or_room_per_region",
                violation_error_message=_("该区划已有一个未撤销的同级阵地"),
            ),
        ]
        indexes = [models.Index(fields=["level", "status", "region_code"])]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the sites it operates.
    relationship = {"operator": by_organisation("operator_id")}

    @property
    def function_room_labels(self) -> list[str]:
        labels = dict(FunctionRoom.choices)
        return [str(labels.get(code, code)) for code in self.function_rooms or []]


class NodeDocument(RegionOwned):
    """A rules document (制度) or other paper kept on file for a node."""

    class Kind(models.TextChoices):
        RULES = "rules", _("管理制度")
        PLAN = "plan", _("工作计划")
        OTHER = "other", _("其他")

    node = models.ForeignKey(ServiceNode, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.RULES)
    title = models.CharField(_("标题"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("阵地文件")
        verbose_name_plural = _("阵地文件")

    def __str__(self) -> str:
        return self.title

    region_from = "node"
    relationship = {"operator": by_organisation("node__operator_id")}


class DevelopmentStage(models.TextChoices):
    """一年覆盖、二年规范、三年提升 (seeds 000, 004): where a station has got to."""

    COVERED = "covered", _("覆盖")
    STANDARDISED = "standardised", _("规范")
    IMPROVED = "improved", _("提升")


STAGE_ORDER = [DevelopmentStage.COVERED, DevelopmentStage.STANDARDISED, DevelopmentStage.IMPROVED]


class StationStage(RegionOwned):
    """A step of a station's development, reached on a date, with the evidence for it."""

    node = models.ForeignKey(
        ServiceNode, on_delete=models.CASCADE, related_name="stages", verbose_name=_("阵地")
    )
    stage = models.CharField(_("发展阶段"), max_length=12, choices=DevelopmentStage.choices)
    reached_on = models.DateField(_("达到日期"))
    evidence = models.CharField(_("佐证材料"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reached_on", "id"]
        verbose_name = _("阵地发展阶段")
        verbose_name_plural = _("阵地发展阶段")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "stage"],
                name="one_step_per_stage",
                violation_error_message=_("该阵地已记录过这一阶段"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.get_stage_display()}"

    region_from = "node"
    relationship = {"operator": by_organisation("node__operator_id")}


class DemonstrationLevel(models.TextChoices):
    COUNTY = "county", _("县级示范站")
    CITY = "city", _("市级示范站")
    PROVINCE = "province", _("省级示范站")


class Demonstration(RegionOwned):
    """A station named a demonstration station (示范站) at a level in a year (seed 004, Fujian)."""

    node = models.ForeignKey(
        ServiceNode, on_delete=models.CASCADE, related_name="demonstrations", verbose_name=_("阵地")
    )
    level = models.CharField(_("示范级别"), max_length=10, choices=DemonstrationLevel.choices)
    year = models.PositiveSmallIntegerField(_("命名年度"), validators=[MinValueValidator(2000)])
    named_by = models.CharField(_("命名单位"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("示范站")
        verbose_name_plural = _("示范站")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "level", "year"],
                name="one_demonstration_per_level_year",
                violation_error_message=_("该阵地该年度已有同级示范站命名"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.year} {self.get_level_display()}"

    region_from = "node"
    relationship = {"operator": by_organisation("node__operator_id")}

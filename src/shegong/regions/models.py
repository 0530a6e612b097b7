from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shegong.core.regioncodes import (
    LEVEL_LABELS,
    Level,
    ancestors_of,
    subtree_prefix,
    township_kind,
    village_kind,
)
from shegong.core.scoping import RegionScopedManager


class RegionManager(RegionScopedManager):
    """Regions inside the actor's subtrees, plus the ancestors of those subtrees (for breadcrumbs)."""

    region_field = "code"

    def scope_queryset(self, queryset, scope):
        if scope is None or scope.everything:
            return super().scope_queryset(queryset, scope)
        ancestors = {code for root in scope.region_codes for code in ancestors_of(root)}
        return queryset.filter(scope.q("code") | Q(code__in=ancestors))


# The code list's groupings that are not places (GB/T 2260): a municipality's districts and its counties.
PLACEHOLDER_NAMES = {"市辖区": "", "县": "（县）"}


def shown_name(name: str, parent_name: str) -> str:
    """``name`` as shown under a parent called ``parent_name``: 市辖区 → 重庆市, 县 → 重庆市（县）, others as they are."""
    if name in PLACEHOLDER_NAMES and parent_name:
        return parent_name + PLACEHOLDER_NAMES[name]
    return name


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(
        _("级别"), choices=[(int(k), v) for k, v in LEVEL_LABELS.items()]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionManager()
    _base = models.Manager()  # noqa: DJ012 - the plain base manager sits beside the scoped one

    class Meta:
        base_manager_name = "_base"
        default_manager_name = "objects"
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="region_level_range"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（%(code)s）") % {"name": self.name, "code": self.code}

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def prefix(self) -> str:
        return subtree_prefix(self.code)

    @property
    def display_name(self) -> str:
        """The name a person knows: the code list's placeholder groupings of a municipality (重庆市's 市辖区 and 县)
        read as the city, not as "市辖区" (``shown_name``)."""
        if self.name not in PLACEHOLDER_NAMES or self.parent_id is None:
            return self.name
        return shown_name(self.name, self.parent.name)

    @property
    def kind_label(self) -> str:
        if self.level == Level.TOWNSHIP:
            return str({"street": _("街道"), "town": _("镇"), "township": _("乡")}[township_kind(self.code)])
        if self.level == Level.VILLAGE:
            return str({"community": _("社区"), "village": _("村")}[village_kind(self.code)])
        return self.get_level_display()


class RegionStandard(models.Model):
    """Local policy for a region subtree (SPEC §2, seed 003): the stations' staffing standard, the filing deadline,
    the notice to leave and the dishonesty bar. A blank value is not set here: the nearest ancestor's value applies
    (``regions.selectors.policies_for``), and the seed's value when no ancestor sets one."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="standard", verbose_name=_("区划")
    )
    station_min_fulltime = models.PositiveSmallIntegerField(_("社工站最少专职社工数"), null=True, blank=True)
    station_min_certified = models.PositiveSmallIntegerField(_("其中最少持证社工数"), null=True, blank=True)
    filing_due_days = models.PositiveSmallIntegerField(_("岗位备案期限（天）"), null=True, blank=True)
    notice_min_days = models.PositiveSmallIntegerField(_("离职最少提前通知（天）"), null=True, blank=True)
    notice_max_days = models.PositiveSmallIntegerField(_("离职交接最长期限（天）"), null=True, blank=True)
    dishonesty_bar_years = models.PositiveSmallIntegerField(_("失信禁入年限（年）"), null=True, blank=True)
    case_assessment_days = models.PositiveSmallIntegerField(
        _("个案接案后预估期限（天）"), null=True, blank=True
    )
    case_plan_days = models.PositiveSmallIntegerField(
        _("个案接案后制定计划期限（天）"), null=True, blank=True
    )
    case_review_days = models.PositiveSmallIntegerField(_("个案计划复核周期（天）"), null=True, blank=True)
    case_long_open_months = models.PositiveSmallIntegerField(
        _("个案超期未结提示（月）"), null=True, blank=True
    )
    supervision_interval_days = models.PositiveSmallIntegerField(_("督导间隔（天）"), null=True, blank=True)
    training_hours_per_year = models.PositiveSmallIntegerField(
        _("每年继续教育学时（小时）"), null=True, blank=True
    )
    subsidy_percent = models.PositiveSmallIntegerField(_("运营补贴比例（%）"), null=True, blank=True)
    subsidy_cap_yuan = models.PositiveIntegerField(_("运营补贴上限（元）"), null=True, blank=True)
    subsidy_min_score_percent = models.PositiveSmallIntegerField(
        _("获得补贴的最低评估得分率（%）"), null=True, blank=True
    )
    # The field app wipes its offline copy on a phone that has not synced for this many days (core.sync).
    offline_wipe_days = models.PositiveSmallIntegerField(
        _("离线数据未同步自动清除（天）"), null=True, blank=True
    )
    # Each worker recruits this many regular volunteers (seed 003, Haining: 5).
    volunteers_per_worker = models.PositiveSmallIntegerField(
        _("每名社工最少常态化志愿者数"), null=True, blank=True
    )
    # A project expenditure that would take its budget line over the amount: refused (True) or recorded and
    # flagged (False).
    overspend_refused = models.BooleanField(_("项目支出超预算时拒绝登记"), null=True, blank=True)
    # A station's weekly report (每周一报送) is due this many hours after the Monday that starts the next week.
    weekly_report_due_hours = models.PositiveSmallIntegerField(
        _("周报报送截止（周一起算，小时）"), null=True, blank=True
    )

    objects = models.Manager()

    class Meta:
        verbose_name = _("地方政策")
        verbose_name_plural = _("地方政策")

    def __str__(self) -> str:
        return f"{self.region_id}: {self.station_min_fulltime}/{self.station_min_certified}"

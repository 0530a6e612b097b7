from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import RegionOwned, by_organisation


class OrgKind(models.TextChoices):
    AGENCY = "agency", _("社会工作服务机构")
    COMMUNITY = "community", _("社区社会组织")
    HUB = "hub", _("枢纽型组织")
    FOUNDATION = "foundation", _("基金会")


class OrgCategory(models.TextChoices):
    PUBLIC_SERVICE = "public_service", _("公益服务类")
    GOVERNANCE = "governance", _("参与治理类")
    HUB_SUPPORT = "hub_support", _("枢纽支持类")
    SOCIAL_WORK = "social_work", _("社会工作类")


class Rating(models.TextChoices):
    NONE = "", _("未评级")
    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


class OrgFilingStatus(models.TextChoices):
    """Whether a social organisation has filed (备案) with civil affairs; blank where filing does not apply."""

    NOT_APPLICABLE = "", _("不适用")
    PENDING = "pending", _("待备案")
    FILED = "filed", _("已备案")


class PartyBranch(models.TextChoices):
    NONE = "none", _("未建立")
    INDEPENDENT = "independent", _("独立党支部")
    JOINT = "joint", _("联合党支部")
    HUB = "hub", _("纳入枢纽型党组织")


class Organisation(RegionOwned):
    """A social organisation registered in a region (SPEC §3)."""

    name = models.CharField(_("名称"), max_length=150)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices, default=OrgKind.AGENCY)
    category = models.CharField(_("类别"), max_length=16, choices=OrgCategory.choices, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("登记区划"))
    rating = models.CharField(_("评估等级"), max_length=2, choices=Rating.choices, blank=True, default="")
    rating_date = models.DateField(_("评级日期"), null=True, blank=True)
    rating_expires = models.DateField(_("等级有效期至"), null=True, blank=True)
    filing_status = models.CharField(
        _("备案状态"), max_length=8, choices=OrgFilingStatus.choices, blank=True, default=""
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    incubated_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubated",
        verbose_name=_("孵化枢纽"),
    )
    party_branch = models.CharField(
        _("党组织建设"), max_length=12, choices=PartyBranch.choices, default=PartyBranch.NONE
    )
    contact = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating_date__isnull=False),
                name="org_rating_has_date",
                violation_error_message=_("有评估等级时须填写评级日期"),
            ),
            models.CheckConstraint(
                condition=Q(rating_expires__isnull=True)
                | Q(rating_date__isnull=False) & Q(rating_expires__gte=models.F("rating_date")),
                name="org_rating_expiry_after_date",
                violation_error_message=_("等级有效期不能早于评级日期"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "region_code"])]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees its own organisation.
    relationship = {"operator": by_organisation("id")}

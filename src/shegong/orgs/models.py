from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import RegionOwned


class OrgKind(models.TextChoices):
    AGENCY = "agency", _("社会工作服务机构")
    COMMUNITY = "community", _("社区社会组织")
    HUB = "hub", _("枢纽型组织")
    FOUNDATION = "foundation", _("基金会")


class Organisation(RegionOwned):
    """A social organisation registered in a region (SPEC §3)."""

    name = models.CharField(_("名称"), max_length=150)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=OrgKind.choices, default=OrgKind.AGENCY)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("登记区划"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_code = self.region_id
        super().save(*args, **kwargs)

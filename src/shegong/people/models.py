import datetime

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import BlindIndexField, EncryptedField, SensitiveModel
from shegong.core.identity import normalise_id_number, normalise_phone
from shegong.core.scoping import RegionOwned


class Certificate(models.TextChoices):
    NONE = "none", _("无")
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEAVING = "leaving", _("离职交接中")
    LEFT = "left", _("已离职")


class SocialWorker(RegionOwned, SensitiveModel):
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", normaliser=normalise_id_number)
    phone = EncryptedField(_("手机号"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", normaliser=normalise_phone)
    gender = models.CharField(_("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    certificate = models.CharField(_("职业资格"), max_length=16, choices=Certificate.choices,
                                   default=Certificate.NONE)
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True)
    certificate_date = models.DateField(_("取证日期"), null=True, blank=True)
    employer = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("用人机构"), related_name="workers")
    status = models.CharField(_("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE)
    user = models.OneToOneField("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="worker_profile")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("社工")
        verbose_name_plural = _("社工")

    def __str__(self) -> str:
        return self.name

    @property
    def is_certified(self) -> bool:
        return self.certificate != Certificate.NONE


class WorkerAssignment(RegionOwned):
    """A worker in post at a station or room, from a start date to an optional end date."""

    worker = models.ForeignKey(SocialWorker, on_delete=models.CASCADE, related_name="assignments",
                               verbose_name=_("社工"))
    node = models.ForeignKey("network.ServiceNode", on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("服务阵地"))
    start_date = models.DateField(_("到岗日期"), default=timezone.localdate)
    end_date = models.DateField(_("离岗日期"), null=True, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("岗位安排")
        verbose_name_plural = _("岗位安排")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="assignment_end_after_start"),
        ]

    def save(self, *args, **kwargs):
        self.region_code = self.node.region_code
        super().save(*args, **kwargs)

    @classmethod
    def in_post(cls, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))

    @classmethod
    def staffing(cls, node_ids: list[int]) -> dict[int, tuple[int, int]]:
        rows = (
            cls.objects.filter(cls.in_post(), node_id__in=node_ids, full_time=True)
            .values("node_id")
            .annotate(
                fulltime=Count("worker_id", distinct=True),
                certified=Count("worker_id", distinct=True, filter=~Q(worker__certificate=Certificate.NONE)),
            )
        )
        return {r["node_id"]: (r["fulltime"], r["certified"]) for r in rows}

"""Charity resources (慈善资源, SPEC §9): funds, the donations into them and the disbursements out of them.

Money rules the database holds itself, whatever code writes:
- a fund's balance is what was raised less what was spent, and never goes negative; the part of it not held by a
  restricted donation (``unrestricted``) never goes negative either;
- a restricted donation's ``remaining`` lies between zero and its amount;
- a disbursement is decided by someone other than its requester;
- a correction is a reversing entry (a negative disbursement pointing at the one it takes back), never an edit.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedField, SensitiveModel
from shegong.core.money import MoneyField
from shegong.core.scoping import RegionOwned, by_organisation


class FundKind(models.TextChoices):
    COMMUNITY = "community", _("社区基金")
    SPECIAL = "special", _("专项基金")


class Purpose(models.TextChoices):
    """What money is for: a special fund's purpose, a donation's restriction, a disbursement's use."""

    HARDSHIP = "hardship", _("困难纾困")
    ELDERLY = "elderly", _("助老")
    CHILDREN = "children", _("儿童关爱")
    DISABILITY = "disability", _("助残")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学")
    COMMUNITY = "community", _("社区公益活动")


class DonorKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("企业")
    ORGANISATION = "organisation", _("社会组织")


class DonationChannel(models.TextChoices):
    BANK = "bank", _("银行转账")
    ONLINE = "online", _("网络募捐")
    CASH = "cash", _("现金")
    EVENT = "event", _("义卖义演")


class DisbursementStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    PAID = "paid", _("已拨付")
    REJECTED = "rejected", _("已驳回")
    REVERSAL = "reversal", _("冲正")


# The statuses whose money has left the fund (a reversal entry gives it back).
COMMITTED = (DisbursementStatus.APPROVED, DisbursementStatus.PAID)


class Fund(RegionOwned):
    """A community fund (社区基金) owned by a township or village, or a special fund (专项基金) with a purpose."""

    name = models.CharField(_("基金名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=FundKind.choices, default=FundKind.COMMUNITY)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("所属区划"))
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    manager = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="charity_funds",
        verbose_name=_("管理机构"),
    )
    opened_on = models.DateField(_("设立日期"))
    # Running figures, moved only by the services (under a lock on this row) and recounted by ``ledger``.
    raised = MoneyField(_("累计筹集"), default=0, editable=False)
    spent = MoneyField(_("累计支出"), default=0, editable=False)
    balance = MoneyField(_("余额"), default=0, editable=False)
    unrestricted = MoneyField(_("非定向余额"), default=0, editable=False)
    receipts_issued = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("慈善基金")
        verbose_name_plural = _("慈善基金")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="charity_fund_balance_not_negative",
                violation_error_message=_("基金余额不能为负"),
            ),
            models.CheckConstraint(
                condition=Q(unrestricted__gte=0) & Q(unrestricted__lte=F("balance")),
                name="charity_fund_unrestricted_within_balance",
                violation_error_message=_("非定向余额不能为负，也不能超过基金余额"),
            ),
            models.CheckConstraint(
                # Rounded: SQLite holds decimals as doubles, where 1234.56 - 1000.1 is 234.46000000000004.
                condition=Q(balance=Round(F("raised") - F("spent"), 2)),
                name="charity_fund_balance_is_raised_less_spent",
                violation_error_message=_("基金余额须等于累计筹集减累计支出"),
            ),
            models.CheckConstraint(
                condition=Q(kind=FundKind.COMMUNITY) | ~Q(purpose=""),
                name="charity_special_fund_has_purpose",
                violation_error_message=_("专项基金须填写用途"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    region_from = "region"
    # An operator sees the funds its organisation manages.
    relationship = {"operator": by_organisation("manager_id")}

    @property
    def restricted(self):
        return self.balance - self.unrestricted

    def receipt_number(self, seq: int) -> str:
        return f"CS{self.pk:04d}-{seq:06d}"


class Donation(RegionOwned, SensitiveModel):
    """Money given to a fund. A person's name and phone are personal data: encrypted, shown masked."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("基金"))
    donor_kind = models.CharField(_("捐赠方类型"), max_length=12, choices=DonorKind.choices)
    donor_name = EncryptedField(_("捐赠方名称"))
    donor_phone = EncryptedField(_("联系电话"), blank=True, default="")
    named_publicly = models.BooleanField(_("同意公开署名"), default=False)
    amount = MoneyField(_("金额（元）"))
    received_on = models.DateField(_("到账日期"))
    channel = models.CharField(
        _("捐赠渠道"), max_length=8, choices=DonationChannel.choices, default=DonationChannel.BANK
    )
    restriction = models.CharField(
        _("定向用途"), max_length=12, choices=Purpose.choices, blank=True, help_text=_("不填为非定向捐赠")
    )
    # What a restricted donation still holds for its purpose (zero for an unrestricted one).
    remaining = MoneyField(_("定向结余"), default=0, editable=False)
    receipt_seq = models.PositiveIntegerField(editable=False)
    receipt_no = models.CharField(_("收据编号"), max_length=20, unique=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-receipt_seq"]
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="charity_donation_positive",
                violation_error_message=_("捐赠金额须大于 0"),
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")),
                name="charity_donation_remaining_within_amount",
                violation_error_message=_("定向结余不能为负，也不能超过捐赠金额"),
            ),
            models.CheckConstraint(
                condition=~Q(restriction="") | Q(remaining=0),
                name="charity_unrestricted_donation_holds_nothing",
            ),
            models.UniqueConstraint(fields=["fund", "receipt_seq"], name="charity_receipt_once_per_fund"),
        ]
        indexes = [models.Index(fields=["fund", "received_on"], name="charity_donation_fund_day")]

    def __str__(self) -> str:
        return self.receipt_no

    region_from = "fund"
    relationship = {"operator": by_organisation("fund__manager_id")}

    @property
    def is_person(self) -> bool:
        return self.donor_kind == DonorKind.PERSON


class Disbursement(RegionOwned):
    """Money out of a fund to a recipient, an activity or a purchased-service project: requested, decided by a
    second person, paid.

    ``region_code`` is the payee's (a recipient's village, an activity's site, a project's buyer), so the people who serve the payee
    see it on its timeline; the fund's managers see it because a fund pays only inside its own region.
    """

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("基金")
    )
    amount = MoneyField(_("金额（元）"))
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    recipient = models.ForeignKey(
        "recipients.Recipient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charity_disbursements",
        verbose_name=_("受助对象"),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charity_disbursements",
        verbose_name=_("资助活动"),
    )
    # A project the fund co-finances (撬动慈善资金): charity reads projects, never the other way round.
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charity_disbursements",
        verbose_name=_("资助项目"),
    )
    donation = models.ForeignKey(
        Donation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("使用定向捐赠"),
        help_text=_("不选则从非定向余额支出"),
    )
    description = models.CharField(_("事由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    # The month whose spending this entry counts in: the approval's (or the reversal's) day.
    booked_on = models.DateField(_("记账日期"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("冲正的拨付"),
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0)
                | Q(reverses__isnull=False, amount__lt=0, status=DisbursementStatus.REVERSAL),
                name="charity_disbursement_sign",
                violation_error_message=_("拨付金额须大于 0；冲正记录为负数"),
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, activity__isnull=True, project__isnull=True)
                | Q(recipient__isnull=True, activity__isnull=False, project__isnull=True)
                | Q(recipient__isnull=True, activity__isnull=True, project__isnull=False),
                name="charity_disbursement_one_payee",
                violation_error_message=_("请选择受助对象、资助活动或资助项目（只选一项）"),
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="charity_disbursement_four_eyes",
                violation_error_message=_("申请人不能审批自己的拨付申请"),
            ),
        ]
        indexes = [models.Index(fields=["fund", "status"], name="charity_disb_fund_status")]

    def __str__(self) -> str:
        return f"{self.fund} {self.amount}"

    relationship = {"operator": by_organisation("fund__manager_id")}

    def derived_region_code(self) -> str:
        payee = self.recipient if self.recipient_id else self.activity if self.activity_id else self.project
        return payee.region_code

    def save(self, *args, **kwargs):
        if self.recipient_id or self.activity_id or self.project_id:
            self.region_code = self.derived_region_code()
        super().save(*args, **kwargs)

    @property
    def payee(self):
        return self.recipient if self.recipient_id else self.activity if self.activity_id else self.project

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversal")


class FundMonth(RegionOwned):
    """A fund's flows in one month, kept current as money moves (the pages' and the public side's figures)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    raised = MoneyField(default=0)
    spent = MoneyField(default=0)
    donations = models.IntegerField(default=0)
    disbursements = models.IntegerField(default=0)
    # Distinct recipients who received money from the fund that month (activities are counted apart).
    beneficiaries = models.IntegerField(default=0)
    activities = models.IntegerField(default=0)

    class Meta:
        ordering = ["fund", "month"]
        constraints = [models.UniqueConstraint(fields=["fund", "month"], name="charity_fund_month_once")]

    region_from = "fund"
    relationship = {"operator": by_organisation("fund__manager_id")}

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.activities.models import Activity
from shegong.core.forms import ServiceModelForm
from shegong.core.money import MoneyError, to_yuan
from shegong.orgs.models import Organisation
from shegong.recipients.models import Recipient, RecipientStatus
from shegong.regions.models import Region
from shegong.regions.selectors import region_subtree_q

from . import selectors
from .models import DonationChannel, DonorKind, Fund, Purpose
from .services import FUND_EDIT_FIELDS, FUND_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """Yuan as typed ("1,500.50", "200"): an exact Decimal, never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("金额（元）"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            amount = to_yuan(value)
        except MoneyError:
            raise forms.ValidationError(_("请填写金额，最多两位小数，如 200 或 1500.50")) from None
        if amount <= 0:
            raise forms.ValidationError(_("金额须大于 0"))
        return amount


class FundForm(ServiceModelForm):
    region = forms.CharField(
        label=_("所属区划代码"), max_length=12, help_text=_("社区基金填乡镇（街道）或村（社区）的 12 位代码")
    )

    class Meta:
        model = Fund
        fields = FUND_FIELDS
        widgets = {"opened_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = Organisation.objects.order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划 %(c)s 不存在或不在您的管辖范围内") % {"c": code})
        return region


class FundEditForm(ServiceModelForm):
    class Meta:
        model = Fund
        fields = FUND_EDIT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = Organisation.objects.order_by("name")


class DonationForm(forms.Form):
    donor_kind = forms.ChoiceField(
        label=_("捐赠方类型"), choices=DonorKind.choices, initial=DonorKind.COMPANY
    )
    donor_name = forms.CharField(label=_("捐赠方名称"), max_length=100)
    donor_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        help_text=_("个人的电话加密保存，列表中只显示部分号码"),
    )
    amount = AmountField()
    received_on = forms.DateField(label=_("到账日期"), widget=DATE)
    channel = forms.ChoiceField(
        label=_("捐赠渠道"), choices=DonationChannel.choices, initial=DonationChannel.BANK
    )
    restriction = forms.ChoiceField(
        label=_("定向用途"),
        choices=[("", _("非定向"))] + list(Purpose.choices),
        required=False,
        help_text=_("定向捐赠只能用于所选用途"),
    )
    named_publicly = forms.BooleanField(label=_("捐赠方同意在公示页面署名"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate().isoformat())


class DisbursementForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("受助对象"), queryset=Recipient.objects.none(), required=False)
    activity = forms.ModelChoiceField(label=_("资助活动"), queryset=Activity.objects.none(), required=False)
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices)
    amount = AmountField()
    donation = forms.ModelChoiceField(
        label=_("使用定向捐赠"),
        queryset=None,
        required=False,
        empty_label=_("不使用（从非定向余额支出）"),
    )
    description = forms.CharField(label=_("事由"), max_length=200)

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        under = region_subtree_q(fund.region_code)
        self.fields["recipient"].queryset = (
            Recipient.objects.filter(under, status=RecipientStatus.ACTIVE)
            .order_by("name", "pk")
            .only("pk", "name")
        )
        self.fields["recipient"].label_from_instance = lambda r: f"{r.name}（#{r.pk}）"
        since = timezone.localdate().replace(day=1, year=timezone.localdate().year - 1)
        self.fields["activity"].queryset = Activity.objects.filter(under, held_on__gte=since).order_by(
            "-held_on", "pk"
        )
        donations = selectors.restricted_donations(fund)
        self.fields["donation"].queryset = donations
        self.fields["donation"].label_from_instance = lambda d: (
            f"{d.receipt_no} · {Purpose(d.restriction).label} · ¥{d.remaining:,.2f}"
        )
        if fund.purpose:
            self.fields["purpose"].initial = fund.purpose

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=200, required=False)

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.people.models import SocialWorker

from .models import Category, Frequency, HouseholdMember, NeedDomain, RecipientStatus, RiskTier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecipientForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, help_text=_("18 位；15 位旧号码会自动升级，末位 x 大小写均可")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    region = forms.ChoiceField(label=_("所在村（社区）"))
    address = forms.CharField(label=_("居住地址"), max_length=200, required=False)
    worker = forms.ModelChoiceField(label=_("责任社工"), queryset=SocialWorker.objects.none(), required=False)
    risk_tier = forms.TypedChoiceField(
        label=_("风险等级"), choices=RiskTier.choices, coerce=int, initial=RiskTier.GENERAL
    )
    risk_reason = forms.CharField(label=_("评定理由"), max_length=200, required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("对象类别"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category_authority = forms.CharField(label=_("认定机关"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, villages: list, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *villages]
        self.fields["worker"].queryset = SocialWorker.objects.order_by("name")
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        if editing:
            for name in ("id_number", "risk_tier", "risk_reason", "categories", "category_authority"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("risk_tier") in (RiskTier.HIGH, RiskTier.KEY) and not data.get("risk_reason"):
            self.add_error("risk_reason", _("高风险和重点对象须填写评定理由"))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=RecipientStatus.choices)
    status_note = forms.CharField(label=_("情况说明"), max_length=200, required=False)


class RiskForm(forms.Form):
    risk_tier = forms.TypedChoiceField(label=_("风险等级"), choices=RiskTier.choices, coerce=int)
    risk_reason = forms.CharField(label=_("评定理由"), max_length=200)
    risk_review_on = forms.DateField(label=_("下次复核日期"), required=False, widget=DATE)


class MembershipForm(forms.Form):
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none())
    start_on = forms.DateField(label=_("认定日期"), widget=DATE)
    end_on = forms.DateField(label=_("终止日期"), required=False, widget=DATE)
    authority = forms.CharField(label=_("认定机关"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)


class HouseholdForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=HouseholdMember.Kind.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(label=_("关系"), max_length=20)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


SCORE_CHOICES = [
    (0, pgettext_lazy("need score", "0 无")),
    (1, pgettext_lazy("need score", "1 轻")),
    (2, pgettext_lazy("need score", "2 中")),
    (3, pgettext_lazy("need score", "3 重")),
    (4, pgettext_lazy("need score", "4 急")),
]


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("评估日期"), widget=DATE)
    summary = forms.CharField(label=_("评估结论"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in NeedDomain.choices:
            self.fields[f"score_{value}"] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *SCORE_CHOICES],
            )

    def scores(self) -> dict[str, int]:
        return {
            value: self.cleaned_data[f"score_{value}"]
            for value, _label in NeedDomain.choices
            if self.cleaned_data.get(f"score_{value}") is not None
        }


class EventForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("发生时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(label=_("事件说明"), max_length=200)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("身份证号")), ("phone", _("联系电话"))])
    reason = forms.CharField(label=_("查看事由"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件（.xlsx、.xls 或 .csv）"),
        help_text=_("可以直接上传民政部门下发的名册：上传后核对每列对应的字段，再确认导入"),
    )
    region = forms.ChoiceField(
        label=_("导入到区划"), help_text=_("名册中的村（社区）代码或街道、社区名称都须在该区划内")
    )

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = areas


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "group", "sort_order", "active"]


# The visit rule table ---------------------------------------------------------------------------------------

TIER_CHOICES = [("", _("任何等级")), ("1", _("高风险")), ("2", _("重点")), ("3", _("一般"))]


class RuleForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("对象类别"), queryset=Category.objects.none(), required=False, empty_label=_("任何类别")
    )
    risk_tier = forms.TypedChoiceField(
        label=_("风险等级"), choices=TIER_CHOICES, required=False, coerce=int, empty_value=None
    )
    frequency = forms.ChoiceField(label=_("频次"), choices=[("", "—"), *Frequency.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)


RuleFormSet = forms.formset_factory(RuleForm, extra=3, max_num=40)


class EventHoursForm(forms.Form):
    event_hours = forms.IntegerField(
        label=_("重大变故后探访时限（小时）"), min_value=1, max_value=168, initial=24
    )

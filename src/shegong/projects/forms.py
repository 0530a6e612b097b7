import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.orgs.models import Organisation
from shegong.people.models import SocialWorker
from shegong.regions.models import Region

from .models import BudgetCategory, DocumentType, Indicator, Project, StaffRole
from .selectors import demand_list


class DateInput(forms.DateInput):
    input_type = "date"


class ProjectForm(forms.ModelForm):
    """Parses the project's fields; the service validates and saves (buyer and regions from the actor's area)."""

    buyer = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("购买方"))
    operator = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("承接机构"))
    service_regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.none(),
        label=_("服务区域"),
        help_text=_("可选多个：按住 Ctrl（Mac 上为 ⌘）点选"),
    )
    contract_amount = forms.CharField(label=_("合同金额（元）"), max_length=20)
    government_funds = forms.CharField(label=_("财政资金（元）"), max_length=20, required=False, initial="0")
    charity_funds = forms.CharField(label=_("撬动慈善资金（元）"), max_length=20, required=False, initial="0")
    demand_codes = forms.MultipleChoiceField(
        label=_("回应的需求清单条目"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("近 12 个月本辖区居民诉求，按诉求件数排列（件数 · 已办结）"),
    )

    class Meta:
        model = Project
        fields = ["code", "name", "buyer_name", "kind", "field", "starts_on", "ends_on", "behind_margin"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, areas=(), demand_regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        lines = demand_list(sorted(demand_regions), since=today - datetime.timedelta(days=365), until=today)
        choices: dict[str, str] = {}
        for line in lines:  # an item of several regions' catalogues: its busiest row
            if line.code and line.code not in choices:
                choices[line.code] = f"{line.domain} · {line.item}（{line.requests} · {line.completed}）"
        self.fields["demand_codes"].choices = list(choices.items())
        self.fields["buyer_name"].required = False
        self.fields["buyer_name"].help_text = _("不填则用下面所选购买方区划的名称")
        regions = Region.objects.filter(level__in=[3, 4]).order_by("code")
        self.fields["buyer"].queryset = regions
        self.fields["service_regions"].queryset = Region.objects.filter(level__in=[4, 5]).order_by("code")
        self.fields["operator"].queryset = Organisation.objects.order_by("name")

    def _post_clean(self):
        pass  # the service validates


class StaffForm(forms.Form):
    worker = forms.ModelChoiceField(queryset=SocialWorker.objects.none(), label=_("社工"))
    role = forms.ChoiceField(choices=StaffRole.choices, label=_("项目岗位"))
    start_date = forms.DateField(label=_("进入项目日期"), required=False, widget=DateInput())

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = SocialWorker.objects.order_by("name")
        if project is not None:
            workers = workers.filter(employer_id=project.operator_id)
        self.fields["worker"].queryset = workers


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(choices=Indicator.choices, label=_("指标"))
    quantity = forms.DecimalField(label=_("目标值"), min_value=0.1, max_digits=12, decimal_places=1)


class BudgetForm(forms.Form):
    category = forms.ChoiceField(choices=BudgetCategory.choices, label=_("预算科目"))
    amount = forms.CharField(label=_("预算金额（元）"), max_length=20)


class ExpenditureForm(forms.Form):
    line = forms.IntegerField(label=_("预算科目"), widget=forms.Select)
    amount = forms.CharField(label=_("金额（元）"), max_length=20)
    spent_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    description = forms.CharField(label=_("用途"), max_length=200)
    voucher_number = forms.CharField(label=_("凭证号"), max_length=40, required=False)
    # Checked (type, size) by the service, which names this field when it refuses the file.
    voucher = forms.FileField(
        label=_("支出凭证"), required=False, help_text=_("PDF、Word、Excel、JPG 或 PNG，不超过 10 MB")
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["line"].widget.choices = [
                (line.pk, line.get_category_display()) for line in project.budget_lines.all()
            ]


class PaymentForm(forms.Form):
    milestone = forms.CharField(label=_("付款节点"), max_length=60)
    amount = forms.CharField(label=_("金额（元）"), max_length=20)
    paid_on = forms.DateField(label=_("付款日期"), widget=DateInput())


class ClawBackForm(forms.Form):
    amount = forms.CharField(label=_("追回金额（元）"), max_length=20)
    reason = forms.CharField(label=_("追回原因"), max_length=300)
    staff = forms.IntegerField(label=_("涉及人员"), required=False, widget=forms.Select)
    list_worker = forms.BooleanField(label=_("同时列入失信名单"), required=False)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["staff"].widget.choices = [("", "—")] + [
                (s.pk, s.worker.name) for s in project.staff.select_related("worker")
            ]


UPLOADABLE_TYPES = [(value, label) for value, label in DocumentType.choices if value != DocumentType.VOUCHER]


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(choices=UPLOADABLE_TYPES, label=_("文件类型"))
    file = forms.FileField(
        label=_("文件"),
        required=False,
        help_text=_(
            "PDF、Word、Excel、JPG 或 PNG，不超过 10 MB。计划书应包含项目背景、目标、预算、内容和进度、"
            "人员和服务标准、绩效评估。"
        ),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

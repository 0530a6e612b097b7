from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import ServiceModelForm
from shegong.core.regioncodes import CODE_LENGTH, PREFIX_LENGTH, Level
from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.orgs.models import Organisation, OrgKind
from shegong.regions.models import Region

from . import selectors
from .models import (
    Departure,
    PayPost,
    Skill,
    SocialWorker,
    Supervisor,
    Volunteer,
    VolunteerTeam,
    WorkerAssignment,
    activity_model,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("登记区划代码"))
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("12 位统计用区划代码"))
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划 %(c)s 不存在或不在您的管辖范围内") % {"c": code})
        return region


class WorkerForm(ServiceModelForm):
    region = RegionCodeField()
    id_number = forms.CharField(label=_("身份证号"), max_length=20, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    class Meta:
        model = SocialWorker
        fields = [
            "name",
            "region",
            "id_number",
            "phone",
            "education",
            "major",
            "certificate",
            "certificate_number",
            "certificate_date",
            "employer",
            "pay_post",
            "pay_grade",
            "status",
        ]
        widgets = {"certificate_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organisation.objects.filter(
            kind__in=[OrgKind.AGENCY, OrgKind.HUB]
        ).order_by("name")
        self.fields["pay_post"].queryset = PayPost.objects.select_related("ladder").order_by(
            "ladder__name", "rank"
        )
        self.fields["pay_post"].label_from_instance = lambda p: f"{p.ladder.name} · {p.name}"
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            # Sensitive values are never sent back to the browser; blank keeps what is stored.
            self.initial["id_number"] = ""
            self.initial["phone"] = ""
            self.fields["id_number"].help_text = _("留空则不修改")
            self.fields["phone"].help_text = _("留空则不修改")

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance.pk:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key, None)
        return data


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = WorkerAssignment
        fields = ["node", "start_date", "full_time", "post", "posting"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = (
            ServiceNode.objects.filter(
                level__in=[NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.CENTRE, NodeLevel.HUB],
            )
            .exclude(status=NodeStatus.CLOSED)
            .order_by("region_code", "level")
        )
        self.fields["start_date"].initial = timezone.localdate

    def _post_clean(self):
        pass


class DishonestyForm(forms.Form):
    reason = forms.CharField(
        label=_("列入原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写列入失信名单的原因")},
    )
    listed_on = forms.DateField(label=_("列入日期"), required=False, widget=DATE, help_text=_("留空为今天"))
    listed_by = forms.CharField(label=_("决定机关"), max_length=100, required=False)


class WorkerChoiceForm(forms.Form):
    replacement = forms.ModelChoiceField(
        label=_("补员社工"), queryset=SocialWorker.objects.none(), required=False
    )

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = SocialWorker.objects.exclude(status="left").order_by("name")
        if exclude is not None:
            queryset = queryset.exclude(pk=exclude.pk)
        self.fields["replacement"].queryset = queryset


class DepartureForm(WorkerChoiceForm):
    notice_date = forms.DateField(label=_("提出离职日期"), widget=DATE)
    planned_leaving_date = forms.DateField(
        label=_("拟离岗日期"), widget=DATE, help_text=_("须在提出后 30 至 60 天之间，且补员到岗后方可离岗")
    )
    reason = forms.CharField(label=_("离职原因"), max_length=200, required=False)
    field_order = ["notice_date", "planned_leaving_date", "reason", "replacement"]


class DepartureCompleteForm(WorkerChoiceForm):
    left_on = forms.DateField(label=_("实际离岗日期"), widget=DATE)
    field_order = ["left_on", "replacement"]


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("身份证号")), ("phone", _("手机号"))], label=_("查看"))
    reason = forms.CharField(
        label=_("查看事由"), max_length=200, error_messages={"required": _("请填写查看事由")}
    )


class VolunteerForm(ServiceModelForm):
    region = RegionCodeField(label=_("所在区划代码"))
    id_number = forms.CharField(label=_("身份证号"), max_length=20, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    skills = forms.MultipleChoiceField(
        label=_("技能"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Volunteer
        fields = ["name", "region", "id_number", "phone", "skills", "team", "recruited_by", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = VolunteerTeam.objects.order_by("region_code", "level", "name")
        self.fields["recruited_by"].queryset = SocialWorker.objects.exclude(status="left").order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            self.initial["id_number"] = ""
            self.initial["phone"] = ""
            self.fields["phone"].required = False
            self.fields["id_number"].help_text = _("留空则不修改")
            self.fields["phone"].help_text = _("留空则不修改")

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance.pk:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key, None)
        return data


SIGNUP_VILLAGE_LIMIT = 200


@dataclass
class VillagePicker:
    """What the sign-up page's community list shows for a township and/or a name: the same on the page and in
    the list the page fetches while the volunteer picks."""

    township: str = ""
    query: str = ""
    selected: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0
    township_name: str = ""
    counties: dict[str, str] = field(default_factory=dict)  # village code → its county's label

    @classmethod
    def build(cls, *, township: str = "", query: str = "", selected: str = "") -> VillagePicker:
        query = query.strip()[:30]
        picker = cls(township=township, query=query, selected=selected)
        rows, picker.total = selectors.signup_villages(
            township=township, query=query, limit=SIGNUP_VILLAGE_LIMIT
        )
        if township and rows:
            picker.township_name = rows[0].parent.name
        if not township and not query and picker.total > SIGNUP_VILLAGE_LIMIT:
            return picker  # too many to list: the volunteer narrows first
        picker.options = [
            (r.code, r.name if township else f"{r.parent.name} · {r.name}")
            for r in rows[:SIGNUP_VILLAGE_LIMIT]
        ]
        picker.counties = {r.code: county_label(r.parent) for r in rows[:SIGNUP_VILLAGE_LIMIT]}
        if picker.filtered and len(picker.options) == 1 and not selected:
            picker.selected = picker.options[0][0]  # the one match: nothing left to choose
        return picker

    @property
    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The options under their county (district), so that two districts' same-named streets are told apart;
        one unnamed group when they all lie in one county."""
        if len(set(self.counties.values())) <= 1:
            return [("", self.options)] if self.options else []
        grouped: dict[str, list[tuple[str, str]]] = {}
        for code, label in self.options:
            grouped.setdefault(self.counties.get(code, ""), []).append((code, label))
        return list(grouped.items())

    @property
    def filtered(self) -> bool:
        return bool(self.township or self.query)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.options) and bool(self.options)

    @property
    def prompt(self) -> str:
        """The first, empty option of the list: what to do next."""
        if self.options:
            return _("请选择社区（村）")
        if not self.filtered and self.total:
            return _("请先选择街道（乡镇）或输入名称")
        return _("没有可选的社区（村）")

    @property
    def status(self) -> str:
        """One line under the list, read out by screen readers when the list changes."""
        if not self.options:
            if self.query:
                return _("没有名称含“%(q)s”的社区（村），请换个字试试") % {"q": self.query}
            if self.township:
                return _("该街道（乡镇）暂无可登记的社区（村）")
            if self.total:
                return _("共 %(n)d 个社区（村）") % {"n": self.total}
            return _("暂无可登记的社区（村）")
        if self.truncated:
            return _("找到 %(n)d 个，只列出前 %(shown)d 个，请输入更完整的名称") % {
                "n": self.total,
                "shown": len(self.options),
            }
        if self.township_name and not self.query:
            return _("%(t)s共 %(n)d 个社区（村）") % {"t": self.township_name, "n": self.total}
        return _("找到 %(n)d 个社区（村）") % {"n": self.total}


def county_label(township, *, with_city: bool = False) -> str:
    """A township's county (district) name, after its city's when asked (a city's own 市辖区/县 groupings are not
    names a resident knows, so their province stands in)."""
    county = township.parent if township else None
    if county is None:
        return ""
    if not with_city or county.parent is None:
        return county.name
    return f"{county.parent.display_name} {county.name}"


def township_choices() -> list:
    """The offered townships grouped by county (and city, when they span more than one)."""
    townships = selectors.signup_townships()
    several_cities = len({t.code[:4] for t in townships}) > 1
    groups: dict[str, list[tuple[str, str]]] = {}
    for township in townships:
        groups.setdefault(county_label(township, with_city=several_cities), []).append(
            (township.code, township.name)
        )
    return [("", _("全部街道（乡镇）"))] + list(groups.items())


class SignupForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名")})
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("请填写手机号")},
    )
    id_number = forms.CharField(
        label=_("身份证号"), max_length=20, required=False, help_text=_("选填，用于志愿服务记录证明")
    )
    # The community picker: township and query only narrow the list; ``region`` is the answer.
    township = forms.CharField(label=_("街道（乡镇）"), required=False, widget=forms.Select)
    q = forms.CharField(
        label=_("按名称查找"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("社区、村或街道名称中的字"), "autocomplete": "off"}
        ),
    )
    region = forms.CharField(label=_("社区（村）"), error_messages={"required": _("请选择所在社区")})
    skills = forms.MultipleChoiceField(
        label=_("特长（可多选）"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(
        label=_("我同意社工站为组织志愿服务保存以上信息"),
        error_messages={"required": _("请勾选同意后再提交")},
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # a trap for bots

    PICKER_FIELDS = ("township", "q", "region")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["township"].widget.choices = township_choices()
        source = self.data if self.is_bound else self.initial
        township, query, selected = (str(source.get(key) or "").strip() for key in self.PICKER_FIELDS)
        picker = VillagePicker.build(township=township, query=query, selected=selected)
        if selected and selected not in dict(picker.options):
            # A link to one community (?region=…), or a choice made from a list the page no longer shows: list
            # that community's township instead.
            township = selected[: PREFIX_LENGTH[Level.TOWNSHIP]].ljust(CODE_LENGTH, "0")
            picker = VillagePicker.build(township=township, selected=selected)
            if selected in dict(picker.options):
                self._set_value("township", township)
                self._set_value("q", "")
        self.picker = picker

    def _set_value(self, name: str, value: str) -> None:
        if self.is_bound:
            self.data = self.data.copy()
            self.data[name] = value
        else:
            self.initial[name] = value

    @classmethod
    def typed(cls, data) -> dict:
        """What the volunteer typed, as initial values for the page shown again without errors."""
        return {
            name: data.getlist(name)
            if isinstance(form_field, forms.MultipleChoiceField)
            else data.get(name, "")
            for name, form_field in cls.base_fields.items()
        }

    def person_fields(self):
        return [self[name] for name in ("name", "phone", "id_number")]

    def closing_fields(self):
        return [self[name] for name in ("skills", "consent")]

    def clean_region(self):
        region = selectors.signup_village(self.cleaned_data["region"])
        if region is None:
            raise forms.ValidationError(_("请选择所在社区"))
        return region


class TeamForm(ServiceModelForm):
    region = RegionCodeField(label=_("所在区划代码"))

    class Meta:
        model = VolunteerTeam
        fields = ["name", "level", "region", "parent", "leader"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = VolunteerTeam.objects.exclude(level="squad").order_by(
            "region_code", "name"
        )


class HoursForm(forms.Form):
    # Volunteers read these: plain words, not Django's generic messages ("确保该值小于或等于24。").
    served_on = forms.DateField(
        label=_("服务日期"),
        widget=DATE,
        error_messages={
            "required": _("请填写服务日期"),
            "invalid": _("请按“年-月-日”填写日期，如 2026-03-01"),
        },
    )
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=24,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        error_messages={
            "required": _("请填写服务了多少小时"),
            "invalid": _("时长请填数字，如 2 或 1.5"),
            "max_value": _("每次最多登记 24 小时"),
            "min_value": _("每次至少登记半小时（0.5）"),
            "max_decimal_places": _("时长按半小时计，如 1.5，小数点后只留一位"),
            "max_digits": _("每次最多登记 24 小时"),
            "max_whole_digits": _("每次最多登记 24 小时"),
        },
    )
    activity = forms.ModelChoiceField(
        label=_("活动"),
        queryset=None,
        required=False,
        help_text=_("参加社工站活动时选择；否则计入所属队伍"),
        error_messages={"invalid_choice": _("这个活动现在不能选了，请重新选择")},
    )
    team = forms.ModelChoiceField(
        label=_("队伍"),
        queryset=VolunteerTeam.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("这个队伍现在不能选了，请重新选择")},
    )
    description = forms.CharField(
        label=_("服务内容"),
        max_length=200,
        error_messages={
            "required": _("请简要写一下做了什么"),
            "max_length": _("服务内容请写在 200 字以内（现在 %(show_value)d 字）"),
        },
    )

    def __init__(self, *args, volunteer=None, **kwargs):
        super().__init__(*args, **kwargs)
        Activity = activity_model()
        since = timezone.localdate() - timezone.timedelta(days=60)
        self.fields["activity"].queryset = Activity.objects.filter(held_on__gte=since).order_by("-held_on")
        self.fields["activity"].label_from_instance = lambda a: f"{a.held_on:%m-%d} {a.title}"
        self.fields["activity"].empty_label = _("（不关联活动）")
        self.fields["team"].empty_label = _("（我的队伍）")
        self.fields["team"].queryset = VolunteerTeam.objects.order_by("level", "name")
        self.fields["served_on"].initial = timezone.localdate
        if volunteer is not None and volunteer.team_id:
            self.fields["team"].initial = volunteer.team_id


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=200, required=False)


__all__ = ["Departure"]


class PolicyForm(forms.Form):
    """A region's own policy values; a blank one inherits the value shown beside it."""

    station_min_fulltime = forms.IntegerField(
        label=_("社工站最少专职社工数"), min_value=0, max_value=50, required=False
    )
    station_min_certified = forms.IntegerField(
        label=_("其中最少持证社工数"), min_value=0, max_value=50, required=False
    )
    filing_due_days = forms.IntegerField(
        label=_("岗位备案期限（天）"), min_value=1, max_value=365, required=False
    )
    notice_min_days = forms.IntegerField(
        label=_("离职最少提前通知（天）"), min_value=0, max_value=365, required=False
    )
    notice_max_days = forms.IntegerField(
        label=_("离职交接最长期限（天）"), min_value=1, max_value=365, required=False
    )
    dishonesty_bar_years = forms.IntegerField(
        label=_("失信禁入年限（年）"), min_value=1, max_value=10, required=False
    )
    case_assessment_days = forms.IntegerField(
        label=_("个案接案后预估期限（天）"), min_value=1, max_value=90, required=False
    )
    case_plan_days = forms.IntegerField(
        label=_("个案接案后制定计划期限（天）"), min_value=1, max_value=180, required=False
    )
    case_review_days = forms.IntegerField(
        label=_("个案计划复核周期（天）"), min_value=7, max_value=365, required=False
    )
    case_long_open_months = forms.IntegerField(
        label=_("个案超期未结提示（月）"), min_value=1, max_value=60, required=False
    )
    supervision_interval_days = forms.IntegerField(
        label=_("督导间隔（天）"), min_value=7, max_value=365, required=False
    )
    training_hours_per_year = forms.IntegerField(
        label=_("每年继续教育学时（小时）"), min_value=0, max_value=500, required=False
    )
    subsidy_percent = forms.IntegerField(
        label=_("运营补贴比例（%）"), min_value=0, max_value=100, required=False
    )
    subsidy_cap_yuan = forms.IntegerField(
        label=_("运营补贴上限（元）"), min_value=0, max_value=100_000_000, required=False
    )
    subsidy_min_score_percent = forms.IntegerField(
        label=_("获得补贴的最低评估得分率（%）"), min_value=0, max_value=100, required=False
    )
    offline_wipe_days = forms.IntegerField(
        label=_("离线数据未同步自动清除（天）"), min_value=1, max_value=90, required=False
    )
    volunteers_per_worker = forms.IntegerField(
        label=_("每名社工最少常态化志愿者数"), min_value=0, max_value=100, required=False
    )
    overspend_refused = forms.TypedChoiceField(
        label=_("项目支出超预算时拒绝登记"),
        choices=[("", _("沿用上级")), ("True", _("拒绝登记")), ("False", _("登记并提示"))],
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
    )
    weekly_report_due_hours = forms.IntegerField(
        label=_("周报报送截止（周一起算，小时）"), min_value=1, max_value=168, required=False
    )


class SupervisorForm(ServiceModelForm):
    region = RegionCodeField()

    class Meta:
        model = Supervisor
        fields = ["name", "region", "kind", "organisation", "qualification", "level", "lecturer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["organisation"].help_text = _("外聘督导填写其所在的合作机构")


class SupervisionAssignmentForm(forms.Form):
    worker = forms.ModelChoiceField(
        label=_("被督导社工"), queryset=SocialWorker.objects.none(), required=False
    )
    node = forms.ModelChoiceField(label=_("被督导阵地"), queryset=ServiceNode.objects.none(), required=False)
    project_name = forms.CharField(label=_("被督导项目"), max_length=120, required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = SocialWorker.objects.filter(status="active").order_by("name")
        self.fields["node"].queryset = (
            ServiceNode.objects.filter(level__in=[NodeLevel.STATION, NodeLevel.ROOM, NodeLevel.HUB])
            .exclude(status=NodeStatus.CLOSED)
            .order_by("region_code", "level")
        )
        self.fields["start_date"].initial = timezone.localdate

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.network.models import NodeLevel, NodeStatus, ServiceNode
from shegong.orgs.models import Organisation, OrgKind
from shegong.regions.codes import Level
from shegong.regions.models import Region

from .models import (
    Departure,
    PayPost,
    Skill,
    SocialWorker,
    Volunteer,
    VolunteerTeam,
    WorkerAssignment,
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


class ServiceForm(forms.ModelForm):
    """A model form that only parses; the service validates the row and reports in the user's words."""

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.cleaned_data}


class WorkerForm(ServiceForm):
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
        fields = ["node", "start_date", "full_time", "post"]
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


class VolunteerForm(ServiceForm):
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


def signup_regions():
    # The public page has no scope: community names are public, so this reads the regions table directly.
    return Region._base.filter(level=Level.VILLAGE).select_related("parent").order_by("code")


class SignupForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=20, required=False, help_text=_("选填，用于志愿服务记录证明")
    )
    region = forms.ChoiceField(label=_("所在社区"))
    skills = forms.MultipleChoiceField(
        label=_("特长（可多选）"), choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent = forms.BooleanField(label=_("我同意社工站为组织志愿服务保存以上信息"))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # a trap for bots

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [
            (r.code, f"{r.parent.name if r.parent else ''} {r.name}") for r in signup_regions()
        ]

    def clean_region(self):
        region = signup_regions().filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("请选择所在社区"))
        return region


class TeamForm(ServiceForm):
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
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=24,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    activity = forms.ModelChoiceField(
        label=_("活动"), queryset=None, required=False, help_text=_("参加社工站活动时选择；否则计入所属队伍")
    )
    team = forms.ModelChoiceField(label=_("队伍"), queryset=VolunteerTeam.objects.none(), required=False)
    description = forms.CharField(label=_("服务内容"), max_length=200)

    def __init__(self, *args, volunteer=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shegong.services.models import Activity

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

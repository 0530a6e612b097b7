from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.people.models import SocialWorker, Supervisor

from .models import Course, CourseKind, Layer, SessionKind, SessionMode, Topic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ChoiceField):
    """A region among the actor's own (choices set by the view); cleaned to the 12-digit code."""


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("形式"), choices=SessionKind.choices)
    mode = forms.ChoiceField(label=_("方式"), choices=SessionMode.choices)
    held_on = forms.DateField(label=_("督导日期"), widget=DATE)
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=10, max_value=600)
    topics = forms.MultipleChoiceField(label=_("督导主题"), widget=forms.CheckboxSelectMultiple)
    attendees = forms.MultipleChoiceField(label=_("参加社工"), widget=forms.CheckboxSelectMultiple)
    problems = forms.CharField(
        label=_("提出的问题"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    advice = forms.CharField(label=_("督导意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("跟进事项"), max_length=300, required=False)
    follow_up_due = forms.DateField(label=_("跟进期限"), required=False, widget=DATE)

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate
        self.fields["topics"].choices = [(t.code, t.name) for t in Topic.objects.filter(active=True)]
        self.fields["attendees"].choices = [(str(w.pk), w.name) for w in attendees]


class CourseForm(forms.Form):
    region = forms.ChoiceField(label=_("举办区划"))
    title = forms.CharField(label=_("课程名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类别"), choices=CourseKind.choices)
    layer = forms.ChoiceField(label=_("培训对象"), choices=Layer.choices, required=False)
    organiser = forms.CharField(label=_("主办单位"), max_length=100)
    lecturers = forms.ModelMultipleChoiceField(
        label=_("本土讲师"),
        queryset=Supervisor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_lecturers = forms.CharField(label=_("其他讲师"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=200, decimal_places=1)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *areas]
        self.fields["lecturers"].queryset = Supervisor.objects.filter(lecturer=True, active=True).order_by(
            "name"
        )

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "lecturers"}


class EnrolForm(forms.Form):
    workers = forms.ModelMultipleChoiceField(label=_("报名社工"), queryset=SocialWorker.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = SocialWorker.objects.filter(status="active").order_by("name")


class QuestionForm(forms.Form):
    region = forms.ChoiceField(label=_("所属区划"))
    title = forms.CharField(label=_("问题"), max_length=200)
    detail = forms.CharField(
        label=_("问题描述"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("用逗号分隔"))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *areas]


class ExpertForm(forms.Form):
    region = forms.ChoiceField(label=_("所属区划"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    field = forms.CharField(label=_("专业领域"), max_length=100)
    organisation = forms.CharField(label=_("工作单位"), max_length=120, required=False)
    title = forms.CharField(label=_("职称"), max_length=60, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("用逗号分隔"))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *areas]


class ProjectForm(forms.Form):
    region = forms.ChoiceField(label=_("所属区划"))
    title = forms.CharField(label=_("项目名称"), max_length=150)
    summary = forms.CharField(label=_("项目简介"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    organisation = forms.CharField(label=_("实施机构"), max_length=120, required=False)
    year = forms.IntegerField(label=_("实施年度"), min_value=2000, max_value=2100, required=False)
    documents = forms.CharField(
        label=_("项目文档"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一份文档的名称或链接"),
    )
    tags = forms.CharField(label=_("标签"), max_length=200, required=False, help_text=_("用逗号分隔"))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *areas]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("解答"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))


__all__ = ["Course"]

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.network.models import NodeLevel, ServiceNode

from .models import AssessmentStage, Framework, Party, SurveyChannel


class AssessmentForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("指标框架"), queryset=Framework.objects.none())
    node = forms.ModelChoiceField(label=_("社工站"), queryset=ServiceNode.objects.none())
    stage = forms.ChoiceField(label=_("评估类型"), choices=AssessmentStage.choices)
    party = forms.ChoiceField(label=_("评估方"), choices=Party.choices)
    period_start = forms.DateField(label=_("评估期开始"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("评估期结束"), widget=forms.DateInput(attrs={"type": "date"}))
    evaluator = forms.CharField(label=_("评估人员账号"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.order_by("code", "-version")
        self.fields["node"].queryset = ServiceNode.objects.filter(level=NodeLevel.STATION).order_by(
            "region_code"
        )


class ScoreForm(forms.Form):
    points = forms.CharField(label=_("得分"), max_length=12)
    evidence = forms.CharField(label=_("佐证（文件名、记录链接）"), required=False, max_length=2000)


class AnswerForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[c for c in SurveyChannel.choices if c[0] != SurveyChannel.LINK]
    )


class BulletinForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("指标框架"), queryset=Framework.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("季度"), min_value=1, max_value=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.order_by("code", "-version")


class CorrectForm(forms.Form):
    note = forms.CharField(label=_("更正说明"), max_length=300)

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DECIDED_STATES, FindingState


class DecideForm(forms.Form):
    state = forms.ChoiceField(
        label=_("处理结果"), choices=[(s.value, s.label) for s in DECIDED_STATES], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("处理意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    check = forms.ChoiceField(label=_("检查项"), required=False)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("未关闭")), *FindingState.choices]
    )
    assigned = forms.ChoiceField(
        label=_("责任方"),
        required=False,
        choices=[("", _("全部")), ("station", _("社工站站长")), ("bureau", _("民政部门"))],
    )
    month = forms.CharField(label=_("发生月份"), required=False, max_length=7)

    def __init__(self, *args, check_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check"].choices = [("", _("全部")), *check_choices]

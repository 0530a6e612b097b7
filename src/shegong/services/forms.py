import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.recipients.models import Category

from .models import FINDING_VALUES, FINDINGS, Frequency, VisitMethod


class SegmentedRadio(forms.RadioSelect):
    template_name = "services/widgets/segmented.html"
    option_template_name = "services/widgets/segmented_option.html"


class VisitForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("探访方式"), choices=VisitMethod.choices, initial=VisitMethod.HOME, widget=SegmentedRadio
    )
    visited_at = forms.DateTimeField(
        label=_("探访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(label=_("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs_found = forms.CharField(
        label=_("发现需求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up = forms.CharField(label=_("后续跟进"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    location_consent = forms.BooleanField(label=_("对象同意记录本次位置"), required=False)
    location = forms.CharField(label=_("位置（纬度,经度）"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("visited_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        for key, label in FINDINGS:
            self.fields[f"f_{key}"] = forms.ChoiceField(
                label=label, choices=list(FINDING_VALUES.items()), initial="ok", widget=SegmentedRadio
            )

    def finding_fields(self):
        return [self[f"f_{key}"] for key, _label in FINDINGS]

    def service_data(self) -> dict:
        data = {
            k: self.cleaned_data[k]
            for k in (
                "method",
                "visited_at",
                "notes",
                "needs_found",
                "follow_up",
                "location_consent",
                "location",
            )
        }
        data["findings"] = {key: self.cleaned_data[f"f_{key}"] for key, _label in FINDINGS}
        return data


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

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core import projectlinks

from .models import FINDING_VALUES, FINDINGS, VisitMethod


class SegmentedRadio(forms.RadioSelect):
    template_name = "visits/widgets/segmented.html"
    option_template_name = "visits/widgets/segmented_option.html"


class VisitForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    method = forms.ChoiceField(
        label=_("探访方式"), choices=VisitMethod.choices, initial=VisitMethod.HOME, widget=SegmentedRadio
    )
    visited_at = forms.DateTimeField(
        label=_("探访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("请填写探访时间"), "invalid": _("请选择探访的日期和时间")},
    )
    notes = forms.CharField(label=_("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs_found = forms.CharField(
        label=_("发现需求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up = forms.CharField(label=_("后续跟进"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    location_consent = forms.BooleanField(label=_("对象同意记录本次位置"), required=False)
    location = forms.CharField(label=_("位置（纬度,经度）"), required=False, max_length=60)

    def __init__(self, *args, worker_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("visited_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        # The project the visit counts for (core.projectlinks): one is linked by itself and named on the page;
        # with several the worker must choose.
        projectlinks.offer(
            self, worker_id=worker_id, day_field="visited_at", ask=_("请选择这次探访所属的项目")
        )
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
        data.update(projectlinks.chosen(self))
        return data

import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core import projectlinks
from shegong.core.regioncodes import Level, level_of, parent_code_of
from shegong.orgs.models import Organisation
from shegong.people.models import Volunteer, VolunteerStatus
from shegong.recipients.models import Recipient
from shegong.regions.selectors import region_subtree_q

from .models import Activity

VOLUNTEER_ROWS = 6


def area_of(node) -> str:
    """The area a node draws people from: a room its community's township, a station its own township."""
    code = node.region_code
    return parent_code_of(code) if level_of(code) == Level.VILLAGE else code


class ActivityForm(forms.Form):
    """Record an activity on a phone: what, when, where, how many came, who served — a few taps."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("活动名称"), max_length=120, error_messages={"required": _("请填写活动名称")}
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Activity.Kind.choices, initial=Activity.Kind.COMMUNITY)
    held_on = forms.DateField(
        label=_("活动日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写活动日期"), "invalid": _("请选择活动日期")},
    )
    starts_at = forms.TimeField(
        label=_("开始时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("结束时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    participants = forms.IntegerField(
        label=_("参与人数"),
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("请填写参与人数")},
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("点名的服务对象（可选）"), queryset=Recipient.objects.none(), required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("参与组织（可选）"), queryset=Organisation.objects.none(), required=False
    )
    outcome = forms.CharField(
        label=_("活动成效"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, node=None, worker_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node
        projectlinks.offer(self, worker_id=worker_id, day_field="held_on")
        area = region_subtree_q(area_of(node)) if node is not None else None
        recipients = (
            Recipient.objects.filter(status="active").only("pk", "name", "region_code").order_by("name", "pk")
        )
        volunteers = (
            Volunteer.objects.filter(status=VolunteerStatus.ACTIVE).only("pk", "name").order_by("name", "pk")
        )
        if area is not None:
            recipients = recipients.filter(area)
            volunteers = volunteers.filter(area)
        self.fields["recipients"].queryset = recipients
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.volunteer_queryset = volunteers
        for i in range(VOLUNTEER_ROWS):
            self.fields[f"volunteer_{i}"] = forms.ModelChoiceField(
                label=_("志愿者"),
                queryset=volunteers,
                required=False,
                empty_label="—",
                widget=forms.Select(attrs={"aria-label": _("志愿者")}),
            )
            self.fields[f"hours_{i}"] = forms.DecimalField(
                label=_("时长（小时）"),
                required=False,
                min_value=Decimal("0.5"),
                max_value=24,
                decimal_places=1,
            )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("held_on", timezone.localdate())
            if node is not None:
                self.initial.setdefault("place", node.name)

    def volunteer_rows(self):
        return [(self[f"volunteer_{i}"], self[f"hours_{i}"]) for i in range(VOLUNTEER_ROWS)]

    @property
    def more_volunteers_used(self) -> bool:
        """Whether a row past the first two holds something (the form then opens them)."""
        if not self.is_bound:
            return False
        return any(
            self.data.get(f"volunteer_{i}") or self.data.get(f"hours_{i}") for i in range(2, VOLUNTEER_ROWS)
        )

    def clean(self):
        data = super().clean()
        for i in range(VOLUNTEER_ROWS):
            volunteer, hours = data.get(f"volunteer_{i}"), data.get(f"hours_{i}")
            if volunteer is not None and hours is None and f"hours_{i}" not in self.errors:
                self.add_error(f"hours_{i}", _("请填写%(n)s的服务时长") % {"n": volunteer.name})
            if volunteer is None and hours is not None:
                self.add_error(f"volunteer_{i}", _("请选择填了时长的志愿者"))
        return data

    def service_data(self) -> dict:
        return {
            k: self.cleaned_data[k]
            for k in ("title", "kind", "held_on", "starts_at", "ends_at", "place", "participants", "outcome")
        } | projectlinks.chosen(self)

    def volunteers(self) -> list:
        rows = []
        for i in range(VOLUNTEER_ROWS):
            volunteer, hours = self.cleaned_data.get(f"volunteer_{i}"), self.cleaned_data.get(f"hours_{i}")
            if volunteer is not None and hours is not None:
                rows.append((volunteer, hours))
        return rows

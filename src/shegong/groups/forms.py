import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core import projectlinks
from shegong.core.regioncodes import Level, level_of, parent_code_of
from shegong.network.models import ServiceNode
from shegong.people.models import SocialWorker, WorkerStatus
from shegong.recipients.models import Recipient
from shegong.regions.selectors import region_subtree_q

from .models import Frequency, GroupKind, GroupStage, Weekday

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(forms.Form):
    """When the group meets: a rhythm (每周/每两周), a weekday, a time and optionally a place. The rules tying them
    together are the service's (``services._schedule``), which names the field at fault."""

    meets = forms.ChoiceField(
        label=_("活动频率"), choices=[("", _("（暂不排期）")), *Frequency.choices], required=False
    )
    meets_weekday = forms.TypedChoiceField(
        label=_("活动日"),
        choices=[("", "---------"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    meets_at = forms.TimeField(
        label=_("活动时间"),
        widget=TIME,
        required=False,
        error_messages={"invalid": _("活动时间格式无效，例如 14:30")},
    )
    meets_place = forms.CharField(label=_("活动地点"), max_length=120, required=False)

    def schedule_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("meets", "meets_weekday", "meets_at", "meets_place")}


def area_of(node) -> str:
    """The area a node serves people from: a room its community's township, a station its own township."""
    code = node.region_code
    return parent_code_of(code) if level_of(code) == Level.VILLAGE else code


class GroupForm(ScheduleForm):
    node = forms.ModelChoiceField(label=_("所属阵地"), queryset=ServiceNode.objects.none())
    name = forms.CharField(label=_("小组名称"), max_length=80)
    kind = forms.ChoiceField(label=_("小组类型"), choices=GroupKind.choices)
    purpose = forms.CharField(label=_("小组目标"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    leader = forms.ModelChoiceField(label=_("带领社工"), queryset=SocialWorker.objects.none())
    co_leaders = forms.ModelMultipleChoiceField(
        label=_("协同带领"), queryset=SocialWorker.objects.none(), required=False
    )
    planned_sessions = forms.IntegerField(label=_("计划节数"), min_value=1, max_value=60, initial=6)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)

    field_order = [
        "node",
        "name",
        "kind",
        "purpose",
        "leader",
        "co_leaders",
        "planned_sessions",
        "starts_on",
        "meets",
        "meets_weekday",
        "meets_at",
        "meets_place",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = ServiceNode.objects.order_by("region_code", "name")
        workers = SocialWorker.objects.exclude(status=WorkerStatus.LEFT).order_by("name")
        self.fields["leader"].queryset = workers
        self.fields["co_leaders"].queryset = workers
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "co_leaders"}


class StageForm(forms.Form):
    to = forms.ChoiceField(label=_("进入阶段"), choices=GroupStage.choices)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class MemberForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("服务对象"),
        queryset=Recipient.objects.none(),
        required=False,
        empty_label=_("（不在名册的居民）"),
    )
    name = forms.CharField(label=_("居民姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("居民电话"), max_length=20, required=False)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = (
            Recipient.objects.filter(status="active").order_by("name", "pk").only("pk", "name", "region_code")
        )
        if group is not None:
            queryset = queryset.filter(region_subtree_q(area_of(group.node))).exclude(
                pk__in=group.members.exclude(recipient=None).values("recipient_id")
            )
        self.fields["recipient"].queryset = queryset
        if not self.is_bound:
            self.initial.setdefault("joined_on", timezone.localdate())


class SessionForm(forms.Form):
    """A session on a phone: date, place, content, one big checkbox per member, observations; pre/post scores
    optional per member (``pre_<id>``/``post_<id>``)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    held_on = forms.DateField(
        label=_("活动日期"), widget=DATE, error_messages={"required": _("请填写活动日期")}
    )
    place = forms.CharField(label=_("地点"), max_length=120, error_messages={"required": _("请填写地点")})
    content = forms.CharField(
        label=_("活动内容"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写活动内容")},
    )
    observations = forms.CharField(
        label=_("观察记录"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    present = forms.MultipleChoiceField(label=_("出席"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members=(), place="", worker_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        projectlinks.offer(self, worker_id=worker_id, day_field="held_on")
        self.fields["present"].choices = [(str(m.pk), m.display_name) for m in self.members]
        for m in self.members:
            self.fields[f"pre_{m.pk}"] = forms.IntegerField(
                label=_("前测"), required=False, min_value=0, max_value=100
            )
            self.fields[f"post_{m.pk}"] = forms.IntegerField(
                label=_("后测"), required=False, min_value=0, max_value=100
            )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("held_on", timezone.localdate())
            self.initial.setdefault("place", place)

    def rows(self):
        """Each member with its checkbox state and score inputs, for the template."""
        ticked = set(self.data.getlist("present")) if self.is_bound else set()
        return [
            {
                "member": m,
                "checked": str(m.pk) in ticked,
                "pre": self[f"pre_{m.pk}"],
                "post": self[f"post_{m.pk}"],
            }
            for m in self.members
        ]

    def service_data(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("held_on", "place", "content", "observations")
        } | projectlinks.chosen(self)

    def measures(self) -> dict:
        out = {}
        for m in self.members:
            pre, post = self.cleaned_data.get(f"pre_{m.pk}"), self.cleaned_data.get(f"post_{m.pk}")
            if pre is not None or post is not None:
                out[m.pk] = (pre, post)
        return out

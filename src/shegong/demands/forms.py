from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core import projectlinks
from shegong.core.identity import IdentityError, validate_phone
from shegong.core.regioncodes import CODE_LENGTH, PREFIX_LENGTH, Level
from shegong.people.forms import VillagePicker, township_choices

from .models import ReceiverKind, RequestChannel, Urgency
from .services import DESK_CHANNELS


class PublicRequestForm(forms.Form):
    """The resident's form: what is needed, where (township → community, never a code), how to reach them."""

    description = forms.CharField(
        label=_("需要什么帮助"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：家里老人行动不便，想申请助餐送餐")}),
        error_messages={"required": _("请用几句话说明需要什么帮助")},
    )
    township = forms.CharField(label=_("街道（乡镇）"), required=False, widget=forms.Select)
    q = forms.CharField(
        label=_("按名称查找"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("社区、村或街道名称中的字"), "autocomplete": "off"}
        ),
    )
    region = forms.CharField(label=_("社区（村）"), error_messages={"required": _("请选择所在社区（村）")})
    address = forms.CharField(label=_("详细地址（选填）"), required=False, max_length=200)
    requester_name = forms.CharField(label=_("怎么称呼您"), required=False, max_length=50)
    requester_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("请填写联系电话，以便社工与您联系")},
    )
    consent_contact = forms.BooleanField(
        label=_("我同意社工站为办理本诉求保存以上信息并与我联系"),
        error_messages={"required": _("请勾选同意社工与您联系，否则无法为您服务")},
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
            township = selected[: PREFIX_LENGTH[Level.TOWNSHIP]].ljust(CODE_LENGTH, "0")
            picker = VillagePicker.build(township=township, selected=selected)
        self.picker = picker

    def clean_requester_phone(self):
        try:
            return validate_phone(self.cleaned_data["requester_phone"])
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None

    def first_fields(self):
        return [self["description"]]

    def contact_fields(self):
        return [self["address"], self["requester_name"], self["requester_phone"], self["consent_contact"]]


class DeskRequestForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[(c, RequestChannel(c).label) for c in DESK_CHANNELS],
        initial=RequestChannel.PHONE,
    )
    description = forms.CharField(
        label=_("诉求内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    region = forms.ChoiceField(label=_("所在社区（村）"))
    address = forms.CharField(label=_("详细地址"), required=False, max_length=200)
    requester_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    requester_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    consent_contact = forms.BooleanField(label=_("居民同意联系"), required=False, initial=True)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("请选择"))] + list(villages)


class DispatchForm(forms.Form):
    item = forms.ChoiceField(label=_("服务事项"))
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    receiver = forms.ChoiceField(label=_("承接方"))

    def __init__(self, *args, items=(), receivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("请选择"))] + list(items)
        self.fields["receiver"].choices = [("", _("请选择"))] + list(receivers)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("办理情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, req=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A first resolution counts for the project the receiving worker serves on today (core.projectlinks).
        if req is not None and req.project_id is None:
            projectlinks.offer(self, worker_id=req.worker_id, day_field=None)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 一般")),
            (2, _("2 不满意")),
            (1, _("1 很不满意")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度")},
    )
    comment = forms.CharField(
        label=_("意见（选填）"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


RECEIVER_KINDS = ReceiverKind

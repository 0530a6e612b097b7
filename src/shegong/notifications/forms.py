from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.identity import IdentityError, validate_phone

from .models import Kind


class PreferenceForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("同时发送电子邮件"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sms_kinds = forms.MultipleChoiceField(
        label=_("同时发送短信"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label=_("接收短信的手机号"), required=False, max_length=20)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        try:
            return validate_phone(raw)
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sms_kinds") and not cleaned.get("phone"):
            self.add_error("phone", _("选择短信通知时请填写手机号"))
        if cleaned.get("email_kinds") and self.user is not None and not (self.user.email or "").strip():
            self.add_error("email_kinds", _("您的账号没有登记电子邮箱，请联系安全管理员登记后再选择邮件通知"))
        return cleaned

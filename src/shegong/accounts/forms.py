from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(SetPasswordForm):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确"))
        return value


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("6 位动态验证码或恢复码"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        max_length=150,
        help_text=_("字母、数字或 _ . @ -，至少 3 位"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("角色"))
    region = forms.CharField(label=_("区划代码"), max_length=12)
    password = forms.CharField(
        label=_("初始密码"),
        widget=forms.PasswordInput(render_value=True),
        help_text=_("用户首次登录时须修改"),
    )

    def __init__(self, *args, **kwargs):
        from .roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices


class AssignmentForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"))
    region = forms.CharField(label=_("区划代码"), max_length=12)

    def __init__(self, *args, **kwargs):
        from .roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("临时密码"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=365, initial=90)

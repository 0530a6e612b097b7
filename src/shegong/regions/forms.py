from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.models import SynonymTarget


class ImportWordForm(forms.Form):
    region = forms.ChoiceField(label=_("适用区划"), help_text=_("对本区划及下级区划的导入都有效"))
    kind = forms.ChoiceField(label=_("导入"), required=False)
    target = forms.ChoiceField(label=_("类型"), choices=SynonymTarget.choices)
    field_key = forms.ChoiceField(label=_("字段"))
    text = forms.CharField(
        label=_("名册中的写法"), max_length=100, help_text=_("如列名“保障对象”，或取值“城乡低保”")
    )
    value = forms.CharField(
        label=_("对应的值"),
        max_length=100,
        required=False,
        help_text=_("类型为“取值”时填写，如“最低生活保障”"),
    )

    def __init__(self, *args, regions, kinds, fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        self.fields["kind"].choices = [("", _("所有导入")), *kinds]
        self.fields["field_key"].choices = fields

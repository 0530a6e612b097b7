from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import ServiceModelForm
from shegong.orgs.models import Organisation
from shegong.regions.models import Region

from .models import DemonstrationLevel, DevelopmentStage, FunctionRoom, NodeDocument, ServiceNode
from .services import EDITABLE_FIELDS


class NodeForm(ServiceModelForm):
    region = forms.ChoiceField(label=_("所在区划"), help_text=_("社工站选乡镇（街道），社工室选村（社区）"))
    function_rooms = forms.MultipleChoiceField(
        label=_("功能室"), choices=FunctionRoom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ServiceNode
        fields = EDITABLE_FIELDS  # the form edits exactly what the service accepts
        widgets = {"opening_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, areas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *areas]
        self.fields["operator"].queryset = Organisation.objects.order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划 %(c)s 不存在或不在您的管辖范围内") % {"c": code})
        return region


class DocumentForm(forms.ModelForm):
    class Meta:
        model = NodeDocument
        fields = ["kind", "title"]
        widgets = {
            "title": forms.TextInput(
                attrs={"placeholder": _("文件标题，如：社工站值班制度"), "aria-label": _("文件标题")}
            )
        }


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("发展阶段"), choices=DevelopmentStage.choices)
    reached_on = forms.DateField(label=_("达到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label=_("佐证材料"), max_length=300)


class DemonstrationForm(forms.Form):
    level = forms.ChoiceField(label=_("示范级别"), choices=DemonstrationLevel.choices)
    year = forms.IntegerField(label=_("命名年度"), min_value=2000, max_value=2100)
    named_by = forms.CharField(label=_("命名单位"), max_length=100, required=False)

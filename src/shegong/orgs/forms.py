from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import ServiceModelForm
from shegong.regions.models import Region

from .models import Organisation, OrgKind
from .services import EDITABLE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationForm(ServiceModelForm):
    region = forms.CharField(label=_("登记区划代码"), max_length=12, help_text=_("12 位统计用区划代码"))

    class Meta:
        model = Organisation
        fields = EDITABLE_FIELDS  # the form edits exactly what the service accepts
        widgets = {"rating_date": DATE, "rating_expires": DATE, "filed_on": DATE, "founded_on": DATE}
        help_texts = {"credit_code": _("18 位，末位为校验码"), "filing_status": _("社区社会组织填写")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incubated_by"].queryset = Organisation.objects.filter(kind=OrgKind.HUB).order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper() or None

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划 %(c)s 不存在或不在您的管辖范围内") % {"c": code})
        return region

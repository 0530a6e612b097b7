"""The import page shared by the registries: upload, all-or-nothing, row report and the marked file."""

from __future__ import annotations

import base64
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shegong.core.excel import XLSX_MIME
from shegong.core.xlsx_import import ImportRejected

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    region = forms.ChoiceField(label=gettext_lazy("登记区划"))

    def __init__(self, *args, region_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请分批导入"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件"))
        return upload


def import_page(
    request,
    *,
    title: str,
    permission: str,
    importer: Callable[..., int],
    template_url: str,
    back_url: str,
    noun: str,
    region_choices: list[tuple[str, str]],
):
    """The whole import page: ``region_choices`` are the (code, label) areas the actor may import into."""
    request.actor.require(permission)
    form = ImportForm(request.POST or None, request.FILES or None, region_choices=region_choices)
    context = {"form": form, "title": title, "template_url": template_url, "back_url": back_url}
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            count = importer(actor=request.actor, content=content, region_code=form.cleaned_data["region"])
        except ImportRejected as exc:
            context["rejected"] = exc
            if exc.marked:
                context["marked_href"] = f"data:{XLSX_MIME};base64,{base64.b64encode(exc.marked).decode()}"
                context["marked_name"] = _("错误标注-%(n)s") % {"n": form.cleaned_data["file"].name}
        else:
            messages.success(
                request,
                ngettext("已导入 %(n)d 条%(noun)s。", "已导入 %(n)d 条%(noun)s。", count)
                % {"n": count, "noun": noun},
            )
            return redirect(back_url)
    return render(request, "core/import.html", context)

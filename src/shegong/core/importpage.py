"""The import pages shared by the registries: the upload form, then one status page per job.

The upload page stores the file and returns at once with a redirect to the job's status page
(``shegong.core.importjobs`` runs the import); the status page polls with htmx and ends with the counts, or the
per-row error report and the marked file to download.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.excel import xlsx_response
from shegong.core.scoping import get_scoped_or_404

from . import importjobs
from .models import ImportJob

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


def import_page(request, *, kind: str, template_url: str, region_choices: list[tuple[str, str]]):
    """The upload page of a registered importer: ``region_choices`` are the areas the actor may import into."""
    spec = importjobs.importer_for(kind)
    request.actor.require(spec.permission)
    form = ImportForm(request.POST or None, request.FILES or None, region_choices=region_choices)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = importjobs.start(
            kind=kind,
            actor=request.actor,
            region_code=form.cleaned_data["region"],
            filename=upload.name,
            content=upload.read(),
        )
        return redirect("imports:status", pk=job.pk)
    context = {
        "form": form,
        "title": spec.title,
        "template_url": template_url,
        "back_url": reverse(spec.back_url),
    }
    return render(request, "core/import.html", context)


def _job(request, pk: int) -> tuple[ImportJob, importjobs.Importer]:
    job = get_scoped_or_404(ImportJob.objects.defer("content", "marked"), pk=pk)
    if job.user_id != request.user.pk:
        raise Http404  # an upload and its report are the uploader's own
    spec = importjobs.importer_for(job.kind)
    request.actor.require(spec.permission, job.region_code)
    return job, spec


@login_required
def import_status(request, pk: int):
    job, spec = _job(request, pk)
    if job.status == "rejected":
        job.has_marked = ImportJob.objects.filter(pk=job.pk, marked__isnull=False).exists()
    template = "core/_import_status.html" if request.htmx else "core/import_status.html"
    context = {
        "job": job,
        "title": spec.title,
        "noun": spec.noun,
        "upload_url": reverse(spec.upload_url),
        "back_url": reverse(spec.back_url),
    }
    return render(request, template, context)


@login_required
def import_marked(request, pk: int):
    job, _spec = _job(request, pk)
    marked = ImportJob.objects.filter(pk=job.pk).values_list("marked", flat=True).first()
    if not marked:
        raise Http404
    stem = job.filename.rsplit(".", 1)[0]
    return xlsx_response(_("%(name)s-错误标注.xlsx") % {"name": stem}, bytes(marked))

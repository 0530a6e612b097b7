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

from . import importjobs, rosters
from .models import ImportJob, ImportStatus

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("名册文件（.xlsx、.xls 或 .csv）"),
        help_text=gettext_lazy("可以直接上传民政部门下发的名册：上传后核对每列对应的字段，再确认导入"),
    )
    region = forms.ChoiceField(label=gettext_lazy("登记区划"))

    def __init__(self, *args, region_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请分批导入"))
        if not upload.name.lower().endswith(rosters.ACCEPTED_SUFFIXES):
            raise forms.ValidationError(_("请上传 .xlsx、.xls 或 .csv 格式的文件"))
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


def _sample(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return "" if value is None else str(value)


def _mapping_page(request, job: ImportJob, registered: importjobs.Importer):
    """The column-mapping step: the detected header, each column's field (a select), and the first rows as they
    will be stored. A change re-posts (htmx) and the preview follows; 确认导入 queues the import."""
    spec = importjobs.spec_of(job.kind)
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    layout = rosters.layout_of(
        spec,
        bytes(content),
        synonyms=rosters.synonyms_for(job.kind, job.region_code),
        user=request.user,
        kind=job.kind,
    )
    if layout is None:  # unreadable after all: let the import report why
        importjobs.confirm(job, actor=request.actor, header_row=1, mapping=[], check=False)
        return redirect("imports:status", pk=job.pk)
    keys = {c.key for c in spec.columns}
    mapping = layout.mapping
    problem = ""
    if request.method == "POST":
        mapping = [request.POST.get(f"col{i}", "") for i in range(len(layout.header))]
        mapping = [k if k in keys else "" for k in mapping]
        if request.POST.get("action") == "confirm":
            try:
                importjobs.confirm(job, actor=request.actor, header_row=layout.header_row, mapping=mapping)
            except ValueError as exc:
                problem = str(exc)
            else:
                return redirect("imports:status", pk=job.pk)
    else:
        problem = rosters.missing_fields(spec, mapping)
    samples = [
        [_sample(v) for v in raw]
        for raw in layout.rows[layout.header_row : layout.header_row + 6]
        if not rosters.is_footer(raw) and any(v not in (None, "") for v in raw)
    ][:3]
    columns = [
        {
            "index": i,
            "header": header,
            "key": mapping[i],
            "samples": [row[i] if i < len(row) else "" for row in samples],
        }
        for i, header in enumerate(layout.header)
    ]
    context = {
        "job": job,
        "title": registered.title,
        "upload_url": reverse(registered.upload_url),
        "back_url": reverse(registered.back_url),
        "layout": layout,
        "columns": columns,
        "fields": [(c.key, c.header, c.required) for c in spec.columns],
        "preview_columns": rosters.preview_columns(spec, mapping),
        "preview": rosters.preview(spec, layout, mapping),
        "problem": problem,
        "can_edit_words": request.actor.can("policy.change", job.region_code),
    }
    return render(request, "core/import_mapping.html", context)


@login_required
def import_status(request, pk: int):
    job, spec = _job(request, pk)
    if job.status == ImportStatus.MAPPING:
        return _mapping_page(request, job, spec)
    if request.method == "POST":
        return redirect("imports:status", pk=job.pk)
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

"""Pages of the audited export: the export itself (called by each app's thin view) and the second-person approval
of a large unmasked export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.excel import xlsx_response
from shegong.core.forms import apply_errors
from shegong.core.scoping import get_scoped_or_404

from . import exports
from .models import ExportJob, ExportRequest, ExportStatus


class ExportForm(forms.Form):
    reveal = forms.BooleanField(label=gettext_lazy("显示完整证件号和电话"), required=False)
    reason = forms.CharField(
        label=gettext_lazy("事由"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("导出完整证件号和电话须写明事由，本次导出将记入审计日志"),
    )


def export_options(request, spec: exports.ExportSpec) -> dict:
    """Context for the list page's export button (``core/_export.html``)."""
    return {
        "export_can_reveal": exports.can_reveal(request.actor, spec),
        "export_form": ExportForm(),
    }


@require_http_methods(["GET", "POST"])
def export_page(request, spec: exports.ExportSpec):
    """GET: the masked file. POST (the export form): masked, or plain with the reveal permission and a reason.
    A reveal asked for without the permission is 403; without a reason the form comes back with the error."""
    actor = request.actor
    actor.require(spec.permission)
    filters = spec.filters(request)
    if request.method == "GET":
        try:
            return _download(
                exports.run_export(actor=actor, spec=spec, filters=filters, request=request, background=True)
            )
        except exports.ExportQueued as queued:
            return redirect("exports:job", pk=queued.job.pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _form_page(request, spec, form)
    reveal = form.cleaned_data["reveal"]
    if reveal and not exports.can_reveal(actor, spec):
        raise PermissionDenied(spec.reveal_permission or "reveal")
    try:
        export = exports.run_export(
            actor=actor,
            spec=spec,
            filters=filters,
            reveal=reveal,
            reason=form.cleaned_data["reason"],
            request=request,
            background=True,
        )
    except exports.ExportQueued as queued:
        return redirect("exports:job", pk=queued.job.pk)
    except ValidationError as error:
        apply_errors(form, error)
        return _form_page(request, spec, form)
    except exports.ApprovalRequired as pending:
        messages.info(
            request,
            _("导出 %(rows)s 行完整证件号和电话须经另一位有权限的人员审批；批准后可下载一次。")
            % {"rows": pending.export_request.row_count},
        )
        return redirect("exports:detail", pk=pending.export_request.pk)
    return _download(export)


def _download(export: exports.Export):
    return xlsx_response(export.filename, export.content)


def _form_page(request, spec, form):
    context = {
        "spec": spec,
        "export_form": form,
        "export_can_reveal": exports.can_reveal(request.actor, spec),
    }
    return render(request, "core/export_form.html", context)


@login_required
def request_list(request):
    actor = request.actor
    user_id = getattr(actor.user, "pk", None)
    mine = ExportRequest.objects.filter(requested_by_id=user_id).select_related("approved_by")[:50]
    pending = [
        r
        for r in ExportRequest.objects.filter(status=ExportStatus.PENDING)
        .exclude(requested_by_id=user_id)
        .select_related("requested_by")[:200]
        if exports.may_approve(actor, r)
    ]
    return render(request, "core/export_requests.html", {"mine": mine, "pending": pending})


def _fetch(request, pk: int) -> ExportRequest:
    """Visible to its requester and to those who could approve it; to anyone else it does not exist."""
    export_request = get_scoped_or_404(
        ExportRequest.objects.select_related("requested_by", "approved_by"), pk=pk
    )
    actor = request.actor
    if export_request.requested_by_id != getattr(actor.user, "pk", None) and not actor.can(
        export_request.permission, export_request.region_code
    ):
        raise Http404
    return export_request


@login_required
def request_detail(request, pk: int):
    export_request = _fetch(request, pk)
    context = {
        "export_request": export_request,
        "can_approve": exports.may_approve(request.actor, export_request),
        "can_download": export_request.status == ExportStatus.APPROVED
        and export_request.requested_by_id == request.user.pk,
    }
    return render(request, "core/export_request.html", context)


@login_required
@require_POST
def request_approve(request, pk: int):
    export_request = _fetch(request, pk)
    try:
        exports.export_request_approve(actor=request.actor, export_request=export_request, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已批准；申请人可下载一次。"))
    return redirect("exports:detail", pk=pk)


@login_required
@require_POST
def request_download(request, pk: int):
    export_request = _fetch(request, pk)
    try:
        export = exports.export_request_download(
            actor=request.actor, export_request=export_request, request=request, background=True
        )
    except exports.ExportQueued as queued:
        return redirect("exports:job", pk=queued.job.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:detail", pk=pk)
    return _download(export)


def _job(request, pk: int) -> ExportJob:
    """A background export and its file are its requester's own: to anyone else it does not exist."""
    job = get_scoped_or_404(ExportJob.objects.defer("content"), pk=pk)
    if job.requested_by_id != getattr(request.actor.user, "pk", None):
        raise Http404
    return job


@login_required
def job_status(request, pk: int):
    """The job's progress while the task writes the file (polled every second), then its download button."""
    job = _job(request, pk)
    template = "core/_export_job.html" if request.htmx else "core/export_job.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_download(request, pk: int):
    job = _job(request, pk)
    try:
        export = exports.export_job_download(actor=request.actor, job=job, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:job", pk=pk)
    return _download(export)

"""Helpers the people pages share: exports, reveals and return addresses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.audit.services import record
from shegong.core.excel import build_workbook, xlsx_response

from .. import services
from ..forms import (
    RevealForm,
)


def _export(request, *, filename: str, headers: list[str], rows: list, object_type: str, filters: dict):
    record(
        "export",
        actor=request.actor,
        object_type=object_type,
        request=request,
        region_code=request.actor.home_region_code,
        changes={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    return xlsx_response(
        f"{filename}-{timezone.localdate():%Y%m%d}.xlsx", build_workbook(filename, headers, rows)
    )


def _reveal(request, obj, permission: str, back: str):
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            value = services.reveal(actor=request.actor, obj=obj, permission=permission, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            label = dict(form.fields["field"].choices)[form.cleaned_data["field"]]
            messages.info(
                request, _("%(label)s：%(value)s（本次查看已记录）") % {"label": label, "value": value}
            )
    else:
        messages.error(request, _("请填写查看事由。"))
    return redirect(back)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default

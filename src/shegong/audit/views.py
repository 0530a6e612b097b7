from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy

from shegong.core.export_views import export_page
from shegong.core.exports import Column, ExportSpec, register

from .selectors import changed_fields, events_for


def _filters(request) -> dict:
    return {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "date_from": parse_date(request.GET.get("date_from", "") or ""),
        "date_to": parse_date(request.GET.get("date_to", "") or ""),
        "q": request.GET.get("q", "").strip(),
    }


def _filtered(request):
    actor = request.actor
    actor.require("audit.view")
    filters = _filters(request)
    return events_for(actor.regions_with("audit.view"), **filters), filters


@login_required
def event_list(request):
    queryset, filters = _filtered(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    template = "audit/_table.html" if request.htmx else "audit/list.html"
    return render(request, template, {"page": page, "filters": filters, "query": request.GET.urlencode()})


AUDIT_EXPORT = register(
    ExportSpec(
        key="audit.auditevent",
        title=gettext_lazy("审计日志"),
        permission="audit.view",
        filters=_filters,
        rows=lambda filters, actor: events_for(actor.regions_with("audit.view"), **filters),
        columns=[
            Column(gettext_lazy("序号"), lambda e: e.seq),
            Column(gettext_lazy("时间"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
            Column(gettext_lazy("操作人"), lambda e: e.actor_name),
            Column(gettext_lazy("动作"), lambda e: e.action),
            Column(gettext_lazy("对象类型"), lambda e: e.object_type),
            Column(gettext_lazy("对象编号"), lambda e: e.object_id),
            Column(gettext_lazy("区划"), lambda e: e.region_code),
            Column(gettext_lazy("来源地址"), lambda e: e.ip),
            # The audit admin sees who did what to which record, not the person's data: field names only.
            Column(gettext_lazy("变更字段"), lambda e: changed_fields(e.changes)),
        ],
        # Entries carry no region of their own to check a reveal against; there is nothing to reveal.
        region_of=lambda e: None,
    )
)


@login_required
def event_export(request):
    return export_page(request, AUDIT_EXPORT)

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy

from shegong.core.export_views import export_page
from shegong.core.exports import Column, ExportSpec, register

from .actions import action_choices
from .selectors import events_for, readable, region_choices

EXPORT_LIMIT = 50000


def _filters(request) -> dict:
    return {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "region": request.GET.get("region", "").strip(),
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
    context = {
        "page": page,
        "entries": readable(page.object_list),
        "filters": filters,
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "audit/_table.html", context)
    context["action_choices"] = action_choices()
    context["region_choices"] = region_choices(request.actor.regions_with("audit.view"))
    return render(request, "audit/list.html", context)


def _export_rows(filters: dict, actor) -> list:
    # In words, like the page; the limit is applied here because the rows are no longer a queryset.
    return readable(events_for(actor.regions_with("audit.view"), **filters)[:EXPORT_LIMIT])


AUDIT_EXPORT = register(
    ExportSpec(
        key="audit.auditevent",
        title=gettext_lazy("审计日志"),
        permission="audit.view",
        filters=_filters,
        rows=_export_rows,
        limit=EXPORT_LIMIT,
        columns=[
            Column(gettext_lazy("序号"), lambda e: e.seq),
            Column(gettext_lazy("时间"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
            Column(gettext_lazy("操作人"), lambda e: e.actor),
            Column(gettext_lazy("动作"), lambda e: e.action),
            Column(gettext_lazy("对象类型"), lambda e: e.object_type),
            Column(gettext_lazy("对象编号"), lambda e: e.object_id),
            Column(gettext_lazy("区划"), lambda e: e.region),
            Column(gettext_lazy("区划代码"), lambda e: e.region_code),
            Column(gettext_lazy("来源地址"), lambda e: e.ip),
            Column(gettext_lazy("客户端"), lambda e: e.user_agent),
            # The audit admin sees who did what to which record, not the person's data: field names only.
            Column(gettext_lazy("变更字段"), lambda e: e.changed),
        ],
        # Entries carry no region of their own to check a reveal against; there is nothing to reveal.
        region_of=lambda e: None,
    )
)


@login_required
def event_export(request):
    return export_page(request, AUDIT_EXPORT)

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from shegong.core.excel import build_workbook, xlsx_response

from .selectors import changed_fields, events_for
from .services import record


def _filtered(request):
    actor = request.actor
    actor.require("audit.view")
    filters = {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "date_from": parse_date(request.GET.get("date_from", "") or ""),
        "date_to": parse_date(request.GET.get("date_to", "") or ""),
        "q": request.GET.get("q", "").strip(),
    }
    return events_for(actor.regions_with("audit.view"), **filters), filters


@login_required
def event_list(request):
    queryset, filters = _filtered(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    template = "audit/_table.html" if request.htmx else "audit/list.html"
    return render(request, template, {"page": page, "filters": filters, "query": request.GET.urlencode()})


@login_required
def event_export(request):
    queryset, filters = _filtered(request)
    rows = [
        (
            e.seq,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.action,
            e.object_type,
            e.object_id,
            e.region_code,
            e.ip,
            changed_fields(e.changes),
        )
        for e in queryset[:50000]
    ]
    content = build_workbook(
        "audit",
        [
            "序号",
            "时间",
            "操作人",
            "动作",
            "对象类型",
            "对象编号",
            "区划",
            "来源地址",
            "变更字段",
        ],
        rows,
    )
    record(
        "export",
        actor=request.actor,
        object_type="audit.auditevent",
        request=request,
        region_code=request.actor.home_region_code,
        changes={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    return xlsx_response(f"审计日志-{timezone.localdate():%Y%m%d}.xlsx", content)

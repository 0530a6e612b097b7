"""A report as one spreadsheet (``core.excel``): the same figures its page shows."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Report, ReportKind


def workbook_rows(report: Report) -> tuple[str, list[str], list[list[object]]]:
    c = report.content
    title = f"{report.get_kind_display()} {report.period_label}"
    if report.kind == ReportKind.WEEKLY:
        title = f"{c.get('station', '')} {title}"
        rows = [[_(f["label"]), f["value"]] for f in c.get("figures", [])]
        visit = c.get("visit_month", {})
        rows.append(
            [
                _("本月应访 / 已访 / 探访率（%）"),
                f"{visit.get('due')} / {visit.get('visited')} / {visit.get('rate') or '—'}",
            ]
        )
        if report.remarks:
            rows.append([_("情况说明"), report.remarks])
        return title, [_("指标"), _("数值")], rows
    if report.kind == ReportKind.MONTHLY:
        metrics = c.get("metrics", [])
        headers = [_("名次"), _("社工站"), _("探访率（%）")] + [_(m["label"]) for m in metrics] + [_("红旗")]
        rows = [
            [r["rank"], r["name"], r["visit_rate"] or "—"]
            + [r["values"].get(m["key"], "0") for m in metrics]
            + [_("是") if r["red_flag"] else ""]
            for r in c.get("rows", [])
        ]
        return f"{c.get('district', '')} {title}", headers, rows
    rows = [[_(f["label"]), f["quarter"], f["year"]] for f in c.get("figures", [])]
    for project in c.get("projects", []):
        for t in project["targets"]:
            rows.append(
                [
                    f"{project['name']} · {t['indicator']}",
                    t["actual"],
                    f"{t['quantity']}（{_('应完成')} {t['expected']}）",
                ]
            )
    return f"{c.get('district', '')} {title}", [_("指标"), _("本季度"), _("本年累计 / 目标")], rows

"""The public three-affairs pages (/public/disclosure/): no login, no personal data, every region.

They read published releases only (frozen content, written without personal data) and the public facts of the
projects they belong to; the read across regions is deliberate and says so.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.excel import build_workbook, xlsx_response
from shegong.core.scoping import across_regions

from . import disclosure
from .models import Release


def release_list(request):
    with across_regions(
        "the three-affairs disclosure is public in every region (no personal data in a release)"
    ):
        releases = Release.objects.select_related("project", "project__operator").order_by(
            "-month", "project__code", "-version"
        )
        q = request.GET.get("q", "").strip()
        if q:
            releases = releases.filter(project__name__contains=q) | releases.filter(project__code__contains=q)
        page = Paginator(releases, 50).get_page(request.GET.get("page"))
        items = list(page.object_list)
    return render(
        request,
        "projects/public_list.html",
        {"page": page, "items": items, "q": q, "next_due": disclosure.next_due(timezone.localdate())},
    )


def _release(pk) -> Release:
    with across_regions(
        "the three-affairs disclosure is public in every region (no personal data in a release)"
    ):
        try:
            return Release.objects.select_related("project").get(pk=pk)
        except (Release.DoesNotExist, ValueError, OverflowError):
            raise Http404 from None


def release_detail(request, pk):
    release = _release(pk)
    with across_regions(
        "the three-affairs disclosure is public in every region (no personal data in a release)"
    ):
        versions = list(
            Release.objects.filter(project_id=release.project_id, month=release.month).order_by("version")
        )
        history = list(
            Release.objects.filter(project_id=release.project_id, version=1)
            .order_by("-month")
            .values("pk", "month")
        )
    return render(
        request,
        "projects/public_detail.html",
        {"release": release, "c": release.content, "versions": versions, "history": history},
    )


def release_json(request, pk):
    release = _release(pk)
    response = JsonResponse(disclosure.ocds(release), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'inline; filename="release-{release.pk}.json"'
    return response


def release_xlsx(request, pk):
    release = _release(pk)
    c = release.content
    rows = [[_("项目"), c["project"]["code"], c["project"]["name"], ""], [_("月份"), c["month"], "", ""]]
    rows += [[_("指标"), t["label"], t["target"], t["actual"] or ""] for t in c["execution"]["targets"]]
    rows += [[_("预算科目"), line["label"], line["budget"], line["spent"]] for line in c["finances"]["lines"]]
    rows += [
        [_("待审核支出"), line["label"], line.get("pending", "0.00"), ""]
        for line in c["finances"]["lines"]
        if line.get("pending", "0.00") != "0.00"
    ]
    rows += [[_("拨款"), p["milestone"], p["amount"], p["date"]] for p in c["finances"]["payments"]]
    rows += [[_("资金追回"), cb["reason"], cb["amount"], cb["date"]] for cb in c["finances"]["clawbacks"]]
    a = c["affairs"]
    rows += [[_("在岗人员"), a["staff_in_post"], _("已备案"), a["staff_filed"]]]
    rows += [
        [
            _("人员变动"),
            ch["role_label"],
            _("进入项目") if ch["change"] == "joined" else _("离开项目"),
            ch["date"],
        ]
        for ch in a.get("changes", [])
    ]
    filings = a.get("filings")
    if filings:
        rows += [
            [_("报备"), _("本月报备"), filings["submitted_in_month"], ""],
            [_("报备"), _("本月确认备案"), filings["confirmed_in_month"], ""],
            [_("报备"), _("在岗未备案"), filings["unfiled_in_post"], ""],
            [_("离职"), _("本月提出离职"), a.get("notices_in_month", 0), ""],
        ]
    rows += [
        [_("违反离职规定"), b["role_label"], "、".join(b["rule_labels"]), b["date"]]
        for b in a.get("breaches", [])
    ]
    if release.correction_note:
        rows += [[_("更正说明"), release.correction_note, "", ""]]
    content = build_workbook(_("三务公开"), [_("类别"), _("项目"), _("数值"), _("实际/日期")], rows)
    return xlsx_response(f"disclosure-{c['project']['code']}-{c['month']}-v{release.version}.xlsx", content)

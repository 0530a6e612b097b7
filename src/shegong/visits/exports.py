"""The overdue list and the unvisited people behind a month's visit rate as audited exports (shegong.core.exports),
masked unless revealed with a reason."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shegong.core.exports import Column, ExportSpec, choice_label, register, sealed_value
from shegong.core.masking import mask_id_number, mask_phone
from shegong.recipients.models import Recipient
from shegong.recipients.selectors import unvisited

from . import selectors


def _overdue_filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.OVERDUE_FILTERS}


def _overdue_rows(filters: dict, actor):
    now = timezone.now()
    return selectors.work_items(
        selectors.overdue_recipients(**filters, now=now).only(*selectors.WORK_FIELDS, "phone")[:50000], now
    )


def _lateness(item) -> str:
    parts = []
    if item.hours_late is not None:
        parts.append(str(_("重大变故探访已逾期 %(n)s 小时")) % {"n": item.hours_late})
    if item.days_late:
        parts.append(ngettext("逾期 %(n)s 天", "逾期 %(n)s 天", item.days_late) % {"n": item.days_late})
    return "；".join(parts)


OVERDUE_EXPORT = register(
    ExportSpec(
        key="visits.overdue",
        title=_("逾期未访名单"),
        permission="recipients.export",
        reveal_permission="recipients.reveal",
        filters=_overdue_filters,
        rows=_overdue_rows,
        region_of=lambda item: item.recipient.region_code,
        columns=[
            Column(_("姓名"), lambda i: i.recipient.name),
            Column(_("联系电话"), lambda i: i.recipient.phone, mask_phone),
            Column(_("村（社区）"), lambda i: i.recipient.region.name),
            Column(_("区划代码"), lambda i: i.recipient.region_code),
            Column(_("风险等级"), lambda i: i.recipient.get_risk_tier_display()),
            Column(_("责任社工"), lambda i: i.recipient.worker.name if i.recipient.worker else ""),
            Column(_("应访日期"), lambda i: i.due_on),
            Column(
                _("重大变故应访时限"),
                lambda i: (
                    timezone.localtime(i.event_due_at).strftime("%Y-%m-%d %H:%M") if i.event_due_at else ""
                ),
            ),
            Column(_("逾期情况"), _lateness),
            Column(_("已上报站长"), lambda i: str(_("是")) if i.escalated else ""),
        ],
    )
)


def month_of(raw: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return None


def _unvisited_filters(request) -> dict[str, str]:
    return {"region": request.GET.get("region", "").strip(), "month": request.GET.get("month", "").strip()}


def _unvisited_rows(filters: dict, actor):
    month = month_of(filters.get("month", ""))
    region = filters.get("region", "")
    if month is None or not (region.isdigit() and len(region) == 12):
        return []
    return unvisited(under=region, month=month)


_risk = choice_label(Recipient, "risk_tier")

UNVISITED_EXPORT = register(
    ExportSpec(
        key="visits.unvisited",
        title=_("当月未访名单"),
        permission="recipients.export",
        reveal_permission="recipients.reveal",
        filters=_unvisited_filters,
        rows=_unvisited_rows,
        # Named tuples of the written values: a whole district's unvisited people without a model per row.
        values=(
            "uid",
            "region_code",
            "name",
            "id_number",
            "phone",
            "region__name",
            "risk_tier",
            "worker__name",
            "last_visit_at",
        ),
        columns=[
            Column(_("姓名"), lambda r: r.name),
            Column(_("身份证号"), sealed_value(Recipient, "id_number"), mask_id_number),
            Column(_("联系电话"), sealed_value(Recipient, "phone"), mask_phone),
            Column(_("村（社区）"), lambda r: r.region__name),
            Column(_("区划代码"), lambda r: r.region_code),
            Column(_("风险等级"), lambda r: _risk(r.risk_tier)),
            Column(_("责任社工"), lambda r: r.worker__name or ""),
            Column(
                _("上次探访"), lambda r: timezone.localtime(r.last_visit_at).date() if r.last_visit_at else ""
            ),
        ],
    )
)

"""The case list as an audited export (shegong.core.exports): stage and dates only — never the case notes."""

from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register
from shegong.core.masking import mask_id_number

from . import selectors


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}


def _rows(filters: dict, actor):
    return selectors.cases(**filters)


CASE_EXPORT = register(
    ExportSpec(
        key="cases.list",
        title=_("个案名单"),
        permission="cases.export",
        reveal_permission="recipients.reveal",
        filters=_filters,
        rows=_rows,
        select_related=("recipient", "worker", "station"),
        region_of=lambda c: c.region_code,
        columns=[
            Column(_("个案编号"), lambda c: c.number),
            Column(_("服务对象"), lambda c: c.person_name),
            Column(_("身份证号"), lambda c: c.recipient.id_number if c.recipient_id else "", mask_id_number),
            Column(_("社工站"), lambda c: c.station.name),
            Column(_("主责社工"), lambda c: c.worker.name if c.worker_id else ""),
            Column(_("阶段"), lambda c: c.get_stage_display()),
            Column(_("个案来源"), lambda c: c.get_source_display()),
            Column(_("接案日期"), lambda c: c.opened_on),
            Column(_("预估日期"), lambda c: c.assessed_on or ""),
            Column(_("计划状态"), lambda c: c.get_plan_status_display() if c.plan_status else ""),
            Column(_("计划批准日期"), lambda c: c.plan_approved_on or ""),
            Column(_("结束日期"), lambda c: c.ended_on or ""),
        ],
    )
)

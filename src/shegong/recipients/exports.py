"""The recipient register as an audited export (shegong.core.exports)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.text import join_list

from . import selectors


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}


def _rows(filters: dict, actor):
    return selectors.recipients(**filters).prefetch_related("memberships__category")


def _categories(r) -> str:
    return join_list([m.category.name for m in r.memberships.all() if m.is_current()])


RECIPIENT_EXPORT = register(
    ExportSpec(
        key="recipients.recipient",
        title=_("服务对象名册"),
        permission="recipients.export",
        reveal_permission="recipients.reveal",
        filters=_filters,
        rows=_rows,
        columns=[
            Column(_("姓名"), lambda r: r.name),
            Column(_("身份证号"), lambda r: r.id_number, mask_id_number),
            Column(_("联系电话"), lambda r: r.phone, mask_phone),
            Column(_("村（社区）"), lambda r: r.region.name),
            Column(_("区划代码"), lambda r: r.region_id),
            Column(_("居住地址"), lambda r: r.address),
            Column(_("对象类别"), _categories),
            Column(_("风险等级"), lambda r: r.get_risk_tier_display()),
            Column(_("状态"), lambda r: r.get_status_display()),
            Column(_("责任社工"), lambda r: r.worker.name if r.worker else ""),
            Column(_("下次应访日期"), lambda r: r.next_due_on or ""),
        ],
    )
)

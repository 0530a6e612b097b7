"""The activity list as an audited export (shegong.core.exports): activities hold no personal data in the list
(named participants stay on the activity's page)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register

from . import selectors


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}


ACTIVITIES_EXPORT = register(
    ExportSpec(
        key="activities.activity",
        title=_("社区活动"),
        permission="activities.view",
        filters=_filters,
        rows=lambda filters, actor: selectors.activities(**filters),
        select_related=("node",),
        columns=[
            Column(_("活动名称"), lambda a: a.title),
            Column(_("类型"), lambda a: a.get_kind_display()),
            Column(_("活动日期"), lambda a: a.held_on),
            Column(_("开始时间"), lambda a: a.starts_at.strftime("%H:%M") if a.starts_at else ""),
            Column(_("举办阵地"), lambda a: a.node.name),
            Column(_("区划代码"), lambda a: a.region_code),
            Column(_("地点"), lambda a: a.place),
            Column(_("参与人数"), lambda a: a.participants),
            Column(_("志愿者人数"), lambda a: a.volunteer_count),
            Column(_("活动成效"), lambda a: a.outcome),
        ],
    )
)

"""The group list as an audited export (shegong.core.exports); a group's list holds no personal data."""

from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register

from . import selectors


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.LIST_FILTERS}


GROUPS_EXPORT = register(
    ExportSpec(
        key="groups.group",
        title=_("小组名单"),
        permission="groups.view",
        filters=_filters,
        rows=lambda filters, actor: selectors.groups(**filters),
        select_related=("node", "leader"),
        columns=[
            Column(_("小组名称"), lambda g: g.name),
            Column(_("小组类型"), lambda g: g.get_kind_display()),
            Column(_("阶段"), lambda g: g.get_stage_display()),
            Column(_("所属阵地"), lambda g: g.node.name),
            Column(_("区划代码"), lambda g: g.region_code),
            Column(_("带领社工"), lambda g: g.leader.name),
            Column(_("开始日期"), lambda g: g.starts_on),
            Column(_("计划节数"), lambda g: g.planned_sessions),
            Column(_("已开展节数"), lambda g: g.session_count),
            Column(_("在组成员"), lambda g: g.member_count),
            Column(_("小组目标"), lambda g: g.purpose),
        ],
    )
)

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .hooks import Hook

# A number shown beside a menu entry (what waits for the user there): a higher app registers
# ``contributor(actor) -> {url name: count}``, asked only for the entries the actor's menu shows.
NAV_BADGES = Hook("nav_badges")

# The roles whose work is the service system as a whole (they use the region and organisation registers).
_MANAGERS = frozenset({"official", "township", "operator", "supervisor", "evaluator"})

# (label, url name, permission that shows it, roles that use it — None: every role holding the permission)
NAVIGATION = [
    (_("首页"), "dashboards:home", "dashboard.view", None),
    (_("本站工作"), "dashboards:station", "recipients.view", frozenset({"township"})),
    (_("我的待访"), "visits:worklist", "visits.record", frozenset({"worker"})),
    (_("外勤离线版"), "visits:field_app", "visits.record", frozenset({"worker"})),
    (_("离线修改冲突"), "visits:conflicts", "recipients.view", frozenset({"worker", "township"})),
    (pgettext_lazy("menu", "服务对象"), "recipients:list", "recipients.view", None),
    (pgettext_lazy("menu", "个案"), "cases:list", "cases.view", None),
    (
        pgettext_lazy("menu", "逾期未访"),
        "visits:overdue",
        "recipients.view",
        frozenset({"official", "township", "operator"}),
    ),
    (
        pgettext_lazy("menu", "小组工作"),
        "groups:list",
        "groups.view",
        frozenset({"township", "operator", "worker"}),
    ),
    (pgettext_lazy("menu", "社区活动"), "activities:list", "activities.view", None),
    (_("派单台"), "demands:board", "demands.dispatch", None),
    (_("我的派单"), "demands:mine", "demands.handle", frozenset({"worker", "operator"})),
    (pgettext_lazy("menu", "需求清单"), "demands:demand_list", "demands.view", _MANAGERS),
    (pgettext_lazy("menu", "探访率"), "dashboards:visit_rate", "dashboard.view", _MANAGERS),
    (pgettext_lazy("menu", "行政区划"), "regions:browse", "regions.view", _MANAGERS),
    (pgettext_lazy("menu", "服务阵地"), "network:list", "network.view", _MANAGERS),
    (pgettext_lazy("menu", "社工"), "people:workers", "people.view", None),
    (pgettext_lazy("menu", "志愿者"), "people:volunteers", "volunteers.view", None),
    (_("时长确认"), "people:hours", "hours.confirm", frozenset({"worker", "township"})),
    (_("我的时长"), "people:my_hours", "hours.log", None),
    (pgettext_lazy("menu", "督导培训"), "supervision:sessions", "supervision.view", _MANAGERS | {"worker"}),
    (pgettext_lazy("menu", "社会组织"), "orgs:list", "orgs.view", _MANAGERS),
    (pgettext_lazy("menu", "购买服务项目"), "projects:list", "projects.view", _MANAGERS),
    (
        pgettext_lazy("menu", "慈善资源"),
        "charity:funds",
        "charity.view",
        frozenset({"official", "township", "operator"}),
    ),
    (pgettext_lazy("menu", "评估与竞赛"), "evaluation:home", "evaluation.view", _MANAGERS),
    (pgettext_lazy("menu", "诚信检查"), "integrity:home", "integrity.view", None),
    (pgettext_lazy("menu", "报送与通报"), "reports:list", "reports.view", None),
    (_("审计日志"), "audit:list", "audit.view", None),
    (_("账号管理"), "accounts:users", "accounts.manage", None),
    (_("系统设置"), "admin:index", "system.settings", None),
]


# A long menu is grouped: the daily work stays in the bar, the rest folds into a few named menus. An entry not
# listed here goes by its URL namespace, and failing that into the oversight group.
_WORK, _SERVICES, _NETWORK, _OVERSIGHT, _SYSTEM = "work", "services", "network", "oversight", "system"
GROUP_LABELS = {
    _SERVICES: pgettext_lazy("menu", "服务"),
    _NETWORK: pgettext_lazy("menu", "阵地与人员"),
    _OVERSIGHT: pgettext_lazy("menu", "项目与监督"),
    _SYSTEM: pgettext_lazy("menu", "系统"),
}
GROUP_OF = {
    "dashboards:home": _WORK,
    "dashboards:station": _WORK,
    "visits:worklist": _WORK,
    "visits:field_app": _SERVICES,
    "visits:conflicts": _SERVICES,
    "demands:board": _WORK,
    "demands:mine": _WORK,
    "people:hours": _WORK,
    "people:my_hours": _WORK,
    "visits:overdue": _SERVICES,
    "demands:demand_list": _SERVICES,
    "dashboards:visit_rate": _OVERSIGHT,
    "people:workers": _NETWORK,
    "people:volunteers": _NETWORK,
}
GROUP_OF_NAMESPACE = {
    "recipients": _SERVICES,
    "cases": _SERVICES,
    "groups": _SERVICES,
    "activities": _SERVICES,
    "regions": _NETWORK,
    "network": _NETWORK,
    "orgs": _NETWORK,
    "audit": _SYSTEM,
    "accounts": _SYSTEM,
    "admin": _SYSTEM,
}
# Up to this many entries the bar shows them all flat.
FLAT_MENU_MAX = 8


def group_of(name: str) -> str:
    return GROUP_OF.get(name) or GROUP_OF_NAMESPACE.get(name.split(":", 1)[0], _OVERSIGHT)


def menu(items: list[dict]) -> list[dict]:
    """The bar's entries: each a link (``item``) or a named menu of links (``label``, ``items``, ``active``,
    ``badge``). A group of one is shown as its link."""
    if len(items) <= FLAT_MENU_MAX:
        return [{"item": item} for item in items]
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        key = group_of(item["name"])
        if key == _WORK:
            entries.append({"item": item})
            continue
        if key not in groups:
            groups[key] = {"key": key, "label": GROUP_LABELS[key], "items": []}
            entries.append(groups[key])
        groups[key]["items"].append(item)
    shaped = []
    for entry in entries:
        if "items" in entry and len(entry["items"]) == 1:
            entry = {"item": entry["items"][0]}
        if "items" in entry:
            entry["active"] = any(i["active"] for i in entry["items"])
            entry["badge"] = sum(i.get("badge", 0) for i in entry["items"])
        shaped.append(entry)
    return shaped


def shell(request):
    actor = getattr(request, "actor", None)
    items = []
    # Before its second factor a session reaches only the factor pages and logout (accounts' ActorMiddleware):
    # the menus offer nothing it could not open, and do not tell what the account will be able to do.
    factor_pending = bool(getattr(request, "second_factor_pending", False))
    if actor is not None and actor.is_authenticated and not factor_pending:
        current = request.path
        roles = actor.roles
        for label, name, permission, users in NAVIGATION:
            try:
                url = reverse(name)
            except NoReverseMatch:  # a section whose pages are not installed is not shown
                continue
            if actor.can(permission) and (users is None or users & roles):
                items.append(
                    {
                        "name": name,
                        "label": label,
                        "url": url,
                        "active": current.startswith(url) and url != "/" or current == url,
                    }
                )
        shown = {item["name"] for item in items}
        for counts in NAV_BADGES.results(actor, shown):
            for item in items:
                if counts.get(item["name"]):
                    item["badge"] = counts[item["name"]]
    return {
        "nav_items": items,
        "nav_menu": menu(items),
        "nav_badge_total": sum(item.get("badge", 0) for item in items),
        "actor": actor,
        "factor_pending": factor_pending,
    }

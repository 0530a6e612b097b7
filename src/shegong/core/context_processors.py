from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, url name, permission that shows it)
NAVIGATION = [
    (_("首页"), "dashboards:home", "dashboard.view"),
    (_("行政区划"), "regions:browse", "regions.view"),
    (_("服务阵地"), "network:list", "network.view"),
    (_("服务对象"), "recipients:list", "recipients.view"),
    (_("我的待访"), "visits:worklist", "visits.record"),
    (_("探访率"), "dashboards:visit_rate", "dashboard.view"),
    (_("社工"), "people:workers", "people.view"),
    (_("志愿者"), "people:volunteers", "volunteers.view"),
    (_("我的时长"), "people:my_hours", "hours.log"),
    (_("社会组织"), "orgs:list", "orgs.view"),
    (_("审计日志"), "audit:list", "audit.view"),
    (_("账号管理"), "accounts:users", "accounts.manage"),
    (_("系统设置"), "admin:index", "system.settings"),
]


def shell(request):
    actor = getattr(request, "actor", None)
    items = []
    # Before its second factor a session reaches only the factor pages and logout (accounts' ActorMiddleware):
    # the menus offer nothing it could not open, and do not tell what the account will be able to do.
    factor_pending = bool(getattr(request, "second_factor_pending", False))
    if actor is not None and actor.is_authenticated and not factor_pending:
        current = request.path
        for label, name, permission in NAVIGATION:
            try:
                url = reverse(name)
            except NoReverseMatch:  # a section whose pages are not installed is not shown
                continue
            if actor.can(permission):
                items.append(
                    {
                        "label": label,
                        "url": url,
                        "active": current.startswith(url) and url != "/" or current == url,
                    }
                )
    return {"nav_items": items, "actor": actor, "factor_pending": factor_pending}

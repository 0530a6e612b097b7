"""Django admin is for system administrators only, and only for system settings (no business data)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


def _is_system_admin(request) -> bool:
    actor = getattr(request, "actor", None)
    return bool(request.user.is_active and actor is not None and actor.can("system.settings"))


admin.site.has_permission = _is_system_admin
admin.site.site_header = _("shegong 系统设置")
admin.site.site_title = "shegong"


class SystemSettingsAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _is_system_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_add_permission(self, request):
        return _is_system_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_system_admin(request)

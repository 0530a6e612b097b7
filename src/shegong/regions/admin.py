from django.contrib import admin

from shegong.core.admin import SystemSettingsAdmin

from .models import RegionStandard


@admin.register(RegionStandard)
class RegionStandardAdmin(SystemSettingsAdmin):
    list_display = ["region", "station_min_fulltime", "station_min_certified"]
    raw_id_fields = ["region"]

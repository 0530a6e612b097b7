from . import Endpoint

ENDPOINTS = [
    Endpoint("core:home", "list", lambda w: "/"),
    Endpoint("core:home#region", "detail", lambda w: f"/?region={w.regions['town_a'].code}"),
    Endpoint("set_language", "open"),
    Endpoint("accounts:login", "open"),
    Endpoint("accounts:logout", "open"),
    Endpoint("accounts:password_change", "open"),
    Endpoint("accounts:otp_setup", "open"),
    Endpoint("accounts:otp", "open"),
    Endpoint("audit:list", "list", lambda w: "/audit/"),
    Endpoint("audit:export", "list", lambda w: "/audit/export/"),
    Endpoint("regions:browse", "list", lambda w: "/regions/?q=街道"),
    Endpoint("regions:detail", "detail", lambda w: f"/regions/{w.regions['town_a'].code}/"),
    Endpoint("shegong_regions_api_list_regions", "list", lambda w: f"/api/v1/regions?parent={w.regions['district'].code}",
             api=True),
    Endpoint("shegong_regions_api_get_region", "detail", lambda w: f"/api/v1/regions/{w.regions['town_a'].code}",
             api=True),
    Endpoint("shegong_regions_api_get_coverage", "detail",
             lambda w: f"/api/v1/regions/{w.regions['town_a'].code}/coverage", api=True),
]


def extend(world):
    from shegong.audit.services import record

    record("test.marker", actor=world.user_a, obj=world.station_a, reason="MARKERA-audit")

from . import Endpoint

ENDPOINTS = [
    Endpoint("dashboards:region", "detail", lambda w: f"/dashboards/{w.regions['town_a'].code}/"),
    Endpoint("dashboards:region#district", "detail", lambda w: f"/dashboards/{w.regions['district'].code}/"),
    Endpoint("dashboards:screen", "detail", lambda w: f"/dashboards/{w.regions['town_a'].code}/screen/"),
    Endpoint("dashboards:data", "detail", lambda w: f"/dashboards/{w.regions['town_a'].code}/data/"),
    Endpoint("dashboards:station_dashboard", "detail", lambda w: f"/dashboards/station/{w.station_a.pk}/"),
    Endpoint(
        "shegong_dashboards_api_get_dashboard",
        "detail",
        lambda w: f"/api/v1/dashboards/township/{w.regions['town_a'].code}",
        api=True,
    ),
    Endpoint(
        "shegong_dashboards_api_get_dashboard#station",
        "detail",
        lambda w: f"/api/v1/dashboards/station/{w.station_a.pk}",
        api=True,
    ),
]

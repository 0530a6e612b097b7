from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from shegong.api import api

urlpatterns = [
    path("", include("shegong.dashboards.urls")),
    path("accounts/", include("shegong.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("regions/", include("shegong.regions.urls")),
    path("network/", include("shegong.network.urls")),
    path("audit/", include("shegong.audit.urls")),
    path("exports/", include("shegong.core.urls")),
    path("imports/", include("shegong.core.import_urls")),
    path("jobs/", include("shegong.core.job_urls")),
    path("recipients/", include("shegong.recipients.urls")),
    path("visits/", include("shegong.visits.urls")),
    path("groups/", include("shegong.groups.urls")),
    path("activities/", include("shegong.activities.urls")),
    path("cases/", include("shegong.cases.urls")),
    path("demands/", include("shegong.demands.urls")),
    path("public/requests/", include("shegong.demands.public_urls")),
    path("supervision/", include("shegong.supervision.urls")),
    path("people/", include("shegong.people.urls")),
    path("orgs/", include("shegong.orgs.urls")),
    path("notifications/", include("shegong.notifications.urls")),
    path("projects/", include("shegong.projects.urls")),
    path("public/disclosure/", include("shegong.projects.public_urls")),
    path("charity/", include("shegong.charity.urls")),
    path("public/funds/", include("shegong.charity.public_urls")),
    path("evaluation/", include("shegong.evaluation.urls")),
    path("integrity/", include("shegong.integrity.urls")),
    path("public/", include("shegong.evaluation.public_urls")),
    path("reports/", include("shegong.reports.urls")),
    path("api/v1/", api.urls),
    path("sysadmin/", admin.site.urls),
]

handler400 = "shegong.core.errors.bad_request"
handler404 = "shegong.core.errors.not_found"
handler403 = "shegong.core.errors.forbidden"
handler500 = "shegong.core.errors.server_error"

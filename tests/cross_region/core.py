from . import Endpoint

ENDPOINTS = [
    Endpoint("dashboards:home", "list", lambda w: "/"),
    Endpoint("dashboards:home#region", "detail", lambda w: f"/?region={w.regions['town_a'].code}"),
    Endpoint("set_language", "open"),
    Endpoint("accounts:login", "open"),
    Endpoint("accounts:logout", "open"),
    Endpoint("accounts:password_change", "open"),
    Endpoint("accounts:otp_setup", "open"),
    Endpoint("accounts:otp", "open"),
    Endpoint("accounts:tokens", "open"),
    Endpoint(
        "accounts:token_revoke",
        "write",
        lambda w: f"/accounts/tokens/{w.extras['token_a'].pk}/revoke/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint("accounts:users", "list", lambda w: "/accounts/users/?q=alice"),
    Endpoint(
        "accounts:user_create",
        "create",
        lambda w: "/accounts/users/new/",
        method="POST",
        body=lambda w: {
            "username": "intruder",
            "role": "worker",
            "region": w.regions["town_a"].code,
            "password": "Sneaky-Pass-123",
        },
        content_type="form",
    ),
    Endpoint("accounts:user_detail", "detail", lambda w: f"/accounts/users/{w.user_a.pk}/"),
    Endpoint(
        "accounts:user_action",
        "write",
        lambda w: f"/accounts/users/{w.user_a.pk}/deactivate/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint("audit:list", "list", lambda w: "/audit/"),
    Endpoint("audit:export", "list", lambda w: "/audit/export/"),
    Endpoint("regions:browse", "list", lambda w: "/regions/?q=街道"),
    Endpoint("regions:detail", "detail", lambda w: f"/regions/{w.regions['town_a'].code}/"),
    Endpoint("regions:import_words", "list", lambda w: "/regions/import-words/"),
    Endpoint(
        "regions:import_words#delete",
        "write",
        lambda w: "/regions/import-words/",
        method="POST",
        body=lambda w: {"delete": w.extras["import_word_a"].pk},
        content_type="form",
    ),
    Endpoint(
        "regions:import_words#create",
        "create",
        lambda w: "/regions/import-words/",
        method="POST",
        body=lambda w: {
            "region": w.regions["town_a"].code,
            "kind": "recipients.roster",
            "target": "header",
            "field_key": "name",
            "text": "入侵者的列名",
        },
        content_type="form",
    ),
    Endpoint(
        "shegong_regions_api_list_regions",
        "list",
        lambda w: f"/api/v1/regions?parent={w.regions['district'].code}",
        api=True,
    ),
    Endpoint(
        "shegong_regions_api_get_region",
        "detail",
        lambda w: f"/api/v1/regions/{w.regions['town_a'].code}",
        api=True,
    ),
    Endpoint(
        "shegong_dashboards_api_get_coverage",
        "detail",
        lambda w: f"/api/v1/regions/{w.regions['town_a'].code}/coverage",
        api=True,
    ),
]


def extend(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from shegong.accounts.actor import SystemActor
    from shegong.accounts.factors import recovery_codes_new
    from shegong.accounts.services import token_create
    from shegong.audit.services import record

    # user_a holds admin roles: its tokens need a confirmed second factor.
    TOTPDevice.objects.create(user=world.user_a, name="totp", confirmed=True)
    recovery_codes_new(user=world.user_a)
    world.extras["token_a"], _raw = token_create(actor=SystemActor(), user=world.user_a, name="MARKERA-token")
    from shegong.core.models import ImportSynonym

    world.extras["import_word_a"] = ImportSynonym.objects.create(
        region_code=world.regions["town_a"].code,
        kind="recipients.roster",
        target="header",
        field_key="name",
        text="MARKERA保障对象",
        created_by=world.user_a,
    )

    record("test.marker", actor=world.user_a, obj=world.station_a, reason="MARKERA-audit")
    _extend_exports(world)
    _extend_imports(world)
    _extend_jobs(world)


ENDPOINTS += [
    Endpoint("exports:list", "list", lambda w: "/exports/"),
    Endpoint("exports:detail", "detail", lambda w: f"/exports/{w.extras['export_request_a'].pk}/"),
    Endpoint(
        "exports:approve",
        "write",
        lambda w: f"/exports/{w.extras['export_request_a'].pk}/approve/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
    Endpoint(
        "exports:download",
        "write",
        lambda w: f"/exports/{w.extras['export_request_a'].pk}/download/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
]


ENDPOINTS += [
    Endpoint("exports:job", "detail", lambda w: f"/exports/jobs/{w.extras['export_job_a'].pk}/"),
    Endpoint(
        "exports:job_download",
        "write",
        lambda w: f"/exports/jobs/{w.extras['export_job_a'].pk}/file/",
        method="POST",
        body=lambda w: {},
        content_type="form",
    ),
]


def _extend_exports(world):
    from shegong.core.models import ExportJob, ExportRequest

    world.extras["export_job_a"] = ExportJob.objects.create(
        region_code=world.regions["town_a"].code,
        export_key="recipients.recipient",
        title="MARKERA-export-job",
        reason="MARKERA-export-job-reason",
        requested_by=world.user_a,
        total=6000,
    )

    world.extras["export_request_a"] = ExportRequest.objects.create(
        region_code=world.regions["town_a"].code,
        export_key="recipients.recipient",
        permission="recipients.reveal",
        reason="MARKERA-export-reason",
        row_count=5000,
        requested_by=world.user_a,
    )


ENDPOINTS += [
    Endpoint("imports:status", "detail", lambda w: f"/imports/{w.extras['import_job_a'].pk}/"),
    Endpoint("imports:marked", "detail", lambda w: f"/imports/{w.extras['import_job_a'].pk}/marked/"),
]


def _extend_imports(world):
    from shegong.core.models import ImportJob

    world.extras["import_job_a"] = ImportJob.objects.create(
        kind="recipients.roster",
        region_code=world.regions["town_a"].code,
        filename="MARKERA.xlsx",
        content=b"x",
        marked=b"y",
        status="rejected",
        errors=[{"row": 2, "column": "身份证号", "cell": "B2", "message": "MARKERA"}],
        user=world.user_a,
    )


def _extend_jobs(world):
    from shegong.core.models import Job, JobState

    world.extras["job_a"] = Job.objects.create(
        kind="reports.generate",
        title="MARKERA-job",
        user=world.user_a,
        region_code=world.regions["town_a"].code,
        state=JobState.RUNNING,
        total=2,
        done=1,
    )


ENDPOINTS += [
    Endpoint("jobs:list", "list", lambda w: "/jobs/"),
    Endpoint("jobs:detail", "detail", lambda w: f"/jobs/{w.extras['job_a'].pk}/"),
    Endpoint("jobs:status", "detail", lambda w: f"/jobs/{w.extras['job_a'].pk}/status"),
]

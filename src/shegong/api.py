"""The JSON API at /api/v1/: one NinjaAPI, a router per domain, errors as JSON with a stable `code`."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from shegong.core.api import ActorAuth, protected_message, protected_references, too_big_body

logger = logging.getLogger(__name__)


def _field_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts)


def _domain_error(field: str, error: DjangoValidationError) -> dict:
    """One field error; one pointing at a record the caller may see (a duplicate inside its reach) gives its id."""
    item = {"field": field, "message": next(iter(error))}
    existing_id = (error.params or {}).get("existing_id")
    if existing_id is not None:
        item["existing_id"] = existing_id
    return item


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="shegong API",
        version="1",
        urls_namespace="api",
        auth=ActorAuth(),
        docs_url="/docs",
    )

    @api.exception_handler(NinjaValidationError)
    def on_validation(request, exc):
        errors = [
            {"field": _field_path(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return api.create_response(request, {"code": "invalid", "detail": errors}, status=422)

    @api.exception_handler(DjangoValidationError)
    def on_domain_validation(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [_domain_error(f, e) for f, es in exc.error_dict.items() for e in es]
        else:
            errors = [{"field": "", "message": m} for m in exc.messages]
        return api.create_response(request, {"code": "invalid", "detail": errors}, status=422)

    @api.exception_handler(OverflowError)
    def on_overflow(request, exc):
        # A number too large for the database column (SQLite raises OverflowError, PostgreSQL DataError).
        detail = [{"field": "", "message": "number out of range"}]
        return api.create_response(request, {"code": "invalid", "detail": detail}, status=422)

    @api.exception_handler(DataError)
    def on_data_error(request, exc):
        detail = [{"field": "", "message": "value out of range for the database"}]
        return api.create_response(request, {"code": "invalid", "detail": detail}, status=422)

    @api.exception_handler(ProtectedError)
    @api.exception_handler(RestrictedError)
    def on_protected(request, exc):
        # A delete refused because other rows still point at this one (on_delete=PROTECT/RESTRICT).
        body = {
            "code": "protected",
            "detail": protected_message(exc),
            "references": protected_references(exc),
        }
        return api.create_response(request, body, status=409)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request, exc):
        # A database constraint the service did not check first: the request conflicts with stored rows. Logged,
        # because it means a service misses a check that would have given a better message.
        logger.warning("integrity error answered as 409 on %s %s: %s", request.method, request.path, exc)
        detail = gettext("与已有记录冲突，未保存")
        return api.create_response(request, {"code": "conflict", "detail": detail}, status=409)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        return api.create_response(request, too_big_body(), status=413)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "detail": "Not found"}, status=404)

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return api.create_response(request, {"code": "forbidden", "detail": "Permission denied"}, status=403)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return api.create_response(
            request, {"code": "unauthenticated", "detail": "Authentication required"}, status=401
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return api.create_response(request, {"code": "error", "detail": str(exc)}, status=exc.status_code)

    from shegong.activities.api import ROUTERS as activities_routers
    from shegong.cases.api import ROUTERS as cases_routers
    from shegong.charity.api import ROUTERS as charity_routers
    from shegong.core.sync_api import router as sync_router
    from shegong.dashboards.api import ROUTERS as dashboards_routers
    from shegong.demands.api import ROUTERS as demands_routers
    from shegong.evaluation.api import ROUTERS as evaluation_routers
    from shegong.groups.api import ROUTERS as groups_routers
    from shegong.integrity.api import ROUTERS as integrity_routers
    from shegong.network.api import router as network_router
    from shegong.orgs.api import ROUTERS as orgs_routers
    from shegong.people.api import ROUTERS as people_routers
    from shegong.projects.api import ROUTERS as projects_routers
    from shegong.recipients.api import ROUTERS as recipients_routers
    from shegong.regions.api import router as regions_router
    from shegong.reports.api import ROUTERS as reports_routers
    from shegong.supervision.api import ROUTERS as supervision_routers
    from shegong.visits.api import ROUTERS as visits_routers

    api.add_router("/regions", regions_router)
    api.add_router("/nodes", network_router)
    api.add_router("/sync", sync_router)
    for prefix, router in [
        *recipients_routers,
        *visits_routers,
        *groups_routers,
        *activities_routers,
        *cases_routers,
        *dashboards_routers,
        *people_routers,
        *orgs_routers,
        *projects_routers,
        *charity_routers,
        *demands_routers,
        *supervision_routers,
        *evaluation_routers,
        *integrity_routers,
        *reports_routers,
    ]:
        api.add_router(prefix, router)
    return api


api = build_api()

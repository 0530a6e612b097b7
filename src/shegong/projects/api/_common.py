"""What every operation of the projects API shares: the router, the scoped fetch of the project, money as text."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router

from shegong.core.scoping import get_scoped_or_404

from ..models import Project

router = Router(tags=["projects"])


def op(name: str) -> str:
    """The operation id ``shegong_projects_api_<name>``: the ids the operations had when the API was one module,
    kept so clients and the cross-region registry go on naming them the same way."""
    return f"shegong_projects_api_{name}"


def fetch(request, project_id: int) -> Project:
    """The project, if the caller may see it (the same 404 otherwise: another region, another operator)."""
    request.auth.require("projects.view")
    return get_scoped_or_404(Project, pk=project_id)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def naming(field: str, call):
    """Run ``call``; a refusal the service gives without a field is answered as ``field``'s, so the 422 names it."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({field: exc.error_list}) from exc

"""Shared pieces of the JSON API: authentication by the request's actor, strict schemas, error bodies."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Schema
from ninja.security.http import HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict, Strict, model_validator

from shegong.core.text import text_problem

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class StrictSchema(Schema):
    """Request bodies: unknown fields and wrong types are rejected with 422, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="after")
    def _clean_text(self):
        """Every string field (and strings in list fields) passes ``core.text.text_problem``, whatever its
        annotation: a schema cannot forget it. Line breaks are allowed (JSON has no single-line/long-text
        distinction); control characters, bidi overrides and invisible-only required values are not."""
        for name, info in type(self).model_fields.items():
            value = getattr(self, name, None)
            values = value if isinstance(value, list | tuple | set) else (value,)
            for item in values:
                if isinstance(item, str):
                    problem = text_problem(item, multiline=True, required=info.is_required())
                    if problem:
                        raise ValueError(f"{name}: {problem}")
        return self


# JSON has no decimal or date type: these two accept their usual string forms ("12.50", "2026-03-01") even
# inside a strict schema, and nothing looser.
JsonDecimal = Annotated[Decimal, Strict(False)]
JsonDate = Annotated[datetime.date, Strict(False)]
JsonDateTime = Annotated[datetime.datetime, Strict(False)]


def _clean_str(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


# For strings outside a StrictSchema (query parameters, plain schemas): the same rule as a type.
CleanStr = Annotated[str, AfterValidator(_clean_str)]


class ErrorOut(Schema):
    code: str
    detail: str | list | dict


class ActorAuth(HttpBearer):
    """Bearer tokens (checked by ActorMiddleware) or the page's own session, with CSRF for writes."""

    def __call__(self, request: HttpRequest):
        actor = getattr(request, "actor", None)
        if actor is None or not actor.is_authenticated:
            return None
        if not getattr(request, "api_token_auth", False) and request.method not in SAFE_METHODS:
            error = check_csrf(request)
            if error:
                return None
        return actor

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        return None


STANDARD_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


PAGE_SIZE = 50


def paginated(queryset, number: int, render, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of ``queryset`` as every list operation answers it: count, page, pages and the rendered rows."""
    paginator = Paginator(queryset, size)
    page = paginator.get_page(number)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [render(row) for row in page],
    }

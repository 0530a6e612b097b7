"""Shared pieces of the JSON API: authentication by the request's actor, strict schemas, error bodies."""

from __future__ import annotations

import datetime
import re
import types
import typing
from collections import Counter
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Union

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Schema
from ninja.security.http import HttpBearer
from ninja.utils import check_csrf
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shegong.core.text import join_list, text_problem

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")
_MONTH = re.compile(r"\d{4}-\d{2}")


class _FieldKind:
    """What a schema field's annotation admits, found once per schema class (see ``_kinds``)."""

    __slots__ = ("bool", "none", "str", "float", "date", "datetime")

    def __init__(self, annotation: Any) -> None:
        found: set[type] = set()
        _collect(annotation, found)
        self.bool = bool in found
        self.none = type(None) in found
        self.str = str in found
        self.float = bool(found & {float, Decimal})
        self.datetime = datetime.datetime in found
        self.date = datetime.date in found and not self.datetime


def _collect(annotation: Any, found: set[type]) -> None:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        _collect(typing.get_args(annotation)[0], found)
    elif origin is Literal:
        found.update(type(value) for value in typing.get_args(annotation))
    elif origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            _collect(arg, found)
    elif origin in (list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            _collect(arg, found)
    elif isinstance(annotation, type):
        found.add(annotation)


_KINDS: dict[type, dict[str, _FieldKind]] = {}


def _kinds(cls) -> dict[str, _FieldKind]:
    kinds = _KINDS.get(cls)
    if kinds is None:
        kinds = {name: _FieldKind(info.annotation) for name, info in cls.model_fields.items()}
        _KINDS[cls] = kinds
    return kinds


def _invalid(kind: str, message: str) -> PydanticCustomError:
    # The message is already translated and may hold braces typed by nobody: escape them for pydantic's format.
    return PydanticCustomError(kind, message.replace("{", "{{").replace("}", "}}"))


def _parse_date(value: str) -> datetime.date:
    if _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid("date_format", gettext("日期应写作 YYYY-MM-DD，例如 2026-03-01"))


def _parse_datetime(value: str) -> datetime.datetime:
    if _ISO_DATETIME.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid("datetime_format", gettext("时间应写作 ISO 8601 格式，例如 2026-03-01T09:30:00+08:00"))


class StrictSchema(Schema):
    """Request bodies: unknown fields and wrong types are rejected with 422, never coerced.

    Pydantic's strict mode still lets a few JSON values through as something else: ``true`` for an int literal
    (``True == 1``), ``1.0`` for an int literal, and — wherever a date is made lax so that it accepts its string
    form — an integer as a Unix timestamp (``0`` → 1970-01-01). The validator below closes those holes for every
    field of every subclass: dates and times only as ISO strings, no booleans where the field takes none, no
    fractions where it takes integers.
    """

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

    @field_validator("*", mode="before")
    @classmethod
    def _strict_json(cls, value: Any, info: ValidationInfo) -> Any:
        kind = _kinds(cls).get(info.field_name or "")
        if kind is None:
            return value
        if value is None:
            if kind.none and info.field_name in cls._not_null():
                raise _invalid("null_not_allowed", gettext("不能为 null：不修改请省略该字段"))
            return value
        if not kind.bool and (
            isinstance(value, bool) or (isinstance(value, list) and any(isinstance(v, bool) for v in value))
        ):
            raise _invalid("bool_not_allowed", gettext("不接受 true/false，请填写正确类型的值"))
        if isinstance(value, float) and not kind.float and not kind.date and not kind.datetime:
            raise _invalid("int_required", gettext("应为整数"))
        if (kind.date or kind.datetime) and not kind.str:
            if isinstance(value, str):
                return _parse_datetime(value) if kind.datetime else _parse_date(value)
            if not isinstance(value, datetime.date) or (kind.date and isinstance(value, datetime.datetime)):
                raise _invalid(
                    "date_format",
                    gettext("日期应写作 YYYY-MM-DD，例如 2026-03-01")
                    if kind.date
                    else gettext("时间应写作 ISO 8601 格式，例如 2026-03-01T09:30:00+08:00"),
                )
        return value

    @classmethod
    def _not_null(cls) -> frozenset[str]:
        return frozenset()


def _patch_json_schema(schema: dict[str, Any], cls) -> None:
    """Document the fields that refuse ``null`` as not nullable, so clients and fuzzers see the real contract."""
    not_null = cls._not_null()
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name not in not_null or not options:
            continue
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            del prop["anyOf"]
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest
        if prop.get("default", 0) is None:
            del prop["default"]


_NOT_NULL: dict[type, frozenset[str]] = {}


class PatchSchema(StrictSchema):
    """A PATCH body: every field optional, an omitted field stays as it is.

    ``null`` clears a value, so it is accepted only where the model's column can hold NULL (``django_model``
    names the model; a field that is no column of it may be listed in ``nullable``). Anywhere else an explicit
    ``null`` is a 422 naming the field, instead of reaching the database as a NOT NULL violation.
    """

    django_model: ClassVar[type | None] = None
    nullable: ClassVar[frozenset[str]] = frozenset()

    model_config = ConfigDict(json_schema_extra=_patch_json_schema)

    @classmethod
    def _not_null(cls) -> frozenset[str]:
        found = _NOT_NULL.get(cls)
        if found is None:
            found = frozenset(name for name in cls.model_fields if not _column_nullable(cls, name))
            _NOT_NULL[cls] = found
        return found


def _column_nullable(cls: type[PatchSchema], name: str) -> bool:
    if name in cls.nullable:
        return True
    if cls.django_model is None:
        return False
    try:
        field = cls.django_model._meta.get_field(name)
    except FieldDoesNotExist:  # not a column, and not declared nullable
        return False
    return bool(getattr(field, "null", False))


# JSON has no decimal or date type: these accept their usual string forms ("12.50", "2026-03-01") even inside a
# strict schema, and nothing looser (StrictSchema refuses numbers for dates).
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


def _parse_month(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, str) and _MONTH.fullmatch(value):
        try:
            return datetime.date(int(value[:4]), int(value[5:]), 1)
        except ValueError:
            pass
    raise _invalid("month_format", gettext("月份应写作 YYYY-MM，例如 2026-03"))


# A calendar month in a query or body, "2026-03", as the first day of that month; "2026-13" or "0000-00" is a 422.
Month = Annotated[
    datetime.date,
    BeforeValidator(_parse_month),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "examples": ["2026-03"]}),
]


class ErrorOut(Schema):
    code: str
    detail: str | list | dict


def too_big_body() -> dict[str, str]:
    """The 413 body for a request over DATA_UPLOAD_MAX_MEMORY_SIZE (API handler and the pages' handler400)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return {"code": "too_large", "detail": gettext("请求内容超过 %(mb)d MB 的上限") % {"mb": limit}}


def protected_references(exc: ProtectedError | RestrictedError) -> list[dict[str, Any]]:
    """What still refers to a row whose deletion was refused: one entry per kind of referring row."""
    rows = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter(row._meta for row in rows)
    return [
        {"model": meta.label_lower, "label": str(meta.verbose_name), "count": count}
        for meta, count in sorted(counts.items(), key=lambda item: item[0].label_lower)
    ]


def protected_message(exc: ProtectedError | RestrictedError) -> str:
    """“仍有 3 个服务对象、1 个岗位安排引用该记录，不能删除”: the same words for the API and the pages."""
    parts = [gettext("%(count)d 个%(label)s") % ref for ref in protected_references(exc)]
    return gettext("仍有%(refs)s引用该记录，不能删除；可改为停用或撤销") % {"refs": join_list(parts)}


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


STANDARD_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


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

"""What the API robustness tests share: a caller that may do everything, and a walk over every operation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from shegong.accounts.actor import SystemActor
from shegong.accounts.roles import BUSINESS_ROLES
from shegong.accounts.services import token_create

from ..factories import DISTRICT, make_user


def all_roles_token(username: str = "api-robustness") -> str:
    """A bearer token for a user holding every business role over the whole district: no 403 hides a 500."""
    user = make_user(*[(role, DISTRICT) for role in sorted(BUSINESS_ROLES)], username=username)
    _token, raw = token_create(actor=SystemActor(), user=user)
    return raw


def recipients_at(station, region_code: str, count: int) -> list:
    """``count`` recipients in ``region_code`` served by ``station``: rows that make deleting the station a 409."""
    import datetime

    from shegong.recipients import services
    from shegong.recipients.models import Category, Recipient

    from ..recipients.helpers import id_number

    made = [
        services.recipient_create(
            actor=SystemActor("test"),
            data={"name": f"引用{i}", "id_number": id_number(), "region": region_code},
            categories=[
                {"category": Category.objects.get(code="dibao"), "start_on": datetime.date(2024, 1, 1)}
            ],
            risk_tier=3,
            risk_reason="",
        )
        for i in range(count)
    ]
    Recipient.objects.filter(pk__in=[r.pk for r in made]).update(station=station)
    return made


@dataclass
class Operation:
    method: str
    path: str  # /api/v1/nodes/{int:node_id}
    name: str
    body: type | None  # the request body's schema class


def operations() -> Iterator[Operation]:
    from shegong.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                body = None
                for model in op.models:
                    if model.__ninja_param_source__ == "body":
                        (field,) = model.model_fields.values()
                        body = field.annotation
                for method in op.methods:
                    yield Operation(method, f"/api/v1{prefix}{path}", op.view_func.__name__, body)


def caller(client, token):
    def call(method: str, path: str, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method.lower())(path, **kwargs)

    return call

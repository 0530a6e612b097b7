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

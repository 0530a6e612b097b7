"""Two API schemas of one name share one entry of the OpenAPI document: the second silently describes the first."""

from collections import defaultdict

from ninja import Schema

from shegong.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # every router's module is imported
    seen = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("shegong."):
            seen[cls.__name__].add(cls.__module__)
    shared = {name: sorted(modules) for name, modules in seen.items() if len(modules) > 1}
    assert not shared, f"API schema names used by more than one module: {shared}"

import pytest
from django.test import override_settings

from shegong.core.scoping import current_scope, no_scope
from shegong.core.tasks import scoped_task

from ..factories import TOWN_B

seen = {}


@scoped_task
def remember_scope(*, actor_id):
    seen["scope"] = current_scope()
    return sorted(current_scope().region_codes)


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
def test_task_runs_in_its_actors_scope(world):
    with no_scope():
        result = remember_scope.enqueue(actor_id=world.user_b.pk)
    assert result.return_value == [TOWN_B]


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
def test_task_without_actor_is_unscoped(db):
    with no_scope():
        remember_scope.enqueue(actor_id=None)
    assert seen["scope"].everything


def test_unknown_actor_sees_nothing(db):
    from shegong.core.tasks import scope_for

    with no_scope(), scope_for(987654):
        assert current_scope().is_empty
    with pytest.raises(Exception):  # noqa: B017 - outside, no scope at all
        with no_scope():
            current_scope()

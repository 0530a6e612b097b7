"""A choices class's name says what it is: no two apps' models define choices under the same name.

``FilingStatus`` once meant an organisation's filing in orgs and a worker's posting filing in people; code that
imported the wrong one compared against values the field never holds.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import models


def test_no_two_apps_define_choices_with_the_same_name():
    owners: dict[str, set[str]] = defaultdict(set)
    for config in apps.get_app_configs():
        if not config.name.startswith("shegong."):
            continue
        module = config.models_module
        for name, value in vars(module or object).items():
            if (
                isinstance(value, type)
                and issubclass(value, models.Choices)
                and value.__module__ == getattr(module, "__name__", None)
            ):
                owners[name].add(config.label)
    clashes = {name: sorted(labels) for name, labels in owners.items() if len(labels) > 1}
    assert clashes == {}


def test_the_two_filing_statuses_have_their_own_names():
    from shegong.orgs.models import OrgFilingStatus
    from shegong.people.models import AssignmentFilingStatus

    assert OrgFilingStatus.values == ["", "pending", "filed"]
    assert AssignmentFilingStatus.values == ["unfiled", "submitted", "confirmed"]

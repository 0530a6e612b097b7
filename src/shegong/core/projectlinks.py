"""Which purchased project a service record was done under (SPEC §6, docs/adr/0008).

A visit, a case, a group session, an activity and a demand request each name the project they were done under, so
that a project's actuals are counted from its own records. The service-work apps sit below ``projects`` and must not
import it: they ask ``choices(worker_id, on)`` here, and the projects app contributes the answer at start-up
(``PROJECT_CHOICES``). Each app's write service calls ``choose`` so that the page, the API, the offline sync and the
imports all link the same way:

- the worker is on exactly one active project that day: the record is linked to it;
- on several: the writer must say which (``project_id``, one of them), else a field error asks for it;
- on none (or no worker): the record names no project.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .hooks import Hook

# Contributor: f(worker_id: int, on: datetime.date) -> list[ProjectChoice], the active projects the worker serves on
# that day, wherever they are (a project's code and name are public, SPEC §6).
PROJECT_CHOICES = Hook("core.project_choices")

FIELD = "project_id"


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    label: str


def choices(worker_id: int | None, on: datetime.date) -> list[ProjectChoice]:
    """The projects a record by ``worker_id`` on ``on`` may be linked to, in label order."""
    if worker_id is None:
        return []
    found: dict[int, ProjectChoice] = {}
    for answer in PROJECT_CHOICES.results(worker_id, on):
        for choice in answer:
            found.setdefault(choice.id, choice)
    return sorted(found.values(), key=lambda c: c.label)


def _as_id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({FIELD: [_("所属项目无效，请从列表中选择")]}) from None


def choose(*, worker_id: int | None, on: datetime.date, project_id=None) -> int | None:
    """The project id a new record links to (None: no project). Raises ValidationError on ``project_id`` when the
    given project is not one of the worker's that day, or when the worker has several and none was given."""
    options = choices(worker_id, on)
    wanted = _as_id(project_id)
    if wanted is not None:
        if wanted not in {c.id for c in options}:
            raise ValidationError(
                {
                    FIELD: [
                        _("所选项目不是该社工在%(day)s服务的在执行项目，请从列表中选择")
                        % {"day": on.isoformat()}
                    ]
                }
            )
        return wanted
    if len(options) == 1:
        return options[0].id
    if len(options) > 1:
        raise ValidationError(
            {
                FIELD: [
                    _("该社工在%(day)s同时服务于多个项目，请选择这条记录所属的项目") % {"day": on.isoformat()}
                ]
            }
        )
    return None


def offer(form, *, worker_id: int | None, day_field: str | None, ask=None) -> None:
    """On a page form: when the worker serves on several projects on the form's day (the one typed, else today),
    add a required ``project_id`` select; with exactly one, name it in ``form.linked_project`` (a page says where
    the record will count). The write service checks the choice again."""
    from django import forms
    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    day = timezone.localdate()
    if form.is_bound and day_field:
        try:
            typed = form.fields[day_field].clean(form.data.get(day_field))
        except forms.ValidationError:
            typed = None
        if isinstance(typed, datetime.datetime):
            day = timezone.localtime(typed).date()
        elif isinstance(typed, datetime.date):
            day = typed
    options = choices(worker_id, day)
    form.linked_project = options[0].label if len(options) == 1 else ""
    if len(options) > 1:
        ask = ask or gettext_lazy("请选择这条记录所属的项目")
        form.fields[FIELD] = forms.ChoiceField(
            label=gettext_lazy("所属项目"),
            choices=[("", ask)] + [(str(c.id), c.label) for c in options],
            error_messages={"required": ask},
        )


def chosen(form) -> dict:
    """The ``project_id`` a page form's user chose, for the service's data (empty when not asked)."""
    return {FIELD: form.cleaned_data[FIELD]} if FIELD in form.fields else {}

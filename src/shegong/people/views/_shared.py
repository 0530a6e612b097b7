"""Helpers the people pages share: reveals, button actions and return addresses."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from shegong.core.forms import submit
from shegong.core.text import join_messages

from .. import services
from ..forms import (
    RevealForm,
)


def _submit_and_report(request, form, action):
    """``submit`` for a button or small form on a list or detail page, which answers with a redirect rather than
    showing the form again: what went wrong — the form's errors or the service's refusal — becomes one error
    message. A button without fields passes ``form=None``. Returns the service's result, or None."""
    form = form if form is not None else forms.Form(request.POST)
    result = submit(request, form, action)
    if result is None and form.errors:
        messages.error(request, join_messages(e for errors in form.errors.values() for e in errors))
    return result


def _reveal(request, obj, permission: str, back: str):
    form = RevealForm(request.POST)
    value = _submit_and_report(
        request,
        form,
        lambda form: services.reveal(
            actor=request.actor, obj=obj, permission=permission, **form.cleaned_data
        ),
    )
    if value is not None:
        label = dict(form.fields["field"].choices)[form.cleaned_data["field"]]
        messages.info(request, _("%(label)s：%(value)s（本次查看已记录）") % {"label": label, "value": value})
    return redirect(back)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default

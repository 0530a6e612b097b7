from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shegong.core.api import protected_message
from shegong.core.params import as_int
from shegong.core.text import clean_text


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field, keeping what the user typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for error in errors:
                form.add_error(target, _with_link(error))
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _with_link(error: ValidationError):
    """A message whose error points at an existing record (``params["existing_url"]``) links to it."""
    params = error.params or {}
    message = next(iter(error))
    if params.get("existing_url"):
        return format_html('{} <a href="{}">{}</a>', message, params["existing_url"], _("查看已有档案"))
    return message


def submit(request, form, action):
    """For a POST whose form is valid, run ``action(form)`` (one service call) and return its result.

    A ValidationError from the service lands on the form, field by field, and a delete refused because other
    rows refer to the row (ProtectedError/RestrictedError) as one form error; the result is then None — as it is
    when nothing was posted or the form itself is invalid — so the view re-renders with what the user typed.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    except (ProtectedError, RestrictedError) as exc:
        # A delete that other rows still point at: the same words the API answers with its 409.
        form.add_error(None, protected_message(exc))
        return None


class ServiceModelForm(forms.ModelForm):
    """A model form that only parses input for a service.

    It neither writes onto its instance nor validates the row: the service does both (and reports in the user's
    words through ``submit``), and compares against the instance as stored for its audit entry.
    """

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.cleaned_data}


def _validate_with_clean_text(self, value):
    _django_char_validate(self, value)
    if (
        value in self.empty_values
        or not isinstance(value, str)
        or isinstance(self.widget, forms.PasswordInput)
    ):
        return  # passwords are never shown or exported, and may hold anything a person chooses
    clean_text(
        value, label=self.label, multiline=isinstance(self.widget, forms.Textarea), required=self.required
    )


_django_char_validate = forms.CharField.validate


def install_text_hygiene() -> None:
    """Every CharField of every form (model forms included) runs ``core.text.clean_text``: installed once, from
    CoreConfig.ready, so no form can forget it. Textareas may hold tabs and line breaks; single-line inputs not."""
    if forms.CharField.validate is not _validate_with_clean_text:
        forms.CharField.validate = _validate_with_clean_text


def _integer_key(field) -> bool:
    model = field.queryset.model
    key = (
        model._meta.pk if field.to_field_name in (None, "pk") else model._meta.get_field(field.to_field_name)
    )
    return key.get_internal_type() in INTEGER_KEYS


INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
_django_model_choice_to_python = forms.ModelChoiceField.to_python
_django_check_values = forms.ModelMultipleChoiceField._check_values


def _unparsable(field, value) -> bool:
    """A posted key the database could not hold (a record passed in by code is left to Django)."""
    return not isinstance(value, field.queryset.model) and _integer_key(field) and as_int(value) is None


def _model_choice_to_python(self, value):
    if value not in self.empty_values and _unparsable(self, value):
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
    return _django_model_choice_to_python(self, value)


def _check_values(self, value):
    for choice in value:
        if _unparsable(self, choice):
            raise ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": choice}
            )
    return _django_check_values(self, value)


def install_choice_guards() -> None:
    """A choice of a record posted as "²" or a 40-digit number is an invalid choice, named on its field, before
    any query: the database would refuse the number (SQLite: OverflowError) and answer with a server error.
    Installed once, from CoreConfig.ready, so every model choice field of every form has it."""
    if forms.ModelChoiceField.to_python is not _model_choice_to_python:
        forms.ModelChoiceField.to_python = _model_choice_to_python
        forms.ModelMultipleChoiceField._check_values = _check_values

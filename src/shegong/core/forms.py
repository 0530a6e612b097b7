from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field, keeping what the user typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)

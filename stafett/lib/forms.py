from django import forms
from django.core.exceptions import ValidationError


def add_form_errors(form: forms.BaseForm, error: ValidationError, default_field: str | None = None) -> None:
    """Show an action's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else default_field, msgs)
    else:
        form.add_error(default_field, error.messages)

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def add_form_errors(form: forms.BaseForm, error: ValidationError, default_field: str | None = None) -> None:
    """Show an action's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else default_field, msgs)
    else:
        form.add_error(default_field, error.messages)


# --- Bounded input (issue 13 §2: bad input is a message, never a crash) ------------------

FIRST_YEAR, LAST_YEAR = 1900, 2100
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _year_in_range(value: object) -> None:
    year = getattr(value, "year", None)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Velg en dato mellom år %(first)s og %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="date_out_of_range",
        )


def _guard_choice_lookup(field: forms.ModelChoiceField) -> None:  # type: ignore[type-arg]
    """A number too big for the database (e.g. 99999999999999999999999) is an invalid choice,
    not an OverflowError from the database driver."""
    to_python = field.to_python

    def checked(value: object) -> object:
        try:
            return to_python(value)
        except OverflowError:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice") from None

    field.to_python = checked  # type: ignore[method-assign]
    if isinstance(field, forms.ModelMultipleChoiceField):
        check_values = field._check_values  # type: ignore[attr-defined]

        def checked_values(value: object) -> object:
            try:
                return check_values(value)  # type: ignore[arg-type]
            except OverflowError:
                raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice") from None

        field._check_values = checked_values  # type: ignore[attr-defined]


def bound_fields(form: forms.BaseForm) -> None:
    """Every integer within the database's range, every date within 1900–2100, every choice
    lookup safe from overflow — for all fields of the form, whatever they were declared as."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField):
            field.validators.append(_within(INT_MIN, INT_MAX))
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.append(_year_in_range)
        elif isinstance(field, forms.ModelChoiceField):
            _guard_choice_lookup(field)


def _within(low: int, high: int) -> Callable[[object], None]:
    def check(value: object) -> None:
        if isinstance(value, int) and not low <= value <= high:
            raise ValidationError(_("Tallet er for stort eller for lite."), code="out_of_range")

    return check


class BoundedForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_fields(self)


class BoundedModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_fields(self)

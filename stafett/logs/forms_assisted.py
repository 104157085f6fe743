"""Forms for families without BankID (issue 15 §7)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import BoundedForm
from stafett.logs.models_assisted import REASON_LENGTH
from stafett.people.models import Person

PHONE_CHECKED = _("Jeg har kontrollert nummeret sammen med den foresatte, ansikt til ansikt")


class RegisterAssistedForm(BoundedForm):
    guardian = forms.ChoiceField(label=_("Foresatt"))
    reason = forms.CharField(
        label=_("Hvorfor er den foresatte med uten elektronisk ID?"),
        max_length=REASON_LENGTH,
        help_text=_("For eksempel: har ikke BankID eller norsk eID, eller kan ikke bruke den."),
    )
    phone = forms.CharField(
        label=_("Mobilnummer for engangskode (valgfritt)"),
        max_length=20,
        required=False,
        help_text=_("Koden sendes bare til et nummer du har kontrollert med den foresatte."),
    )
    phone_checked = forms.BooleanField(label=PHONE_CHECKED, required=False)

    def __init__(self, *args: Any, guardians: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guardians = {str(g.code): g for g in guardians}
        choices = [(code, g.full_name) for code, g in self.guardians.items()]
        self.fields["guardian"].choices = [("", _("Velg …")), *choices]  # type: ignore[attr-defined]
        if len(choices) == 1:
            self.fields["guardian"].initial = choices[0][0]

    def chosen_guardian(self) -> Person:
        return self.guardians[self.cleaned_data["guardian"]]


class VerifyPhoneForm(BoundedForm):
    phone = forms.CharField(label=_("Mobilnummer"), max_length=20)
    phone_checked = forms.BooleanField(label=PHONE_CHECKED)


class CodeForm(BoundedForm):
    code = forms.CharField(
        label=_("Engangskode"),
        max_length=20,
        help_text=_("Koden står i SMS-en fra Stafett, for eksempel ABCD-EFGH."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )

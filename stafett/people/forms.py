from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stafett.lib import national_id as nid
from stafett.lib.forms import BoundedForm
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import GuardianKind, Role


class NationalIdField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Fødselsnummer eller D-nummer"))
        kwargs.setdefault("help_text", "11 siffer")
        kwargs.setdefault("max_length", 13)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: str) -> str:
        value = super().clean(value)
        if not value:
            return ""
        try:
            return nid.parse(value).number
        except nid.InvalidNationalId as e:
            raise ValidationError(str(e)) from None


class StaffForm(BoundedForm):
    given_name = forms.CharField(label=_("Fornavn"), max_length=100)
    family_name = forms.CharField(label=_("Etternavn"), max_length=100)
    email = forms.EmailField(label=_("E-post"), help_text=_("Den samme som ved innlogging i kommunen."))
    phone = forms.CharField(label=_("Mobil"), max_length=20, required=False)
    title = forms.CharField(
        label=_("Stilling"), max_length=100, required=False, help_text=_("For eksempel pedagogisk leder")
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.EMPLOYEE)

    def __init__(self, *args: object, roles: list[Role], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def entry(self) -> StaffEntry:
        d = self.cleaned_data
        person = PersonData(
            given_name=d["given_name"], family_name=d["family_name"], email=d["email"], phone=d["phone"]
        )
        return StaffEntry(person=person, role=d["role"], title=d["title"])


class StaffEndForm(BoundedForm):
    on = forms.DateField(
        label=_("Slutter fra og med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("La feltet stå tomt for i dag. Fram til denne dagen har personen tilgangen sin som før."),
    )


class StaffImportForm(BoundedForm):
    file = forms.FileField(
        label=_("CSV-fil med ansatte"), help_text=_("Semikolon- eller kommadelt, med kolonnenavn på første linje.")
    )


class FindPersonForm(BoundedForm):
    national_id = NationalIdField()


class PersonForm(BoundedForm):
    national_id = NationalIdField()
    given_name = forms.CharField(label=_("Fornavn"), max_length=100)
    family_name = forms.CharField(label=_("Etternavn"), max_length=100)
    address = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postnummer"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Postnummeret må ha fire siffer.")},
    )
    city = forms.CharField(label=_("Poststed"), max_length=60, required=False)
    phone = forms.CharField(label=_("Mobil"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)

    def person_data(self) -> PersonData:
        return PersonData(**self.cleaned_data)


class GuardianForm(BoundedForm):
    national_id = NationalIdField(label=_("Den foresattes fødselsnummer"))
    kind = forms.ChoiceField(label=_("Type"), choices=GuardianKind.choices)

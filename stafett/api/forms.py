from typing import Any

from django import forms

from stafett.api.models import SystemScope
from stafett.lib.forms import BoundedForm
from stafett.people.models import Municipality, Unit


class TokenForm(BoundedForm):
    name = forms.CharField(
        label="Navn på nøkkelen", max_length=80, help_text="Hva den brukes til, f.eks. «Skript på jobb-PC»."
    )


class SystemClientForm(BoundedForm):
    name = forms.CharField(label="Navn på systemet", max_length=120, help_text="F.eks. «Visma Flyt Barnehage».")
    municipality = forms.ModelChoiceField(label="Kommune", queryset=Municipality.objects.none(), empty_label=None)
    units = forms.ModelMultipleChoiceField(
        label="Tjenestesteder",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ingen valgt: systemet betjener hele kommunen (f.eks. arkivet eller datavarehuset).",
    )
    scopes = forms.MultipleChoiceField(
        label="Tilganger", choices=SystemScope.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, municipalities: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]

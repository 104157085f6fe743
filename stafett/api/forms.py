from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.api.models import SystemScope
from stafett.lib.forms import BoundedForm
from stafett.people.models import Municipality, Unit


class TokenForm(BoundedForm):
    name = forms.CharField(
        label=_("Navn på nøkkelen"), max_length=80, help_text=_("Hva den brukes til, f.eks. «Skript på jobb-PC».")
    )


class SystemClientForm(BoundedForm):
    name = forms.CharField(label=_("Navn på systemet"), max_length=120, help_text=_("F.eks. «Visma Flyt Barnehage»."))
    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Municipality.objects.none(), empty_label=None)
    units = forms.ModelMultipleChoiceField(
        label=_("Tjenestesteder"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ingen valgt: systemet betjener hele kommunen (f.eks. arkivet eller datavarehuset)."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Tilganger"), choices=SystemScope.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, municipalities: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]

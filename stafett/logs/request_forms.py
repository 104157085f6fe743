"""The forms for families asking for a log and for the leader's answer (logs/actions/requests.py)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import BoundedForm
from stafett.logs.models import ASKABLE_SERVICES, REQUEST_TEXT, RequestOutcome
from stafett.people.models import Person, Unit


def askable_units() -> QuerySet[Unit]:
    """Stafett does not know which kindergarten or school a child attends, so the family picks
    among the municipalities' kindergartens, schools and health stations."""
    return Unit.objects.filter(service_type__in=ASKABLE_SERVICES).select_related("municipality")


class UnitChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.get_service_type_display()}, {obj.municipality.name})"


class AskForLogForm(BoundedForm):
    child = forms.ModelChoiceField(
        label=_("Hvem gjelder det?"),
        queryset=Person.objects.none(),
        empty_label=None,
        error_messages={"required": _("Velg barnet det gjelder.")},
    )
    unit = UnitChoice(
        label=_("Hvilket tjenestested vil dere spørre?"),
        queryset=Unit.objects.none(),
        help_text=_("Velg barnehagen, skolen eller helsestasjonen der barnet går."),
        error_messages={"required": _("Velg tjenestestedet dere vil spørre.")},
    )
    text = forms.CharField(
        label=_("Hva ønsker dere hjelp med?"),
        max_length=REQUEST_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv kort. Tjenestestedet tar kontakt og avtaler resten med dere."),
        error_messages={"required": _("Skriv kort hva dere ønsker hjelp med.")},
    )

    def __init__(self, *args: Any, children: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["child"]
        field.queryset = Person.objects.filter(id__in=[c.id for c in children])  # type: ignore[attr-defined]
        self.fields["unit"].queryset = askable_units().order_by("municipality__name", "name")  # type: ignore[attr-defined]


class AnswerRequestForm(BoundedForm):
    outcome = forms.ChoiceField(
        label=_("Svar"),
        choices=RequestOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg et svar.")},
    )
    answer = forms.CharField(
        label=_("Til familien"),
        max_length=REQUEST_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For eksempel når dere tar kontakt. Skriv ikke noe familien ikke skal lese."),
    )

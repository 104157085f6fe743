from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett.lib.forms import BoundedForm
from stafett.logs.forms import DateInput
from stafett.people.models import Municipality
from stafett.stats.queries import Period

LONGEST_PERIOD_DAYS = 10 * 366
MONTH, QUARTER = "maaned", "kvartal"


class StatisticsForm(BoundedForm):
    """Which municipality and period. Read from the query string, so a page can be bookmarked."""

    kommune = forms.ChoiceField(label=gettext_lazy("Kommune"))
    aar = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int, required=False, empty_value=None)
    fra = forms.DateField(label=gettext_lazy("Fra og med"), required=False, widget=DateInput())
    til = forms.DateField(label=gettext_lazy("Til og med"), required=False, widget=DateInput())
    inndeling = forms.ChoiceField(
        label=gettext_lazy("Del inn per"),
        choices=[(MONTH, gettext_lazy("Måned")), (QUARTER, gettext_lazy("Kvartal"))],
        required=False,
    )

    def __init__(self, *args: Any, municipalities: list[Municipality], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.municipalities = {str(m.code): m for m in municipalities}
        self.fields["kommune"].choices = [(c, m.name) for c, m in self.municipalities.items()]  # type: ignore[attr-defined]
        years = range(today.year, today.year - 10, -1)
        self.fields["aar"].choices = [("", _("I år så langt")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]
        self.fields["aar"].help_text = _("Velg et år, eller fyll inn fra og til. Uten valg vises i år så langt.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, year = data.get("fra"), data.get("til"), data.get("aar")
        if start or end:
            end = end or self.today
            start = start or date(end.year, 1, 1)
        elif year:
            start, end = date(year, 1, 1), date(year, 12, 31)
        else:
            start, end = date(self.today.year, 1, 1), self.today
        end = min(end, self.today)  # nothing has happened after today
        if start > end:
            raise forms.ValidationError(_("Fra-datoen må være før til-datoen, og ikke etter i dag."))
        if (end - start).days > LONGEST_PERIOD_DAYS:
            raise forms.ValidationError(_("Velg en periode på høyst ti år."))
        data["period"] = Period(start, end, by_quarter=data.get("inndeling") == QUARTER)
        return data

    @property
    def municipality(self) -> Municipality:
        return self.municipalities[self.cleaned_data["kommune"]]

    @property
    def period(self) -> Period:
        period: Period = self.cleaned_data["period"]
        return period

"""Forms for turning a log into an individual plan and writing its extra parts (issue 15 §6)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import BoundedForm
from stafett.logs.forms import DateInput
from stafett.logs.models import TEXT_LONG, TEXT_SHORT

OWN_GOALS_HELP = "Skriv med barnets eller ungdommens egne ord hva hen ønsker å få til. Du kan fylle ut dette senere."


class MakeIndividualPlanForm(BoundedForm):
    guardians_consented = forms.BooleanField(
        label=_("De foresatte har samtykket skriftlig til individuell plan"),
        help_text=_("Det signerte samtykket legges i tjenestestedets journal, som samtykkeskjemaet ellers."),
        error_messages={"required": _("Du kan bare lage individuell plan når de foresatte har samtykket skriftlig.")},
    )
    consented_on = forms.DateField(label=_("Dato for samtykket"), widget=DateInput(), initial=timezone.localdate)
    own_goals = forms.CharField(
        label=_("Mine egne mål"), help_text=OWN_GOALS_HELP, widget=forms.Textarea, max_length=TEXT_LONG, required=False
    )


class OwnGoalsForm(BoundedForm):
    text = forms.CharField(
        label=_("Mine egne mål"), help_text=OWN_GOALS_HELP, widget=forms.Textarea, max_length=TEXT_LONG, required=False
    )


class PlanDecisionForm(BoundedForm):
    text = forms.CharField(label=_("Vedtak"), help_text=_("Hva er vedtatt, og av hvem."), max_length=TEXT_SHORT)
    decided_on = forms.DateField(label=_("Vedtaksdato"), widget=DateInput())

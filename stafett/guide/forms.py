from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.guide.models import NOTE_LENGTH, DecisionKind, GuideStep, GuideTimeline, MaintainingFactors
from stafett.guide.source import guide, level_label
from stafett.guide.toolbox import all_sections
from stafett.lib.forms import BoundedForm, BoundedModelForm

FACTORS_SLUG = "opprettholdende-faktorer"


class StepForm(BoundedModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = GuideStep
        fields = ["title", "how", "who"]
        widgets = {"how": forms.Textarea(attrs={"rows": 10}), "who": forms.TextInput()}


class StartForm(BoundedForm):
    level = forms.ChoiceField(label=_("Nivå"))

    def __init__(self, *args: object, levels: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["level"].choices = [(lv, level_label(lv)) for lv in levels]  # type: ignore[attr-defined]


class DecisionForm(BoundedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Beslutning"), choices=DecisionKind.choices, widget=forms.RadioSelect)
    keep_level = forms.BooleanField(
        label=_("Fortsett også på dette nivået (parallelt)"),
        required=False,
        help_text=_("Gjelder når du går opp eller ned ett nivå."),
    )
    note = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kort: hva ble bestemt, og hvem var med på beslutningen?"),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimelineForm(BoundedModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = GuideTimeline
        fields = [
            "report_received_on",
            "public_reporter",
            "reporter_informed_on",
            "investigation_extended",
            "investigation_concluded_on",
            "measures_decided_on",
            "measures_evaluated_on",
        ]
        widgets = {
            "report_received_on": DateInput(),
            "reporter_informed_on": DateInput(),
            "investigation_concluded_on": DateInput(),
            "measures_decided_on": DateInput(),
            "measures_evaluated_on": DateInput(),
        }


def factor_prompts() -> dict[str, list[str]]:
    """The seed's prompts for each part of the analysis, by MaintainingFactors field (data file)."""
    tool = guide().toolbox[FACTORS_SLUG]
    return {s.field: list(s.items) for s in all_sections(tool.content.sections) if s.field}


class MaintainingFactorsForm(BoundedModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = MaintainingFactors
        fields = ["focus", "in_child", "in_home", "in_service", "child_voice", "where_to_act"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, prompts in factor_prompts().items():
            if name in self.fields:
                self.fields[name].help_text = prompt_text(prompts)


def prompt_text(prompts: list[str]) -> str:
    if all(p.endswith("?") for p in prompts):
        return " ".join(prompts)
    return gettext("Tenk på: %(prompts)s.") % {"prompts": "; ".join(p[:1].lower() + p[1:] for p in prompts)}

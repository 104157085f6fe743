from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import BoundedForm
from stafett.people.models import Unit
from stafett.undring.actions import DiscussionData, Reflection
from stafett.undring.models import DIMENSION_HINTS, TEXT, URO_SCALE, ConcernCategory, ConcernNote, Dimension

RATING_CHOICES = [
    ("", _("Ikke vurdert")),
    *((str(n), format_lazy("{} – {}", n, text)) for n, text in URO_SCALE.items()),
]


class ReflectionForm(BoundedForm):
    about = forms.CharField(
        label=_("Hvem gjelder undringen?"),
        max_length=80,
        error_messages={"required": _("Skriv hvem undringen gjelder, for eksempel fornavn og avdeling.")},
        help_text=_("For eksempel fornavn og avdeling. Ikke fødselsnummer."),
    )
    why = forms.CharField(
        label=_("Beskriv med dine egne ord hvorfor du undrer deg"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv det du har sett og hørt – ikke tolkninger av hva det kan bety."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for d in Dimension:
            question = str(d.label)
            self.fields[f"text_{d.value}"] = forms.CharField(
                label=d.label,
                help_text=DIMENSION_HINTS[d],
                max_length=TEXT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"rating_{d.value}"] = forms.TypedChoiceField(
                label=gettext("Min grad av uro (1–7): %(question)s") % {"question": question[0].lower() + question[1:]},
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )

    @classmethod
    def initial_from(cls, note: ConcernNote) -> dict[str, object]:
        initial: dict[str, object] = {"about": note.about, "why": note.why}
        for d in Dimension:
            initial[f"text_{d.value}"] = note.texts.get(d.value, "")
            initial[f"rating_{d.value}"] = note.ratings.get(d.value, "")
        return initial

    def reflection(self) -> Reflection:
        d = self.cleaned_data
        return Reflection(
            about=d["about"],
            why=d["why"],
            ratings={k.value: d[f"rating_{k.value}"] for k in Dimension},
            texts={k.value: d[f"text_{k.value}"] for k in Dimension},
        )

    def dimensions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"text_{d.value}"], self[f"rating_{d.value}"]) for d in Dimension]


class TalkForm(BoundedForm):
    talk_with = forms.CharField(
        label=_("Hvem snakket du med (eller skal du snakke med)?"),
        max_length=120,
        error_messages={"required": _("Skriv hvem du snakket (eller skal snakke) med.")},
        help_text=_("For eksempel barnet, foresatte, kollega eller leder."),
    )
    talk_on = forms.DateField(label=_("Når"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    talk_result = forms.CharField(
        label=_("Hva kom fram?"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Fyll inn etter samtalen. Da kan du avklare om det er grunn til bekymring."),
    )


class ConcernForm(BoundedForm):
    categories = forms.MultipleChoiceField(
        label=_("Hva gjelder bekymringen?"),
        choices=ConcernCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kryss av for minst én ting bekymringen gjelder.")},
    )
    concern = forms.CharField(
        label=_("Bekymringen, konkret"),
        max_length=TEXT,
        error_messages={"required": _("Beskriv bekymringen konkret: hva har du sett og hørt?")},
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            _("Hva har du sett og hørt, hvor ofte, og siden når? Dette blir teksten om bekymringen i stafettloggen.")
        ),
    )


class NoteChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ConcernNote) -> str:
        return f"{obj.about} ({obj.get_step_display()})"


class DiscussionForm(BoundedForm):
    """seeds/004: the case discussed anonymously with the resource team — no name, no number."""

    discussed_on = forms.DateField(
        label=_("Dato for drøftingen"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Skriv datoen for drøftingen."), "invalid": _("Skriv en gyldig dato.")},
    )
    team_unit = forms.ModelChoiceField(
        label=_("Ressursteam"), queryset=Unit.objects.none(), required=False, empty_label=_("Annet (skriv under)")
    )
    team = forms.CharField(
        label=_("Ressursteam (navn)"),
        max_length=120,
        required=False,
        help_text=_("For eksempel «Tverrfaglig ressursteam, Fjordvik barnehager»."),
    )
    outcome = forms.CharField(
        label=_("Hva kom fram i drøftingen?"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv hva som kom fram i drøftingen.")},
        help_text=_("Uten navn, fødselsnummer eller annet som kan vise hvem barnet er."),
    )
    next_step = forms.CharField(
        label=_("Neste steg"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For eksempel: undringssamtale med foresatte, eller åpne en stafettlogg med samtykke."),
    )
    note = NoteChoice(
        label=_("Knytt til en av dine undringer"),
        queryset=ConcernNote.objects.none(),
        required=False,
        empty_label=_("Ingen"),
        help_text=_("Bare du ser koblingen. Undringen slettes fortsatt når den avsluttes; drøftingen blir stående."),
    )
    # The names the employee was warned about and confirmed by saving again.
    names_seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)

    def __init__(self, *args: Any, teams: QuerySet[Unit], notes: QuerySet[ConcernNote], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team_unit"].queryset = teams  # type: ignore[attr-defined]
        if not teams.exists():
            del self.fields["team_unit"]
            self.fields["team"].label = gettext("Ressursteam")
        self.fields["note"].queryset = notes  # type: ignore[attr-defined]
        if not notes.exists():
            del self.fields["note"]

    def discussion(self) -> DiscussionData:
        d = self.cleaned_data
        return DiscussionData(
            discussed_on=d["discussed_on"],
            outcome=d["outcome"],
            team=d["team"],
            team_unit=d.get("team_unit"),
            next_step=d["next_step"],
            note=d.get("note"),
        )

    def confirmed_names(self) -> set[str]:
        return {n for n in self.cleaned_data.get("names_seen", "").split(",") if n}

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import BoundedForm
from stafett.lib.plain_language import plain_language_hints
from stafett.logs.actions import MeasureData, default_consent_end
from stafett.logs.actions.consent import missing_signature
from stafett.logs.models import (
    GOOD_MEETINGS_AGENDA,
    Arena,
    ChallengeCategory,
    ChildAttends,
    CloseReason,
    Decision,
    Level,
    LogTemplate,
    MeasureCategory,
    NeedExtent,
    RelayLog,
    TransitionKind,
    UnsignedReason,
)
from stafett.people.actions import PersonData
from stafett.people.forms import NationalIdField
from stafett.people.models import Membership, Person, ServiceType, Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PlainLanguageForm(BoundedForm):
    """Collects friendly plain-language hints for free-text fields; they never block saving."""

    plain_fields: tuple[str, ...] = ()

    def hints(self) -> dict[str, list[str]]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {f: h for f in self.plain_fields if (h := plain_language_hints(str(data.get(f) or "")))}


class FindChildForm(BoundedForm):
    national_id = NationalIdField(label=_("Barnets fødselsnummer eller D-nummer"))


class OpenLogForm(BoundedForm):
    services = forms.MultipleChoiceField(
        label=_("Tjenester som kan delta"),
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kryss av for tjenestene de foresatte har samtykket til."),
    )
    not_shared = forms.CharField(
        label=_("Dette skal ikke deles"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Opplysninger eller tjenester de foresatte ikke vil at skal deles."),
    )
    valid_until = forms.DateField(label=_("Samtykket gjelder til"), widget=DateInput())
    level = forms.TypedChoiceField(
        label=_("Samtykket gjelder til og med"),
        choices=Level.choices,
        coerce=int,
        initial=Level.TWO,
        help_text=_("Samarbeid mellom flere tjenester er nivå 2. Nivå 3 gjelder barnevern eller sammensatte behov."),
    )
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signert av"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unsigned_reason = forms.ChoiceField(
        label=_("Hvis ikke alle foresatte har signert: hvorfor"),
        choices=[("", _("Alle foresatte har signert")), *UnsignedReason.choices],
        widget=forms.RadioSelect,
        required=False,
        initial="",
        help_text=_("Alle foresatte med foreldreansvar skal signere, med mindre det er en god grunn."),
    )
    unsigned_note = forms.CharField(
        label=_("Forklaring"),
        max_length=300,
        required=False,
        help_text=_("Skriv kort hvorfor, for eksempel hvem som har foreldreansvaret, eller hva dere har prøvd."),
    )
    document = forms.FileField(
        label=_("Signert samtykkeskjema"), help_text=_("PDF, JPG eller PNG. Skann eller ta bilde av skjemaet.")
    )
    holder = forms.ModelChoiceField(label=_("Stafettholder"), queryset=Person.objects.none(), required=False)
    template = forms.ModelChoiceField(label=_("Mal"), queryset=LogTemplate.objects.all(), required=False)
    initiated_by = forms.CharField(label=_("Hvem tok initiativet"), max_length=120, required=False)
    initiator_text = forms.CharField(
        label=_("Hva er bekymringen?"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        signers: list[Person],
        guardians: list[Person],
        holders: list[Person] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = default_consent_end()
        offer_signatories(self, signers, guardians)
        if holders:
            self.fields["holder"].queryset = Person.objects.filter(id__in=[p.id for p in holders])  # type: ignore[attr-defined]
            self.fields["holder"].help_text = _(
                "Som leder kan du utnevne en annen. Står det tomt, blir du stafettholder."
            )
        else:
            del self.fields["holder"]

    def clean(self) -> dict[str, Any]:
        return check_signatures(self)


def offer_signatories(form: forms.Form, signers: list[Person], guardians: list[Person]) -> None:
    """Only those who may sign are offered (actions.may_sign): a young child never is."""
    field = form.fields["signatories"]
    field.queryset = Person.objects.filter(id__in=[p.id for p in signers]).order_by("given_name")  # type: ignore[attr-defined]
    field.label_from_instance = lambda p: p.full_name  # type: ignore[attr-defined]
    form.guardians = guardians  # type: ignore[attr-defined]


def check_signatures(form: forms.Form) -> dict[str, Any]:
    """All guardians with parental responsibility sign, unless the holder says why not."""
    data = form.cleaned_data
    signed = set(data.get("signatories") or [])
    missing = sorted(set(form.guardians) - signed, key=lambda p: p.full_name)  # type: ignore[attr-defined]
    if signed and missing and not (data.get("unsigned_reason") and (data.get("unsigned_note") or "").strip()):
        form.add_error("unsigned_reason", missing_signature(missing))
    return data


class OverviewForm(PlainLanguageForm):
    plain_fields = ("presentation", "initiator_text", "strengths", "challenges")
    version = forms.IntegerField(widget=forms.HiddenInput)
    presentation = forms.CharField(
        label=_("Presentasjon"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kort om barnet. Foresatte kan gjerne skrive denne."),
    )
    initiated_by = forms.CharField(label=_("Hvem tok initiativet"), max_length=120, required=False)
    initiator_text = forms.CharField(
        label=_("Bekymringen"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    strengths = forms.CharField(
        label=_("Styrker"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skriv punktvis: sosialt, følelsesmessig og faglig."),
    )
    challenges = forms.CharField(
        label=_("Utfordringer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skriv punktvis og konkret."),
    )
    challenge_categories = forms.MultipleChoiceField(
        label=_("Utfordringer gjelder"),
        choices=ChallengeCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    need_extent = forms.TypedChoiceField(
        label=_("Omfang av behov"),
        choices=[("", _("Ikke vurdert")), *NeedExtent.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    level = forms.TypedChoiceField(label=_("Nivå"), choices=Level.choices, coerce=int)
    level_reason = forms.CharField(label=_("Begrunnelse hvis nivået endres"), max_length=300, required=False)
    interpreter_needed = forms.BooleanField(label=_("Behov for tolk"), required=False)
    interpreter_language = forms.CharField(label=_("Språk for tolk"), max_length=60, required=False)
    has_individual_decision = forms.BooleanField(
        label=_("Barnet har enkeltvedtak"),
        required=False,
        help_text=_("Da arkiveres loggen hvert år, senest fire uker etter at barnehage- eller skoleåret er slutt."),
    )

    @classmethod
    def for_log(cls, log: RelayLog) -> "OverviewForm":
        initial = {f: getattr(log, f) for f in cls.base_fields if hasattr(log, f)}
        return cls(initial=initial)


class GoalForm(PlainLanguageForm):
    plain_fields = ("text",)
    arena = forms.ChoiceField(label=_("Arena"), choices=Arena.choices)
    text = forms.CharField(label=_("Mål"), max_length=300, help_text=_("Hva vil vi oppnå? Kort og konkret."))


class MeasureForm(PlainLanguageForm):
    plain_fields = ("what",)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    what = forms.CharField(label=_("Tiltak"), max_length=300, help_text=_("Hvem gjør hva? Kort og konkret."))
    category = forms.ChoiceField(label=_("Kategori"), choices=MeasureCategory.choices)
    responsible = forms.ModelChoiceField(label=_("Ansvarlig"), queryset=Person.objects.none())
    deadline = forms.DateField(label=_("Frist"), widget=DateInput())
    evaluation_date = forms.DateField(label=_("Evalueres"), widget=DateInput())

    def __init__(self, *args: Any, choices: list[tuple[Person, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {p.id: label for p, label in choices}
        field = self.fields["responsible"]
        field.queryset = Person.objects.filter(id__in=labels)  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: labels[p.id]  # type: ignore[attr-defined]

    def measure_data(self) -> MeasureData:
        d = self.cleaned_data
        return MeasureData(
            what=d["what"],
            category=d["category"],
            responsible=d["responsible"],
            deadline=d["deadline"],
            evaluation_date=d["evaluation_date"],
        )


class ParticipantForm(BoundedForm):
    member = forms.ChoiceField(label=_("Person og tjenestested"))
    extra_reason = forms.CharField(
        label=_("Begrunnelse hvis det allerede er en deltaker fra samme sted"), max_length=300, required=False
    )
    notify_message = forms.BooleanField(label=_("Varsel om ny melding"), required=False, initial=True)
    notify_calendar = forms.BooleanField(label=_("Varsel om kalenderoppføring"), required=False, initial=True)
    notify_comment = forms.BooleanField(label=_("Varsel om kommentar"), required=False)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Velg …")), *members]  # type: ignore[attr-defined]


class EvaluationForm(PlainLanguageForm):
    plain_fields = ("effect_child", "effect_guardians", "effect_holder", "effect_others", "new_measures_needed")
    carried_out = forms.TypedChoiceField(
        label=_("Er tiltaket gjennomført?"),
        choices=[("ja", _("Ja")), ("nei", _("Nei"))],
        coerce=lambda v: v == "ja",
        widget=forms.RadioSelect,
    )
    effect_child = forms.CharField(
        label=_("Hvordan oppleves effekten for barnet/ungdommen?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    effect_guardians = forms.CharField(
        label=_("… for foresatte?"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    effect_holder = forms.CharField(
        label=_("… for stafettholder?"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    effect_others = forms.CharField(
        label=_("… for andre aktører?"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(
        label=_("Bør tiltaket fortsette, justeres eller avsluttes?"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        help_text=_("Tiltak som ikke har effekt, avsluttes."),
    )
    new_measures_needed = forms.CharField(
        label=_("Er det behov for nye tiltak?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    closing_answer = forms.CharField(
        label=_("Er det noe du tenker kunne vært annerledes – og som vi kan ta med oss til neste møte?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingForm(BoundedForm):
    title = forms.CharField(label=_("Tittel"), max_length=120, initial="Stafettmøte")
    starts_at = forms.DateTimeField(label=_("Dato og klokkeslett"), widget=DateTimeInput())
    duration_minutes = forms.IntegerField(label=_("Varighet i minutter"), min_value=15, max_value=480, initial=60)
    place = forms.CharField(label=_("Sted"), max_length=200)
    agenda = forms.CharField(
        label=_("Dagsorden («Gode møter»)"),
        max_length=2000,
        initial=GOOD_MEETINGS_AGENDA,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class MeetingEditForm(MeetingForm):
    """Change or move a planned meeting; the invitation is updated for everyone."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    off_routine_reason = forms.CharField(
        label=_("Begrunnelse for tidspunktet"),
        max_length=300,
        required=False,
        help_text=_("Bare om møtet er senere enn rutinen sier (overgangsmøte 2: innen to uker etter skolestart)."),
    )


class CancelMeetingForm(BoundedForm):
    reason = forms.CharField(
        label=_("Hvorfor avlyses møtet?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Deltakerne og de foresatte ser årsaken i loggen."),
    )


class MinutesForm(PlainLanguageForm):
    plain_fields = ("minutes",)
    version = forms.IntegerField(widget=forms.HiddenInput)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Til stede"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        label=_("Kort referat"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Hva ble bestemt, hvem gjør hva, og når?"),
    )
    next_meeting_date = forms.DateField(label=_("Neste møte"), required=False, widget=DateInput())
    # seeds/000, seeds/003 4.5: asked every time, so the child's part in the meetings is on record.
    child_attends = forms.ChoiceField(
        label=_("Deltok barnet/ungdommen i møtet?"),
        choices=ChildAttends.choices,
        widget=forms.RadioSelect,
    )
    child_attends_note = forms.CharField(
        label=_("Om barnets deltakelse"),
        max_length=300,
        required=False,
        help_text=_("For eksempel: var med den første halvtimen, eller ble spurt på forhånd."),
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = Person.objects.filter(id__in=[p.id for p in people])  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: p.full_name  # type: ignore[attr-defined]


class MessageForm(BoundedForm):
    text = forms.CharField(label=_("Melding"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.UUIDField(required=False, widget=forms.HiddenInput)


class RegisterChildForm(BoundedForm):
    """The child and one or two guardians, when the child is not yet in Stafett."""

    national_id = NationalIdField(label=_("Barnets fødselsnummer eller D-nummer"))
    given_name = forms.CharField(label=_("Barnets fornavn"), max_length=100)
    family_name = forms.CharField(label=_("Barnets etternavn"), max_length=100)
    g1_national_id = NationalIdField(label=_("Foresatt 1: fødselsnummer"))
    g1_given_name = forms.CharField(label=_("Foresatt 1: fornavn"), max_length=100)
    g1_family_name = forms.CharField(label=_("Foresatt 1: etternavn"), max_length=100)
    g1_phone = forms.CharField(label=_("Foresatt 1: mobil"), max_length=20, required=False)
    g1_email = forms.EmailField(label=_("Foresatt 1: e-post"), required=False)
    g2_national_id = NationalIdField(label=_("Foresatt 2: fødselsnummer"), required=False)
    g2_given_name = forms.CharField(label=_("Foresatt 2: fornavn"), max_length=100, required=False)
    g2_family_name = forms.CharField(label=_("Foresatt 2: etternavn"), max_length=100, required=False)
    g2_phone = forms.CharField(label=_("Foresatt 2: mobil"), max_length=20, required=False)
    g2_email = forms.EmailField(label=_("Foresatt 2: e-post"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        g2 = [data.get(f"g2_{f}") for f in ("national_id", "given_name", "family_name")]
        if any(g2) and not all(g2):
            raise forms.ValidationError(
                _("Fyll ut fødselsnummer, fornavn og etternavn for foresatt 2, eller la alt stå tomt.")
            )
        return data

    def child(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(given_name=d["given_name"], family_name=d["family_name"], national_id=d["national_id"])

    def guardians(self) -> list[PersonData]:
        d = self.cleaned_data
        return [
            PersonData(
                given_name=d[f"{g}_given_name"],
                family_name=d[f"{g}_family_name"],
                national_id=d[f"{g}_national_id"],
                phone=d[f"{g}_phone"],
                email=d[f"{g}_email"],
            )
            for g in ("g1", "g2")
            if d.get(f"{g}_national_id")
        ]


class PhotoForm(BoundedForm):
    photo = forms.FileField(label=_("Bilde (JPG eller PNG)"), required=False)
    remove = forms.BooleanField(label=_("Fjern bildet"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("photo") and not data.get("remove"):
            raise forms.ValidationError(_("Velg et bilde, eller kryss av for å fjerne bildet."))
        return data


class GoalEditForm(PlainLanguageForm):
    plain_fields = ("text",)
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Mål"), max_length=300, help_text=_("Hva vil vi oppnå? Kort og konkret."))


class RenewConsentForm(BoundedForm):
    services = OpenLogForm.base_fields["services"]
    not_shared = OpenLogForm.base_fields["not_shared"]
    valid_until = OpenLogForm.base_fields["valid_until"]
    level = OpenLogForm.base_fields["level"]
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signert av"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    unsigned_reason = OpenLogForm.base_fields["unsigned_reason"]
    unsigned_note = OpenLogForm.base_fields["unsigned_note"]
    document = OpenLogForm.base_fields["document"]

    def __init__(self, *args: Any, signers: list[Person], guardians: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = default_consent_end()
        offer_signatories(self, signers, guardians)

    def clean(self) -> dict[str, Any]:
        return check_signatures(self)


class ReopenForm(RenewConsentForm):
    concern = forms.CharField(
        label=_("Hva er den nye bekymringen?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Blir loggens bekymring. Den forrige ligger i arkivkopien fra da loggen ble avsluttet."),
    )

    field_order = ["concern"]


class HandoverForm(BoundedForm):
    member = forms.ChoiceField(label=_("Ny stafettholder"))
    note = forms.CharField(label=_("Kommentar til den nye stafettholderen"), max_length=300, required=False)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Velg …")), *members]  # type: ignore[attr-defined]


class AcceptHandoverForm(BoundedForm):
    # issue 15 §8 (seeds/000 «passiviser eller legg til deltakere»): stays, passive, or leaves.
    old_holder_stays = forms.ChoiceField(
        label=_("Hva skjer med den forrige stafettholderen?"),
        choices=[
            ("nei", _("Går ut av loggen. Det hen har skrevet, står der fortsatt.")),
            ("ja", _("Blir med som deltaker")),
            ("passiv", _("Blir passiv: kan lese historikken, men ikke skrive, og får ingen varsler")),
        ],
        widget=forms.RadioSelect,
        initial="nei",
        required=False,
        help_text=_("Vurder om dere trenger å samarbeide videre, for eksempel med barnehagen."),
    )
    take_measures = forms.BooleanField(
        label=_("Jeg overtar tiltakene den forrige stafettholderen har ansvar for"),
        required=False,
        initial=True,
        help_text=_(
            "Ellers står de som «Trenger ny ansvarlig» til noen har tatt dem. Gjelder ikke om hen blir deltaker."
        ),
    )

    def old_holder_choice(self) -> dict[str, bool]:
        choice = self.cleaned_data.get("old_holder_stays") or "nei"
        return {
            "old_holder_stays": choice == "ja",
            "old_holder_passive": choice == "passiv",
            "take_old_holders_measures": bool(self.cleaned_data.get("take_measures")),
        }


class DeclineForm(BoundedForm):
    reason = forms.CharField(label=_("Hvorfor sier du nei?"), max_length=300, required=False)


class CloseForm(BoundedForm):
    reason = forms.ChoiceField(
        label=_("Hvorfor avsluttes loggen?"),
        widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in CloseReason if c != CloseReason.DELETION],
    )


class DigitalConsentForm(BoundedForm):
    services = OpenLogForm.base_fields["services"]
    not_shared = OpenLogForm.base_fields["not_shared"]
    valid_until = OpenLogForm.base_fields["valid_until"]
    level = OpenLogForm.base_fields["level"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = default_consent_end()


class TransitionForm(BoundedForm):
    kind = forms.ChoiceField(label=_("Overgang"), choices=TransitionKind.choices)
    to_unit = forms.ModelChoiceField(label=_("Mottakende skole"), queryset=Unit.objects.none())
    sfo_unit = forms.ModelChoiceField(
        label=_("SFO (hvis barnet skal gå der)"), queryset=Unit.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("Skolestart"), widget=DateInput())
    significant_needs = forms.BooleanField(
        label=_("Betydelige behov for tilrettelegging"),
        required=False,
        help_text=_("Omfattende fysiske tiltak eller eget opplegg deler av dagen. Skolen varsles da ett år tidligere."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = Unit.objects.filter(service_type=ServiceType.SKOLE)  # type: ignore[attr-defined]
        self.fields["sfo_unit"].queryset = Unit.objects.filter(service_type=ServiceType.SFO)  # type: ignore[attr-defined]


class ContactTeacherForm(BoundedForm):
    teacher = forms.ModelChoiceField(label=_("Kontaktlærer"), queryset=Person.objects.none())

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        # On the staff list today: an end date entered ahead keeps the teacher until that day.
        on_staff = Membership.objects.active().filter(unit=unit)
        field.queryset = Person.objects.filter(memberships__in=on_staff).distinct()  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: p.full_name  # type: ignore[attr-defined]


class TransitionMeetingForm(BoundedForm):
    starts_at = forms.DateTimeField(label=_("Dato og klokkeslett"), widget=DateTimeInput())
    place = forms.CharField(label=_("Sted"), max_length=200)
    off_routine_reason = forms.CharField(
        label=_("Begrunnelse for tidspunktet"),
        max_length=300,
        required=False,
        help_text=_("Bare om møtet er senere enn rutinen sier."),
    )
    set_evaluation_dates = forms.BooleanField(
        label=_("Sett evalueringsdatoen for tiltakene til møtedatoen"),
        required=False,
        help_text=_("Tiltakene evalueres i overgangsmøte 2. Tiltak med frist etter møtet beholder datoen sin."),
    )

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if number != 2:
            del self.fields["set_evaluation_dates"]

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett.followup.notification_choices import Choices
from stafett.lib.forms import BoundedForm
from stafett.logs.models import Participant
from stafett.notify.models import Preferences

KINDS = (
    ("new_message", gettext_lazy("Ny melding")),
    ("calendar", gettext_lazy("Nytt møte i kalenderen")),
    ("comment", gettext_lazy("Ny kommentar")),
)


class PreferencesForm(BoundedForm):
    by_email = forms.BooleanField(label=gettext_lazy("På e-post"), required=False)
    by_sms = forms.BooleanField(label=gettext_lazy("På SMS"), required=False)

    def __init__(
        self, *args: object, person_email: str, person_phone: str, participations: list[Participant], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email, self.phone = person_email, person_phone
        self.fields["by_email"].help_text = (
            _("Til %(address)s") % {"address": person_email}
            if person_email
            else _("Vi har ingen e-postadresse til deg.")
        )
        sms_to = (
            _("Til %(address)s") % {"address": person_phone} if person_phone else _("Vi har ikke mobilnummeret ditt.")
        )
        either = _("Velger du ingen av delene, sender vi SMS hvis vi har nummeret ditt.")
        self.fields["by_sms"].help_text = f"{sms_to} {either}"
        self.participations = participations
        for name, label in KINDS:
            self.fields[f"general_{name}"] = forms.BooleanField(label=label, required=False)
        for p in participations:
            for name, label in KINDS:
                self.fields[f"log_{p.id}_{name}"] = forms.BooleanField(label=label, required=False)

    @classmethod
    def initial_from(cls, prefs: Preferences, participations: list[Participant]) -> dict[str, bool]:
        initial = {"by_email": prefs.by_email, "by_sms": prefs.by_sms}
        for name, _label in KINDS:
            initial[f"general_{name}"] = getattr(prefs, name)
        for p in participations:
            initial.update(
                {
                    f"log_{p.id}_new_message": p.notify_message,
                    f"log_{p.id}_calendar": p.notify_calendar,
                    f"log_{p.id}_comment": p.notify_comment,
                }
            )
        return initial

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("by_email") and not self.email:
            self.add_error("by_email", _("Vi har ingen e-postadresse til deg. Be tjenestestedet registrere den."))
        if data.get("by_sms") and not self.phone:
            self.add_error("by_sms", _("Vi har ikke mobilnummeret ditt. Be tjenestestedet registrere det."))
        return data

    def general(self) -> Choices:
        return Choices(*(bool(self.cleaned_data[f"general_{name}"]) for name, _ in KINDS))

    def per_log(self) -> dict[int, Choices]:
        return {
            p.id: Choices(*(bool(self.cleaned_data[f"log_{p.id}_{name}"]) for name, _ in KINDS))
            for p in self.participations
        }

    def log_fields(self) -> list[tuple[Participant, list[forms.BoundField]]]:
        return [(p, [self[f"log_{p.id}_{name}"] for name, _ in KINDS]) for p in self.participations]

    def general_fields(self) -> list[forms.BoundField]:
        return [self[f"general_{name}"] for name, _ in KINDS]

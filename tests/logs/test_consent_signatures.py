"""Who signs a paper consent (issue 15 §8, seeds/001 §6): every guardian with parental
responsibility signs unless the holder records why not; only those who may sign are offered;
the health station's holder may name skolehelsetjeneste."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett.logs import actions
from stafett.logs.forms import OpenLogForm
from stafett.logs.models import Consent, RelayLog, UnsignedReason
from stafett.people.models import Guardianship
from tests.conftest import make_person
from tests.logs.conftest import pdf_upload


@pytest.fixture
def martin(cast):
    martin = make_person("Martin", "Hansen", born=date(1988, 9, 9), serial=2)
    Guardianship.objects.create(guardian=martin, child=cast.emma)
    return martin


def open_for_emma(cast, consent):
    return actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)


def test_consent_signed_by_one_of_two_guardians_without_a_reason_is_refused(cast, martin, make_consent):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(signatories=[cast.silje]))
    assert "Martin Hansen har ikke signert" in " ".join(e.value.message_dict["unsigned_reason"])
    assert not RelayLog.objects.exists()


def test_consent_signed_by_one_guardian_is_accepted_when_the_holder_records_why(cast, martin, make_consent):
    consent = make_consent(
        signatories=[cast.silje],
        unsigned_reason=UnsignedReason.UNREACHABLE,
        unsigned_note="Bor i utlandet, ikke svart.",
    )
    log = open_for_emma(cast, consent)
    saved = log.consents.get()
    assert saved.unsigned_reason == UnsignedReason.UNREACHABLE
    assert saved.unsigned_note == "Bor i utlandet, ikke svart."


def test_a_reason_without_an_explanation_is_not_enough(cast, martin, make_consent):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(signatories=[cast.silje], unsigned_reason=UnsignedReason.SOLE_RESPONSIBILITY))
    assert "unsigned_reason" in e.value.message_dict


def test_when_both_guardians_sign_no_reason_is_stored(cast, martin, make_consent):
    consent = make_consent(
        signatories=[cast.silje, martin], unsigned_reason=UnsignedReason.UNREACHABLE, unsigned_note="x"
    )
    saved = open_for_emma(cast, consent).consents.get()
    assert saved.unsigned_reason == "" and saved.unsigned_note == ""


def form_data(cast, **overrides):
    data = {
        "services": ["barnehage"],
        "valid_until": (timezone.localdate() + timedelta(days=700)).isoformat(),
        "level": 2,
        "signatories": [cast.silje.id],
    }
    data.update(overrides)
    return data


def test_the_form_refuses_one_of_two_ticked_without_a_reason_in_norwegian(cast, martin):
    files = {"document": pdf_upload()}
    guardians = [cast.silje, martin]
    form = OpenLogForm(form_data(cast), files, signers=guardians, guardians=guardians, holders=None)
    assert not form.is_valid()
    assert form.errors["unsigned_reason"] == [
        "Alle foresatte med foreldreansvar skal signere. Martin Hansen har ikke signert: kryss av for "
        "vedkommende, eller velg hvorfor og forklar kort."
    ]
    reason = {"unsigned_reason": UnsignedReason.SOLE_RESPONSIBILITY, "unsigned_note": "Tingrettens dom 2024."}
    form = OpenLogForm(
        form_data(cast, **reason), {"document": pdf_upload()}, signers=guardians, guardians=guardians, holders=None
    )
    assert form.is_valid(), form.errors


def test_young_children_are_not_offered_as_signatories_but_a_youth_is(client, cast, martin):
    ten = make_person(
        "Ida",
        "Hansen",
        born=timezone.localdate().replace(year=timezone.localdate().year - 10) - timedelta(days=3),
        serial=3,
    )
    Guardianship.objects.create(guardian=cast.silje, child=ten)
    client.force_login(cast.kari)
    for child, offered in [(cast.emma, False), (ten, False), (cast.jonas, True)]:
        page = client.get(reverse("logs:open", args=[cast.kindergarten.code, child.code]))
        signers = list(page.context["form"].fields["signatories"].queryset)
        assert (child in signers) is offered, child.given_name
        assert cast.silje in signers


def test_a_child_below_the_signing_age_cannot_be_recorded_as_signatory(cast, make_consent):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(signatories=[cast.silje, cast.emma]))
    assert any("fra 15 år" in m for m in e.value.message_dict["signatories"])


def test_open_page_refuses_one_of_two_guardians_and_keeps_nothing(client, cast, martin):
    client.force_login(cast.kari)
    data = form_data(cast, document=pdf_upload())
    response = client.post(reverse("logs:open", args=[cast.kindergarten.code, cast.emma.code]), data)
    assert response.status_code == 400
    assert "Martin Hansen har ikke signert" in response.content.decode()
    assert not Consent.objects.exists()


# --- Helsestasjon og skolehelsetjeneste are one service ----------------------------------------


def test_health_station_holder_may_name_skolehelsetjeneste(cast, make_consent):
    consent = make_consent(services=["skolehelse"], collected_at_unit=cast.health_station)
    log = actions.open_log(actor=cast.nina, subject=cast.emma, unit=cast.health_station, consent=consent)
    assert log.consents.get().services == ["skolehelse"]


def test_consent_not_naming_the_holders_service_is_refused_with_both_names(cast, make_consent):
    consent = make_consent(services=["barnehage"], collected_at_unit=cast.health_station)
    with pytest.raises(ValidationError) as e:
        actions.open_log(actor=cast.nina, subject=cast.emma, unit=cast.health_station, consent=consent)
    assert e.value.message_dict["services"] == [
        "Samtykket må gjelde helsestasjon eller skolehelsetjeneste, der stafettholderen arbeider."
    ]

"""The guide's toolbox (issue 6 §4): full pages from seeds/004, the printable consent and
evaluation forms (page and PDF) with exactly the app's fields, and the analysis of
maintaining factors recorded on a log."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from stafett.audit.models import AuditEvent
from stafett.guide import actions as guide_actions
from stafett.guide.forms import FACTORS_SLUG, factor_prompts
from stafett.guide.models import MaintainingFactors
from stafett.guide.source import guide
from stafett.logs import actions
from stafett.logs.forms import EvaluationForm, OpenLogForm, RenewConsentForm
from stafett.logs.models import Consent, RelayLog
from tests.logs.conftest import *  # noqa: F403 - the log fixtures (log, make_consent, …)


def tool_url(slug: str) -> str:
    return reverse("guide:tool", args=[slug])


def pdf_url(slug: str) -> str:
    return reverse("guide:tool_pdf", args=[slug])


def factors_url(log: RelayLog) -> str:
    return reverse("guide:factors", args=[log.code])


def linked_slugs() -> set[str]:
    data = guide()
    return {t.slug for lv in data.levels for s in lv.steps for t in s.tools if t.slug}


def consent_field_labels() -> list[str]:
    """Every consent field the app asks for: the consent form's own, and those the form that
    opens a log has besides (the fields that are Consent's)."""
    consent = {f.name for f in Consent._meta.get_fields()}
    fields = dict(RenewConsentForm.base_fields)
    fields.update({n: f for n, f in OpenLogForm.base_fields.items() if n in consent and n not in fields})
    return [str(f.label) for f in fields.values()]


def choice_labels(field) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]


def consent_choice_labels() -> list[str]:
    fields = RenewConsentForm.base_fields
    return choice_labels(fields["services"]) + choice_labels(fields["level"])


def evaluation_labels() -> list[str]:
    return [str(f.label) for f in EvaluationForm.base_fields.values()]


def evaluation_choice_labels() -> list[str]:
    fields = EvaluationForm.base_fields
    return choice_labels(fields["carried_out"]) + choice_labels(fields["decision"])


def squash(text: str) -> str:
    return " ".join(text.split())


# --- The pages ----------------------------------------------------------------------------------


def test_every_toolbox_page_the_guide_links_to_opens_for_staff(client, cast):
    slugs = linked_slugs() | set(guide().toolbox)
    assert {"samtykkeskjema", "evalueringsskjema", "gode-moter", FACTORS_SLUG} <= slugs
    client.force_login(cast.kari)
    for slug in sorted(slugs):
        response = client.get(tool_url(slug))
        assert response.status_code == 200, slug
        assert escape(guide().toolbox[slug].title) in response.content.decode(), slug


@pytest.mark.parametrize(
    "slug, phrases",
    [
        (
            "tegn-og-signaler",
            [
                "Hvordan tolke tegn og signaler?",
                "bakgrunnskunnskap, ikke som sjekkliste",
                "Ettergivende atferd",
                "Foreldre med rusmisbruk",
                "Tegn hos foreldre eller omsorgspersoner",
                "Tenårene",
                "Tegn på at noen mobber andre",
                "Skolevegring",
                "Foresatte kontaktes ikke",
            ],
        ),
        (
            "risiko-og-beskyttelsesfaktorer",
            [
                "God tilknytning til minst én omsorgsperson",
                "Autoritær eller inkonsekvent oppdragerstil",
                "Isolasjon eller mangel på sosialt nettverk",
                "Helsedirektoratet 2018",
            ],
        ),
        (
            "fem-trinn-fra-bekymring-til-melding",
            [
                "1. Del",
                "2. Systematiser",
                "3. Konkretiser",
                "4. Gjør opp status",
                "5. Konkluder",
                "personlig meldeplikt",
                "menneskehandel",
                "skal foresatte ikke involveres",
            ],
        ),
        (
            "gode-moter",
            [
                "1. Forberedelse",
                "2. Velkommen",
                "3. Nåsituasjon",
                "4. Felles målsetning",
                "5. Valg av tiltak",
                "6. Oppsummering",
                "7. Avslutning",
                "Når det er en stafettlogg",
                "Møtet skal ikke fortsette ute på gangen.",
            ],
        ),
        (
            "evalueringsskjema",
            ["Hva evaluerer vi?", "Sjekkliste før møtet", "Barnet og familien har siste ordet", "4. Avslutning"],
        ),
        (
            FACTORS_SLUG,
            ["Hvor kommer utfordringen fra?", "Barnets virkelighetsoppfatning", "Struktur, rutiner og regler"],
        ),
    ],
)
def test_toolbox_pages_are_transcribed_from_the_seed(client, cast, slug, phrases):
    client.force_login(cast.nina)
    page = client.get(tool_url(slug)).content.decode()
    for phrase in phrases:
        assert escape(phrase) in page, phrase


def test_toolbox_pages_are_for_signed_in_people(client, cast):
    assert client.get(tool_url("tegn-og-signaler")).status_code == 302
    assert client.get(pdf_url("samtykkeskjema")).status_code == 302


# --- The printable forms -------------------------------------------------------------------------


def test_the_consent_form_has_every_consent_field_of_the_app(client, cast):
    client.force_login(cast.kari)
    page = client.get(tool_url("samtykkeskjema")).content.decode()
    for label in consent_field_labels() + consent_choice_labels():
        assert escape(label) in page, label
    for paper_only in ["Barnets navn", "Barnets fødselsnummer eller D-nummer", "Samtykke innhentet av", "Tjenestested"]:
        assert paper_only in page
    assert "Foresatt 1" in page and "Foresatt 2" in page and "Ungdommen selv (fra 15 år)" in page
    assert reverse("guide:tool_pdf", args=["samtykkeskjema"]) in page


def test_the_youth_signs_from_the_age_the_municipality_has_chosen(client, cast):
    cast.fjordvik.youth_signs_from_age = 14
    cast.fjordvik.save()
    client.force_login(cast.kari)
    page = client.get(tool_url("samtykkeskjema")).content.decode()
    assert "Ungdommen selv (fra 14 år)" in page and "Fjordvik kommune" in page


def test_the_evaluation_form_has_every_evaluation_field_of_the_app(client, cast):
    client.force_login(cast.kari)
    page = client.get(tool_url("evalueringsskjema")).content.decode()
    for label in evaluation_labels() + evaluation_choice_labels():
        assert escape(label) in page, label


@pytest.mark.parametrize(
    "slug, labels",
    [
        ("samtykkeskjema", lambda: consent_field_labels() + consent_choice_labels() + ["Samtykke innhentet av"]),
        ("evalueringsskjema", lambda: evaluation_labels() + evaluation_choice_labels()),
    ],
)
def test_the_forms_download_as_real_pdfs_with_the_apps_labels(client, cast, slug, labels):
    client.force_login(cast.nina)
    response = client.get(pdf_url(slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.pdf"'
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = squash(" ".join(p.extract_text() for p in reader.pages))
    for label in labels():
        assert squash(label) in text, label


def test_only_the_printable_forms_have_a_pdf(client, cast):
    client.force_login(cast.kari)
    assert client.get(pdf_url("gode-moter")).status_code == 404
    assert client.get(pdf_url("finnes-ikke")).status_code == 404
    assert client.post(pdf_url("samtykkeskjema")).status_code == 405


# --- The analysis of maintaining factors on a log ------------------------------------------------


def factors_data(version: int = 1, **values: str) -> dict[str, object]:
    data: dict[str, object] = {f: "" for f in guide_actions.FACTOR_FIELDS}
    data.update(values, version=version)
    return data


def test_the_analysis_follows_the_seed_and_the_model(db):
    prompts = factor_prompts()
    assert list(prompts) == guide_actions.FACTOR_FIELDS
    text_fields = [f.name for f in MaintainingFactors._meta.fields if f.get_internal_type() == "TextField"]
    assert text_fields == guide_actions.FACTOR_FIELDS
    assert "Mestringsstrategier" in prompts["in_child"]


def test_the_holder_writes_the_analysis_and_readers_see_it_on_the_log(client, cast, log):
    client.force_login(cast.kari)
    form = client.get(factors_url(log)).content.decode()
    assert "mestringsstrategier" in form and "struktur, rutiner og regler" in form
    response = client.post(
        factors_url(log),
        factors_data(focus="Emma sier lite i samlingsstund.", in_service="Store grupper og mye støy i samlingen."),
    )
    assert response.status_code == 302 and response["Location"].endswith("#opprettholdende-faktorer")
    factors = MaintainingFactors.objects.get(log=log)
    assert factors.focus == "Emma sier lite i samlingsstund." and factors.version == 2
    assert factors.updated_by_name == "Kari Lunde"
    event = AuditEvent.objects.filter(scope_code=log.code, action="guide.factors_changed").get()
    assert event.details["felt"] == ["focus", "in_service"] and event.actor_name == "Kari Lunde"
    for reader in (cast.nina, cast.silje):
        client.force_login(reader)
        page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
        assert "Store grupper og mye støy i samlingen." in page
        assert factors_url(log) not in page
    client.force_login(cast.silje)
    access_log = client.get(reverse("logs:access_log", args=[log.code])).content.decode()
    assert "Skrev analysen av opprettholdende faktorer" in access_log


def test_a_participant_reads_but_may_not_write_and_an_outsider_gets_not_found(client, cast, log):
    for who, status in [("nina", 403), ("silje", 403), ("berit", 404), ("outsider", 404)]:
        client.force_login(getattr(cast, who))
        assert client.get(factors_url(log)).status_code == status, who
        assert client.post(factors_url(log), factors_data(focus="Noe")).status_code == status, who
    client.force_login(cast.outsider)
    assert client.get(reverse("logs:detail", args=[log.code])).status_code == 404
    client.force_login(cast.kari)
    assert client.delete(factors_url(log)).status_code == 405
    assert not MaintainingFactors.objects.exists()


def test_a_stale_edit_of_the_analysis_is_refused(client, cast, log):
    guide_actions.save_maintaining_factors(actor=cast.kari, log=log, version=1, values={"focus": "Først"})
    client.force_login(cast.kari)
    response = client.post(factors_url(log), factors_data(version=1, focus="Senere, fra en gammel side"))
    assert response.status_code == 400
    assert "Noen andre har endret dette" in response.content.decode()
    assert MaintainingFactors.objects.get(log=log).focus == "Først"


def test_the_analysis_cannot_be_written_in_a_passive_log(cast, log):
    actions.withdraw_consent(actor=cast.silje, log=log)
    log = RelayLog.objects.get(pk=log.pk)
    with pytest.raises(PermissionDenied):
        guide_actions.save_maintaining_factors(actor=cast.kari, log=log, version=1, values={"focus": "x"})


def test_deleting_the_content_deletes_the_analysis(cast, log):
    guide_actions.save_maintaining_factors(actor=cast.kari, log=log, version=1, values={"focus": "Noe"})
    actions.delete_content(actor=cast.kari, log=RelayLog.objects.get(pk=log.pk))
    assert not MaintainingFactors.objects.exists()
    assert AuditEvent.objects.filter(scope_code=log.code, action="guide.factors_changed").exists()


def test_the_tool_page_takes_the_holder_to_the_analysis_of_each_of_their_logs(client, cast, log):
    client.force_login(cast.kari)
    page = client.get(tool_url(FACTORS_SLUG)).content.decode()
    assert factors_url(log) in page and "Emma Hansen" in page
    client.force_login(cast.nina)
    page = client.get(tool_url(FACTORS_SLUG)).content.decode()
    assert factors_url(log) not in page and "Du er ikke stafettholder for noen aktive logger." in page

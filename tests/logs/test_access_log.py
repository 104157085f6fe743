"""Every read is recorded in the log's access log (SPEC §3)."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from tests.logs.conftest import png_upload


def test_viewing_a_log_writes_a_viewed_row_scoped_to_the_log(cast, log):
    actions.record_view(actor=cast.nina, log=log)
    event = AuditEvent.objects.get(action="log.viewed")
    assert event.scope_code == log.code
    assert event.actor_name == "Nina Fossum"
    assert event.actor_code == cast.nina.code
    assert event.object_code == str(log.code)
    assert event.action_label == "Så loggen"


def test_viewing_a_part_of_the_log_names_the_part(cast, log):
    actions.record_view(actor=cast.silje, log=log, what="samtykke")
    event = AuditEvent.objects.get(action="log.viewed")
    assert event.details == {"side": "samtykke"}
    assert event.action_label == "Så loggen (samtykke)"


def test_every_view_is_a_new_row(cast, log):
    for _ in range(3):
        actions.record_view(actor=cast.kari, log=log)
    assert AuditEvent.objects.filter(action="log.viewed", scope_code=log.code).count() == 3


def test_the_access_log_of_one_log_does_not_show_another(cast, log, youth_log):
    actions.record_view(actor=cast.kari, log=youth_log)
    assert not AuditEvent.objects.filter(action="log.viewed", scope_code=log.code).exists()


# --- Every page that shows the log's content is on its access log, in plain words -----------


def _access_log_as(client, person, log) -> str:
    """The «Hvem har sett loggen» table, as `person` sees it."""
    client.force_login(person)
    response = client.get(reverse("logs:access_log", args=[log.code]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def _row(who: str, what: str) -> str:
    return f"<td>{who}</td><td>{what}</td>"


def test_reading_the_log_page_is_on_the_access_log_as_seeing_the_log(client, cast, log):
    client.force_login(cast.nina)
    assert client.get(reverse("logs:detail", args=[log.code])).status_code == 200

    assert _row("Nina Fossum", "Så loggen") in _access_log_as(client, cast.silje, log)


def test_downloading_the_printout_is_on_the_access_log(client, cast, log):
    client.force_login(cast.silje)
    # 200 with a PDF, or 503 where WeasyPrint lacks its system library: the read is recorded first.
    assert client.get(reverse("logs:printout", args=[log.code])).status_code in (200, 503)

    assert _row("Silje Hansen", "Så loggen (utskrift)") in _access_log_as(client, cast.kari, log)


def test_downloading_the_consent_document_is_on_the_access_log(client, cast, log):
    consent = log.consents.get()
    client.force_login(cast.silje)
    response = client.get(reverse("logs:consent_document", args=[log.code, consent.code]))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    assert _row("Silje Hansen", "Så loggen (samtykkedokument)") in _access_log_as(client, cast.kari, log)


def test_fetching_the_childs_photo_is_on_the_access_log(client, cast, log):
    actions.set_photo(actor=cast.kari, log=log, photo=png_upload())
    client.force_login(cast.nina)
    response = client.get(reverse("logs:photo", args=[log.code]))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    assert _row("Nina Fossum", "Så loggen (bilde)") in _access_log_as(client, cast.silje, log)


def test_downloading_a_meeting_invitation_is_on_the_access_log(client, cast, log):
    meeting = actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=7), place="Solsikken", agenda="Status"
    )
    client.force_login(cast.silje)
    assert client.get(reverse("logs:meeting_ics", args=[log.code, meeting.code])).status_code == 200

    assert _row("Silje Hansen", "Så loggen (møteinvitasjon)") in _access_log_as(client, cast.kari, log)


def test_opening_a_measures_evaluations_is_on_the_access_log(client, cast, log, nina_measure):
    client.force_login(cast.nina)
    assert client.get(reverse("logs:evaluate", args=[log.code, nina_measure.code])).status_code == 200

    assert _row("Nina Fossum", "Så loggen (evalueringsskjema)") in _access_log_as(client, cast.silje, log)


def test_opening_the_logs_analysis_of_maintaining_factors_is_on_the_access_log(client, cast, log):
    client.force_login(cast.kari)
    assert client.get(reverse("guide:factors", args=[log.code])).status_code == 200

    expected = _row("Kari Lunde", "Så loggen (BTI-veilederen, opprettholdende faktorer)")
    assert expected in _access_log_as(client, cast.silje, log)


def test_opening_the_logs_child_welfare_dates_in_the_guide_is_on_the_access_log(client, cast, log):
    client.force_login(cast.kari)
    assert client.get(reverse("guide:timeline", args=[log.code])).status_code == 200

    assert _row("Kari Lunde", "Så loggen (BTI-veilederen, frister)") in _access_log_as(client, cast.silje, log)


def test_a_guardian_reads_the_access_log_in_plain_words_without_any_raw_key(client, cast, log):
    actions.propose_handover(actor=cast.kari, log=log, to=cast.berit, unit=cast.kindergarten)
    actions.record_view(actor=cast.nina, log=log, what="bilde")

    table = _access_log_as(client, cast.silje, log)

    assert "Foreslo ny stafettholder" in table
    assert "handover.proposed" not in table
    assert not [a.value for a in AuditAction if a.value in table]
    labels = {str(a.label) for a in AuditAction}
    shown = re.findall(r"<td>([^<]*)</td></tr>", table)
    assert shown and all(re.sub(r" \(.*\)$", "", what) in labels for what in shown), shown


def test_a_consent_document_lost_from_storage_is_a_clear_page_not_a_crash(client, cast, log, caplog):
    consent = log.consents.get()
    consent.document.storage.delete(consent.document.name)
    client.force_login(cast.kari)
    response = client.get(reverse("logs:consent_document", args=[log.code, consent.code]))
    assert response.status_code == 404
    assert "Filen finnes ikke" in response.content.decode()
    assert "Lagret fil mangler" in caplog.text
    # Nothing was shown, so nothing is on the access log.
    assert "samtykkedokument" not in _access_log_as(client, cast.silje, log)


def test_a_photo_lost_from_storage_is_a_clear_page_not_a_crash(client, cast, log):
    actions.set_photo(actor=cast.kari, log=log, photo=png_upload())
    log.refresh_from_db()
    log.photo.storage.delete(log.photo.name)
    client.force_login(cast.nina)
    response = client.get(reverse("logs:photo", args=[log.code]))
    assert response.status_code == 404 and "Filen finnes ikke" in response.content.decode()

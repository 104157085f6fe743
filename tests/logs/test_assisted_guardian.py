"""Families without BankID (issue 15 §7): the holder registers a guardian who takes part without
electronic ID; the guardian gets their own view as a printout, or reads it with a one-time code
sent by SMS to a number the holder checked in person — read-only, no access log of others."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action, Relation
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from stafett.logs.actions import assisted
from stafett.logs.models import AssistedCode, RelayLog
from stafett.notify import channels, outbox
from stafett.notify.models import Kind, Notification

PHONE = "41234567"


@pytest.fixture
def registration(cast, log):
    return assisted.register_assisted_guardian(
        actor=cast.kari, log=log, guardian=cast.silje, reason="Har ikke BankID", phone=PHONE, phone_checked=True
    )


@pytest.fixture
def sms(settings, tmp_path):
    settings.SMS_BACKEND = "stafett.notify.channels.FileSms"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.txt")
    return tmp_path / "sms.txt"


def send_and_read_code(cast, registration, sms) -> str:
    """Send a code through the outbox and read it from the SMS file, as the guardian would."""
    assisted.send_code(actor=cast.kari, registration=registration)
    outbox.deliver_due()
    text = sms.read_text(encoding="utf-8").splitlines()[-1]
    return re.search(r"Engangskoden din er ([A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)


def use_code(client, code: str):
    return client.post(reverse("logs:assisted_code"), {"code": code})


def test_holder_registers_a_guardian_without_electronic_id_with_a_reason_and_who_checked_the_phone(
    cast, log, registration
):
    assert registration.reason == "Har ikke BankID"
    assert registration.phone_verified_by == cast.kari and registration.phone_verified_at is not None
    assert Relation.ASSISTED_GUARDIAN in access.relations_to_log(cast.silje, log)
    events = AuditEvent.objects.filter(scope_code=log.code).values_list("action", flat=True)
    assert {AuditAction.ASSISTED_REGISTERED, AuditAction.ASSISTED_PHONE_VERIFIED} <= set(events)


def test_registering_needs_a_reason_and_a_checked_phone(cast, log):
    with pytest.raises(ValidationError, match="Skriv hvorfor"):
        assisted.register_assisted_guardian(actor=cast.kari, log=log, guardian=cast.silje, reason=" ")
    with pytest.raises(ValidationError, match="kontrollert nummeret"):
        assisted.register_assisted_guardian(
            actor=cast.kari, log=log, guardian=cast.silje, reason="Ingen BankID", phone=PHONE
        )


def test_only_the_holder_registers_an_assisted_guardian(cast, log):
    with pytest.raises(Exception) as e:
        assisted.register_assisted_guardian(actor=cast.nina, log=log, guardian=cast.silje, reason="Ingen BankID")
    assert e.type.__name__ == "PermissionDenied"
    assert not access.can(cast.silje, Action.ASSIST_GUARDIAN, log)


def test_the_code_sms_carries_the_code_and_the_link_but_nothing_from_the_log(cast, log, registration, sms):
    code = send_and_read_code(cast, registration, sms)
    text = sms.read_text(encoding="utf-8")
    assert text.startswith(PHONE + "\t")
    assert "/innsyn/" in text and code in text
    assert cast.emma.given_name not in text and "Lese bildebok" not in text
    # Only the keyed hash is stored; the outbox forgets the code once it is sent.
    row = AssistedCode.objects.get()
    assert code.replace("-", "") not in row.code_hash
    assert Notification.objects.get(kind=Kind.ASSISTED_CODE).secret is None


def test_assisted_guardian_code_works_once_and_expires(cast, log, registration, sms, client):
    code = send_and_read_code(cast, registration, sms)
    response = use_code(client, code)
    assert response.status_code == 302 and response.url == reverse("logs:assisted_reading")
    page = client.get(reverse("logs:assisted_reading"))
    assert page.status_code == 200 and "Emma snakker lite i samling" in page.content.decode()

    # Once: a second use is refused, also in another browser.
    other = client.__class__()
    refused = use_code(other, code)
    assert refused.status_code == 400 and "allerede brukt" in refused.content.decode()

    # The session ends with its time.
    AssistedCode.objects.update(session_ends_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("logs:assisted_reading")).url == reverse("logs:assisted_code")

    # A code not used in time is dead.
    late = send_and_read_code(cast, registration, sms)
    AssistedCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = use_code(client.__class__(), late)
    assert refused.status_code == 400 and "gått ut" in refused.content.decode()
    reasons = [
        e.details["grunn"] for e in AuditEvent.objects.filter(action=AuditAction.ASSISTED_CODE_REFUSED).order_by("id")
    ]
    assert reasons == ["allerede brukt", "utløpt"]


def test_a_wrong_code_is_refused_and_audited_without_a_log(client, db):
    response = use_code(client, "ABCD-EFGH")
    assert response.status_code == 400 and "ikke gyldig" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.ASSISTED_CODE_REFUSED)
    assert event.scope_code is None and event.details["grunn"] == "ukjent kode"


def test_a_new_code_kills_the_old_unused_one(cast, log, registration, sms, client):
    first = send_and_read_code(cast, registration, sms)
    second = send_and_read_code(cast, registration, sms)
    assert use_code(client.__class__(), first).status_code == 400
    assert use_code(client, second).status_code == 302


def test_the_code_page_is_rate_limited(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "assisted_code": {"ip": (3, 3600)}}
    statuses = [use_code(client, "ABCD-EFGH").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_assisted_guardian_sees_no_access_log_of_others_and_no_messages_form(cast, log, registration, sms, client):
    actions.record_view(actor=cast.nina, log=log)  # someone else's read
    use_code(client, send_and_read_code(cast, registration, sms))
    html = client.get(reverse("logs:assisted_reading")).content.decode()
    assert "Hvem har sett loggen" not in html and "Nina" not in html.split("Meldinger")[-1]
    assert reverse("logs:access_log", args=[log.code]) not in html
    assert 'name="text"' not in html and "<textarea" not in html
    # The code gives only the narrow reading, never the guardian's full rights.
    assert access.POLICY[access.Target.LOG][Action.VIEW_ACCESS_LOG].isdisjoint({Relation.ASSISTED_GUARDIAN})
    assert access.POLICY[access.Target.LOG][Action.POST_MESSAGE].isdisjoint({Relation.ASSISTED_GUARDIAN})
    assert client.get(reverse("logs:access_log", args=[log.code])).status_code == 302  # to login


def test_each_read_with_the_code_is_in_the_access_log(cast, log, registration, sms, client):
    use_code(client, send_and_read_code(cast, registration, sms))
    client.get(reverse("logs:assisted_reading"))
    client.get(reverse("logs:assisted_reading"))
    reads = AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.LOG_VIEWED, actor_code=cast.silje.code)
    assert reads.count() == 2
    assert AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.ASSISTED_CODE_USED).count() == 1


def test_shielded_log_gives_assisted_guardian_nothing(cast, log, registration, sms, client):
    code = send_and_read_code(cast, registration, sms)
    use_code(client, code)
    actions.shield_from_guardians(actor=cast.kari, log=log)
    log = RelayLog.objects.get(pk=log.pk)
    assert Relation.ASSISTED_GUARDIAN not in access.relations_to_log(cast.silje, log)
    assert client.get(reverse("logs:assisted_reading")).status_code == 404
    with pytest.raises(ValidationError, match="skjermet"):
        assisted.send_code(actor=cast.kari, registration=registration)
    with pytest.raises(ValidationError, match="skjermet"):
        assisted.record_printout(actor=cast.kari, registration=registration)


def test_withdrawing_the_consent_ends_the_assisted_reading(cast, log, registration, sms, client):
    use_code(client, send_and_read_code(cast, registration, sms))
    actions.withdraw_consent(actor=cast.kari, log=log, on_paper=True)
    assert not access.assisted_guardian_may_read(cast.silje, RelayLog.objects.get(pk=log.pk))
    assert client.get(reverse("logs:assisted_reading")).status_code == 404


def test_closing_the_log_ends_the_assisted_reading(cast, log, registration):
    actions.close_log(actor=cast.kari, log=log, reason="maal_naadd")
    assert not access.assisted_guardian_may_read(cast.silje, RelayLog.objects.get(pk=log.pk))


def test_ending_the_registration_ends_the_reading(cast, log, registration, sms, client):
    use_code(client, send_and_read_code(cast, registration, sms))
    assisted.end_assisted(actor=cast.kari, registration=registration)
    assert client.get(reverse("logs:assisted_reading")).url == reverse("logs:assisted_code")
    assert Relation.ASSISTED_GUARDIAN not in access.relations_to_log(cast.silje, log)


def test_the_printout_is_the_guardians_view_and_is_audited_as_a_read(cast, log, registration, client):
    client.force_login(cast.kari)
    url = reverse("logs:assisted_print", args=[log.code, registration.code])
    html = client.get(url).content.decode()
    assert "Til Silje Hansen, som er med uten elektronisk ID" in html and "Emma snakker lite i samling" in html
    events = set(AuditEvent.objects.filter(scope_code=log.code).values_list("action", flat=True))
    assert {AuditAction.ASSISTED_PRINTED, AuditAction.LOG_VIEWED} <= events


def test_the_printout_is_only_for_the_holder(cast, log, registration, client):
    client.force_login(cast.nina)  # a participant reads the log, may not print for the family
    assert client.get(reverse("logs:assisted_print", args=[log.code, registration.code])).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(reverse("logs:assisted_print", args=[log.code, registration.code])).status_code == 404


def test_the_printout_as_pdf(cast, log, registration, client):
    pytest.importorskip("weasyprint")
    client.force_login(cast.kari)
    response = client.get(reverse("logs:assisted_print_pdf", args=[log.code, registration.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_register_page_registers_and_sends_a_code(cast, log, client, sms):
    client.force_login(cast.kari)
    url = reverse("logs:assisted_guardians", args=[log.code])
    assert "Registrer en foresatt uten elektronisk ID" in client.get(url).content.decode()
    data = {"guardian": str(cast.silje.code), "reason": "Har ikke norsk eID", "phone": PHONE, "phone_checked": "on"}
    assert client.post(url, data).status_code == 302
    registration = log.assisted_guardians.get()
    client.post(reverse("logs:assisted_send_code", args=[log.code, registration.code]))
    outbox.deliver_due()
    assert "Engangskoden din er" in sms.read_text(encoding="utf-8")


def test_a_code_cannot_be_sent_without_a_checked_phone(cast, log):
    registration = assisted.register_assisted_guardian(actor=cast.kari, log=log, guardian=cast.silje, reason="Ingen")
    with pytest.raises(ValidationError, match="Kontroller mobilnummeret"):
        assisted.send_code(actor=cast.kari, registration=registration)


def test_the_sms_line_fills_in_the_secret_only_for_the_code(sms):
    channels.send_sms(to=PHONE, kind=Kind.ASSISTED_CODE, path="/innsyn/", secret="ABCD-EFGH")
    assert "Engangskoden din er ABCD-EFGH." in sms.read_text(encoding="utf-8")


def test_deleting_the_content_removes_the_assisted_registration_and_its_codes(cast, log, registration, sms):
    assisted.send_code(actor=cast.kari, registration=registration)
    actions.delete_content(actor=cast.kari, log=log)
    assert not log.assisted_guardians.exists() and not AssistedCode.objects.exists()


@pytest.mark.parametrize("junk", ["", "x" * 5000, "\x00", "'; DROP TABLE x; --", "ÆØÅ-æøå"])
def test_bad_input_on_the_assisted_pages_is_a_message_not_an_error(cast, log, registration, client, junk):
    answers = [use_code(client, junk).status_code]
    client.force_login(cast.kari)
    url = reverse("logs:assisted_guardians", args=[log.code])
    fields = {"guardian": junk, "reason": junk, "phone": junk, "phone_checked": junk}
    answers.append(client.post(url, fields).status_code)
    phone = reverse("logs:assisted_verify_phone", args=[log.code, registration.code])
    answers.append(client.post(phone, {"phone": junk, "phone_checked": junk}).status_code)
    assert all(status < 500 for status in answers), answers

"""The relay-log pages: outsiders get 404, readers 403 on writes, wrong method 405, then behaviour."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from stafett.audit.models import AuditEvent
from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, Consent, Measure, MeasureCategory, Meeting, RelayLog


def pdf(name="samtykke.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else minimal_pdf(), content_type="application/pdf")


@pytest.fixture
def log(cast):
    consent = ConsentData(
        services=["barnehage", "helsestasjon"],
        signatories=[cast.silje],
        document=pdf(),
        collected_at_unit=cast.kindergarten,
    )
    log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    return log


@pytest.fixture
def measure(cast, log):
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.OTHER, text="Hørselen er undersøkt.")
    day = timezone.localdate() + timedelta(days=7)
    return actions.add_measure(
        actor=cast.kari, goal=goal, data=MeasureData("Hørselstest", MeasureCategory.HELSE, cast.nina, day, day)
    )


def url(name, log, *args):
    return reverse(f"logs:{name}", args=[log.code, *args])


def open_form(cast, **overrides):
    data = {
        "services": ["barnehage", "helsestasjon"],
        "valid_until": (timezone.localdate() + timedelta(days=700)).isoformat(),
        "signatories": [cast.silje.id],
        "document": pdf(),
        "initiator_text": "Emma sier lite i samlingsstund.",
        "level": 2,
    }
    data.update(overrides)
    return data


def test_staff_member_opens_a_log_with_consent_through_the_pages(client, cast):
    client.force_login(cast.kari)
    response = client.post(
        reverse("logs:find_child", args=[cast.kindergarten.code]), {"national_id": cast.emma.national_id}
    )
    assert response.status_code == 302 and cast.emma.national_id not in response.url
    response = client.post(response.url, open_form(cast))
    log = RelayLog.objects.get(subject=cast.emma)
    assert response.url == url("detail", log)
    assert log.holder == cast.kari
    consent = log.consents.get()
    assert consent.document_content_type == "application/pdf"
    assert consent.document.read().startswith(b"%PDF")
    page = client.get(response.url).content.decode()
    assert "Stafettlogg for Emma Hansen" in page
    assert "De foresatte har ikke noe eget tiltak ennå." in page


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"document": pdf("samtykke.pdf", b"MZ this is not a pdf at all")}, "Filen må være PDF, JPG, PNG"),
        ({"signatories": []}, "Feltet er påkrevet"),
        ({"valid_until": "2020-01-01"}, "Samtykket er utløpt"),
        ({"services": ["skole"]}, "Samtykket må gjelde barnehage"),
    ],
)
def test_bad_consent_gets_a_norwegian_message_and_creates_nothing(client, cast, override, message):
    client.force_login(cast.kari)
    response = client.post(
        reverse("logs:open", args=[cast.kindergarten.code, cast.emma.code]), open_form(cast, **override)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RelayLog.objects.exists() and not Consent.objects.exists()


def test_oversized_consent_file_is_refused(client, cast, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(cast.kari)
    big = pdf(content=minimal_pdf() + b"0" * (1024 * 1024 + 1))
    response = client.post(
        reverse("logs:open", args=[cast.kindergarten.code, cast.emma.code]), open_form(cast, document=big)
    )
    assert "Filen er for stor" in response.content.decode()
    assert not RelayLog.objects.exists()


def test_outsider_gets_404_on_every_log_page(client, cast, log, measure):
    client.force_login(cast.outsider)
    meeting = actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=3), place="Rom 1", agenda="x"
    )
    for name, args in [
        ("detail", []),
        ("edit_overview", []),
        ("add_participant", []),
        ("access_log", []),
        ("consent_document", [log.consents.get().code]),
        ("add_measure", [measure.goal.code]),
        ("evaluate", [measure.code]),
        ("schedule_meeting", []),
        ("minutes", [meeting.code]),
        ("meeting_ics", [meeting.code]),
    ]:
        assert client.get(url(name, log, *args)).status_code == 404, name
    assert client.post(url("post_message", log), {"text": "hei"}).status_code == 404


@pytest.mark.parametrize("who", ["berit", "trude", "randi"])
def test_leader_admin_and_superuser_do_not_see_log_content(client, cast, log, who):
    client.force_login(getattr(cast, who))
    assert client.get(url("detail", log)).status_code == 404


def test_participant_reads_but_cannot_edit_the_plan(client, cast, log, measure):
    client.force_login(cast.nina)
    assert client.get(url("detail", log)).status_code == 200
    assert client.get(url("edit_overview", log)).status_code == 403
    assert client.post(url("add_goal", log), {"arena": "hjem", "text": "x"}).status_code == 403
    assert client.get(url("add_participant", log)).status_code == 403
    assert client.get(url("access_log", log)).status_code == 403
    assert client.get(url("consent_document", log, log.consents.get().code)).status_code == 403


def test_wrong_method_gets_405(client, cast, log):
    client.force_login(cast.kari)
    assert client.get(url("add_goal", log)).status_code == 405
    assert client.get(url("post_message", log)).status_code == 405
    assert client.post(url("detail", log)).status_code == 405


def test_guardian_sees_everything_and_who_has_seen_the_log(client, cast, log, measure):
    client.force_login(cast.nina)
    client.get(url("detail", log))
    client.force_login(cast.silje)
    page = client.get(url("detail", log)).content.decode()
    assert "Hørselstest" in page and "Nina Fossum" in page
    access_log = client.get(url("access_log", log)).content.decode()
    assert "Nina Fossum" in access_log and "Så loggen" in access_log
    assert AuditEvent.objects.filter(scope_code=log.code, action="log.viewed", actor_code=cast.nina.code).exists()


def test_participant_outside_consent_scope_is_refused_with_explanation(client, cast, log):
    from stafett.people.models import Membership, Role

    Membership.objects.create(person=cast.outsider, unit=cast.ppt, role=Role.EMPLOYEE, title="PP-rådgiver")
    client.force_login(cast.kari)
    response = client.post(url("add_participant", log), {"member": f"{cast.outsider.code}:{cast.ppt.code}"})
    assert response.status_code == 400
    assert "PPT er ikke med i samtykket" in response.content.decode()
    assert not log.participants.filter(person=cast.outsider).exists()


def test_removed_participant_loses_access_at_once(client, cast, log):
    participant = log.participants.get(person=cast.nina)
    client.force_login(cast.kari)
    assert "mister tilgangen" in client.get(url("remove_participant", log, participant.code)).content.decode()
    client.post(url("remove_participant", log, participant.code))
    client.force_login(cast.nina)
    assert client.get(url("detail", log)).status_code == 404


def test_participant_evaluates_own_measure_but_not_others(client, cast, log, measure):
    day = timezone.localdate() + timedelta(days=7)
    silje_measure = actions.add_measure(
        actor=cast.kari, goal=measure.goal, data=MeasureData("Lese sammen", MeasureCategory.SPRAK, cast.silje, day, day)
    )
    client.force_login(cast.nina)
    response = client.post(url("evaluate", log, measure.code), {"carried_out": "ja", "decision": "avslutte"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.stopped_at is not None
    assert client.get(url("evaluate", log, silje_measure.code)).status_code == 403


def test_guardian_evaluation_is_marked_as_the_last_word(client, cast, log, measure):
    client.force_login(cast.silje)
    client.post(
        url("evaluate", log, measure.code),
        {"carried_out": "nei", "decision": "justere", "effect_guardians": "Ikke ennå."},
    )
    evaluation = measure.evaluations.get()
    assert evaluation.author_is_guardian
    assert "foresatt – siste ord" in client.get(url("detail", log)).content.decode()


def test_meeting_invitation_is_valid_icalendar_without_the_childs_name(client, cast, log):
    client.force_login(cast.kari)
    starts = (timezone.localtime() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = client.post(
        url("schedule_meeting", log),
        {
            "title": "Stafettmøte",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 90,
            "place": "Solsikken, møterom",
            "agenda": "1. Velkommen",
        },
    )
    meeting = Meeting.objects.get(log=log)
    assert response.status_code == 302
    ics = client.get(url("meeting_ics", log, meeting.code))
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == starts
    assert (event.decoded("dtend") - event.decoded("dtstart")) == timedelta(minutes=90)
    assert "Emma" not in ics.content.decode()


def test_minutes_with_attendees_and_next_meeting(client, cast, log):
    meeting = actions.schedule_meeting(actor=cast.kari, log=log, starts_at=timezone.now(), place="Rom 1", agenda="x")
    client.force_login(cast.kari)
    next_date = timezone.localdate() + timedelta(days=42)
    client.post(
        url("minutes", log, meeting.code),
        {
            "version": meeting.version,
            "attendees": [cast.silje.id, cast.nina.id],
            "minutes": "Vi ble enige om tiltak.",
            "next_meeting_date": next_date.isoformat(),
            "child_attends": "delvis",
        },
    )
    meeting.refresh_from_db()
    assert meeting.held and meeting.next_meeting_date == next_date and meeting.child_attends == "delvis"
    assert set(meeting.attendees.all()) == {cast.silje, cast.nina}


def test_later_save_of_the_same_item_is_refused_instead_of_overwriting(client, cast, log):
    client.force_login(cast.kari)
    form = {"version": log.version, "level": 1, "presentation": "Første versjon"}
    assert client.post(url("edit_overview", log), form).status_code == 302
    stale = {"version": log.version, "level": 1, "presentation": "Andre versjon"}
    response = client.post(url("edit_overview", log), stale)
    assert response.status_code == 400
    assert "Noen andre har endret dette mens du skrev" in response.content.decode()
    log.refresh_from_db()
    assert log.presentation == "Første versjon"


def test_plain_language_hints_flag_abbreviations_but_save(client, cast, log):
    client.force_login(cast.kari)
    response = client.post(
        url("edit_overview", log), {"version": log.version, "level": 1, "strengths": "Liker bl.a. tegning"}, follow=True
    )
    assert "Skriv «blant annet» i stedet for «bl.a.»" in response.content.decode()
    log.refresh_from_db()
    assert log.strengths == "Liker bl.a. tegning"


def test_message_posted_with_htmx_returns_only_the_new_message(client, cast, log):
    client.force_login(cast.silje)
    response = client.post(url("post_message", log), {"text": "Emma gleder seg til møtet."}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Emma gleder seg til møtet." in html and "<html" not in html


def test_consent_document_download_for_holder(client, cast, log):
    client.force_login(cast.kari)
    response = client.get(url("consent_document", log, log.consents.get().code))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_start_pages_show_my_logs_and_my_tasks(client, cast, log, measure):
    client.force_login(cast.nina)
    page = client.get("/").content.decode()
    assert "Mine logger" in page and "Emma Hansen" in page
    assert "Mine oppgaver" in page and "Hørselstest" in page
    client.force_login(cast.silje)
    assert url("detail", log) in client.get("/").content.decode()


def test_log_page_uses_a_fixed_number_of_queries(client, cast, log, measure, django_assert_max_num_queries):
    client.force_login(cast.kari)
    client.get(url("detail", log))
    with django_assert_max_num_queries(60) as baseline:
        client.get(url("detail", log))
    day = timezone.localdate() + timedelta(days=3)
    for i in range(10):
        m = actions.add_measure(
            actor=cast.kari,
            goal=measure.goal,
            data=MeasureData(f"Tiltak {i}", MeasureCategory.ANNET, cast.silje, day, day),
        )
        actions.post_message(actor=cast.silje, log=log, text=f"Kommentar {i}", measure=m)
        actions.post_message(actor=cast.silje, log=log, text=f"Melding {i}")
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        page = client.get(url("detail", log)).content.decode()
    assert "Tiltak 9" in page and "Kommentar 9" in page and "Melding 9" in page
    assert Measure.objects.count() == 11


def test_staff_registers_an_unknown_child_with_guardians_then_opens_the_log(client, cast):
    from datetime import date

    from stafett.core.demo_data import synthetic_national_id
    from stafett.people.models import Guardianship, Person

    child_id = synthetic_national_id(date(2020, 2, 2))
    client.force_login(cast.kari)
    found = client.post(reverse("logs:find_child", args=[cast.kindergarten.code]), {"national_id": child_id})
    assert "Barnet er ikke registrert i Stafett" in found.content.decode()
    response = client.post(
        reverse("logs:register_child", args=[cast.kindergarten.code]),
        {
            "national_id": child_id,
            "given_name": "Ny",
            "family_name": "Barnesen",
            "g1_national_id": cast.silje.national_id,  # already registered: linked, not duplicated
            "g1_given_name": "Silje",
            "g1_family_name": "Hansen",
        },
    )
    child = Person.objects.by_national_id(child_id).get()
    assert response.url == reverse("logs:open", args=[cast.kindergarten.code, child.code])
    assert Guardianship.objects.filter(child=child, guardian=cast.silje).exists()
    assert Person.objects.filter(given_name="Silje").count() == 1


def test_registering_a_child_with_half_a_second_guardian_is_refused(client, cast):
    from datetime import date

    from stafett.core.demo_data import synthetic_national_id
    from stafett.people.models import Person

    client.force_login(cast.kari)
    response = client.post(
        reverse("logs:register_child", args=[cast.kindergarten.code]),
        {
            "national_id": synthetic_national_id(date(2020, 2, 2)),
            "given_name": "Ny",
            "family_name": "Barnesen",
            "g1_national_id": cast.silje.national_id,
            "g1_given_name": "Silje",
            "g1_family_name": "Hansen",
            "g2_given_name": "Halv",
        },
    )
    assert response.status_code == 400
    assert "foresatt 2" in response.content.decode()
    assert not Person.objects.filter(given_name="Ny").exists()


def test_outsider_cannot_register_children(client, cast):
    client.force_login(cast.silje)
    assert client.post(reverse("logs:register_child", args=[cast.kindergarten.code]), {}).status_code == 404


def png_bytes():
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


def test_holder_adds_a_photo_that_only_readers_of_the_log_can_fetch(client, cast, log):
    client.force_login(cast.kari)
    upload = SimpleUploadedFile("emma.png", png_bytes(), content_type="image/png")
    assert client.post(url("photo_upload", log), {"photo": upload}).status_code == 302
    response = client.get(url("photo", log))
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    client.force_login(cast.outsider)
    assert client.get(url("photo", log)).status_code == 404


def test_photo_must_be_an_image_by_content(client, cast, log):
    client.force_login(cast.kari)
    fake = SimpleUploadedFile("emma.png", minimal_pdf(), content_type="image/png")
    response = client.post(url("photo_upload", log), {"photo": fake})
    assert response.status_code == 400
    assert "Filen må være JPG, PNG" in response.content.decode()
    log.refresh_from_db()
    assert not log.photo


def test_holder_edits_a_goal_and_a_stale_edit_is_refused(client, cast, log):
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.HOME, text="Første")
    client.force_login(cast.kari)
    assert client.post(url("edit_goal", log, goal.code), {"version": 1, "text": "Andre"}).status_code == 302
    response = client.post(url("edit_goal", log, goal.code), {"version": 1, "text": "Tredje"})
    assert "Noen andre har endret dette" in response.content.decode()
    goal.refresh_from_db()
    assert goal.text == "Andre"
    client.force_login(cast.nina)
    assert client.post(url("edit_goal", log, goal.code), {"version": 2, "text": "x"}).status_code == 403

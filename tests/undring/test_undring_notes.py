"""Level 0: a private note nobody but its owner can read; closing it destroys it for good;
a concern carries over into a level-1 log."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction, AuditEvent
from stafett.core.reminders import run_reminders
from stafett.logs.models import RelayLog
from stafett.notify.models import Kind, Notification
from stafett.undring import actions
from stafett.undring.actions import Reflection
from stafett.undring.models import ClosedNoteCount, ConcernNote, Outcome
from tests.test_views_logs import open_form

SECRET = "Emma har blåmerker på armene og vil ikke gå hjem"


@pytest.fixture
def note(cast) -> ConcernNote:
    return actions.create_note(
        actor=cast.kari,
        unit=cast.kindergarten,
        reflection=Reflection(
            about="Emma, Blåbær",
            why=SECRET,
            ratings={"folelser": 4, "hjemmet": 5},
            texts={"folelser": "Trekker seg unna i lek."},
        ),
    )


NOTE_PAGES = ["detail", "edit", "talk", "concern", "close", "abuse"]


@pytest.mark.parametrize("who", ["berit", "nina", "trude", "randi", "ola_admin", "silje", "outsider"])
def test_nobody_but_the_owner_can_read_a_note(client, cast, note, who):
    person = getattr(cast, who)
    assert not access.can(person, Action.VIEW_NOTE, note)
    assert not access.can(person, Action.EDIT_NOTE, note)
    client.force_login(person)
    for page in NOTE_PAGES:
        response = client.get(reverse(f"undring:{page}", args=[note.code]))
        assert response.status_code == 404, page
        assert SECRET not in response.content.decode()
    assert client.post(reverse("undring:close", args=[note.code])).status_code == 404
    assert ConcernNote.objects.filter(pk=note.pk).exists()


def test_the_owner_reads_and_edits_the_note(client, cast, note):
    client.force_login(cast.kari)
    for page in NOTE_PAGES:
        assert client.get(reverse(f"undring:{page}", args=[note.code])).status_code == 200, page
    assert SECRET in client.get(reverse("undring:detail", args=[note.code])).content.decode()


def test_the_owners_list_shows_only_their_own_notes(client, cast, note):
    client.force_login(cast.berit)
    assert "Emma, Blåbær" not in client.get(reverse("undring:mine")).content.decode()
    client.force_login(cast.kari)
    assert "Emma, Blåbær" in client.get(reverse("undring:mine")).content.decode()


def test_only_staff_of_the_unit_can_start_a_note_there(cast):
    assert access.can(cast.kari, Action.WRITE_NOTE, cast.kindergarten)
    assert access.can(cast.berit, Action.WRITE_NOTE, cast.kindergarten)
    assert not access.can(cast.nina, Action.WRITE_NOTE, cast.kindergarten)
    assert not access.can(cast.silje, Action.WRITE_NOTE, cast.kindergarten)


def test_closing_destroys_the_note_and_keeps_only_a_count(client, cast, note):
    client.force_login(cast.kari)

    response = client.post(reverse("undring:close", args=[note.code]))

    assert response.status_code == 302
    assert not ConcernNote.objects.exists()
    count = ClosedNoteCount.objects.get(unit=cast.kindergarten, outcome=Outcome.NO_CONCERN)
    assert count.count == 1
    with connection.cursor() as cursor:  # nowhere in the database, the audit trail included
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            assert not any(SECRET in str(row) for row in cursor.fetchall()), table
    assert AuditEvent.objects.filter(action="undring.closed").exists()


def test_closing_needs_a_confirmation(client, cast, note):
    client.force_login(cast.kari)

    page = client.get(reverse("undring:close", args=[note.code]))

    assert "kan ikke angres" in page.content.decode()
    assert ConcernNote.objects.filter(pk=note.pk).exists()


def test_a_rating_outside_one_to_seven_is_refused_in_norwegian(client, cast, note):
    client.force_login(cast.kari)

    response = client.post(reverse("undring:edit", args=[note.code]), {"about": "Emma", "rating_alder": "9"})

    assert response.status_code == 400
    assert "Velg et gyldig valg" in response.content.decode()


def test_a_stale_edit_is_refused(client, cast, note):
    client.force_login(cast.kari)
    stale = note.version
    actions.update_reflection(actor=cast.kari, note=note, version=stale, reflection=Reflection(about="Emma"))

    response = client.post(reverse("undring:edit", args=[note.code]), {"about": "Emma B.", "version": stale})

    assert response.status_code == 400
    assert "endret i en annen fane" in response.content.decode()


def test_concern_carries_over_into_a_level_one_log_and_the_note_is_destroyed(client, cast, note):
    client.force_login(cast.kari)
    client.post(
        reverse("undring:talk", args=[note.code]),
        {"talk_with": "Mor", "talk_result": "Mor er også bekymret.", "version": note.version},
    )
    note.refresh_from_db()
    client.post(
        reverse("undring:concern", args=[note.code]),
        {"categories": ["sprak", "trivsel"], "concern": "Emma sier nesten ingenting.", "version": note.version},
    )

    response = client.post(reverse("undring:to_level_one", args=[note.code]))
    assert response.url == reverse("logs:find_child", args=[cast.kindergarten.code])
    response = client.post(response.url, {"national_id": cast.emma.national_id})
    form_page = client.get(response.url).content.decode()
    assert "Emma sier nesten ingenting." in form_page
    data = open_form(cast, initiator_text="Emma sier nesten ingenting.\n\nBekymringen gjelder: språk, trivsel.")
    client.post(response.url, data)

    log = RelayLog.objects.get(subject=cast.emma)
    assert "Emma sier nesten ingenting." in log.initiator_text
    assert not ConcernNote.objects.exists()
    assert ClosedNoteCount.objects.get(outcome=Outcome.LEVEL_ONE).count == 1


def test_cannot_go_to_level_one_without_a_concretised_concern(client, cast, note):
    client.force_login(cast.kari)

    response = client.post(reverse("undring:to_level_one", args=[note.code]))

    assert response.url == reverse("undring:detail", args=[note.code])
    assert client.session.get("undring_til_niva_1") is None


def test_concern_needs_a_category_and_a_text(client, cast, note):
    client.force_login(cast.kari)

    response = client.post(reverse("undring:concern", args=[note.code]), {"version": note.version})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Kryss av for minst én ting bekymringen gjelder." in html
    assert "Beskriv bekymringen konkret" in html


def test_reporting_to_child_welfare_from_a_note_ends_it_as_a_report(client, cast, note):
    client.force_login(cast.kari)

    page = client.get(reverse("undring:abuse", args=[note.code])).content.decode()
    client.post(reverse("undring:abuse", args=[note.code]))

    assert "opplysningsplikt" in page
    assert not ConcernNote.objects.exists()
    assert ClosedNoteCount.objects.get(outcome=Outcome.CHILD_WELFARE).count == 1


def test_an_untouched_note_reminds_its_owner_once(cast, note):
    weeks = cast.fjordvik.undring_reminder_weeks
    start = timezone.localdate()
    for day in range(weeks * 7 - 2, weeks * 7 + 10):
        with time_machine.travel(timezone.now() + timedelta(days=day), tick=False):
            run_reminders(start + timedelta(days=day))

    reminders = Notification.objects.filter(kind=Kind.UNDRING_OPEN)
    assert [n.recipient for n in reminders] == [cast.kari]
    assert "Emma" not in reminders.get().path


def test_the_note_page_shows_level_zero_of_the_guide_for_the_units_service(client, cast, note):
    from stafett.guide.models import GuideStep

    first = GuideStep.objects.get(service="barnehage", level="0", number=1)
    client.force_login(cast.kari)

    html = client.get(reverse("undring:detail", args=[note.code])).content.decode()

    assert "BTI-veilederen, nivå 0" in html
    assert f"Steg 1: {first.title}" in html


def _walk_a_note_through_every_step(cast, note) -> None:
    note = actions.update_reflection(
        actor=cast.kari,
        note=note,
        version=note.version,
        reflection=Reflection(about="Emma, Blåbær", why=SECRET + " igjen", ratings={"hjemmet": 6}),
    )
    note = actions.record_talk(
        actor=cast.kari,
        note=note,
        version=note.version,
        talk_with="Mor til Emma",
        talk_on=None,
        talk_result="Mor forteller om krangling hjemme.",
    )
    note = actions.record_concern(
        actor=cast.kari,
        note=note,
        version=note.version,
        categories=["hjemme", "trivsel"],
        concern="Emma gråter når hun blir hentet.",
    )
    actions.close_note(actor=cast.kari, note=note, outcome=Outcome.CHILD_WELFARE)


def test_every_step_of_a_note_is_in_the_audit_trail_without_a_word_of_what_the_note_says(cast, note):
    code = str(note.code)

    _walk_a_note_through_every_step(cast, note)

    rows = list(AuditEvent.objects.filter(object_type="undring.concernnote", object_code=code).order_by("id"))
    assert [r.action for r in rows] == [
        AuditAction.NOTE_CREATED,
        AuditAction.NOTE_CHANGED,
        AuditAction.NOTE_TALK_RECORDED,
        AuditAction.NOTE_CLARIFIED,
        AuditAction.NOTE_CLOSED,
    ]
    assert {r.actor_name for r in rows} == {"Kari Lunde"}
    said = ["Emma", "Blåbær", SECRET, "Trekker seg unna", "Mor", "krangling", "gråter", "hjemme", "trivsel"]
    for row in rows:
        stored = f"{row.actor_name} {row.object_type} {row.object_code} {row.details}"
        assert not [word for word in said if word in stored], row.action
        assert set(row.details) <= {"tjenestested", "utfall", "kategorier"}, row.action
    assert rows[3].details["kategorier"] == 2


def test_a_change_to_a_note_that_cannot_be_audited_is_not_saved(cast, note, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(actions, "record", broken)

    with pytest.raises(RuntimeError):
        actions.update_reflection(actor=cast.kari, note=note, version=note.version, reflection=Reflection(about="Ny"))

    assert ConcernNote.objects.get(pk=note.pk).about == "Emma, Blåbær"

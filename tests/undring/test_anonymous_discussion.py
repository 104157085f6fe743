"""seeds/004 «Vurdere å drøfte anonymt med TRT»: the case discussed anonymously with the resource
team — no national ID number ever, names from the register only after a second confirming
save; the owner alone reads it; it counts in the statistics."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction, AuditEvent
from stafett.core.demo_data import synthetic_national_id
from stafett.logs.models import RelayLog
from stafett.people.models import ServiceType, Unit
from stafett.stats.queries import Period, statistics
from stafett.undring import actions
from stafett.undring.actions import DiscussionData, NamesFound, Reflection
from stafett.undring.models import Discussion


@pytest.fixture
def team(cast) -> Unit:
    return Unit.objects.create(
        municipality=cast.fjordvik, name="Tverrfaglig ressursteam Fjordvik", service_type=ServiceType.RESSURSTEAM
    )


def data(**overrides) -> DiscussionData:
    values = {
        "discussed_on": timezone.localdate(),
        "team": "TRT barnehagene",
        "outcome": "Teamet anbefaler en undringssamtale med foresatte.",
        "next_step": "Snakke med foresatte ved henting.",
    }
    values.update(overrides)
    return DiscussionData(**values)


def test_anonymous_discussion_refuses_a_national_id_number(client, cast):
    number = synthetic_national_id(date(2021, 3, 14))
    with pytest.raises(ValidationError) as refused:
        actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(outcome=f"Gjelder {number}."))
    assert "fødselsnummer" in str(refused.value)
    spaced = f"{number[:6]} {number[6:]}"
    client.force_login(cast.kari)
    response = client.post(
        reverse("undring:new_discussion", args=[cast.kindergarten.code]),
        {"discussed_on": timezone.localdate(), "team": "TRT", "outcome": f"Barnet {spaced}", "names_seen": "x"},
    )
    assert response.status_code == 400
    assert "fødselsnummer" in response.content.decode()
    assert not Discussion.objects.exists()


def test_eleven_digits_that_are_no_national_id_are_accepted(cast):
    actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(outcome="Saksnummer 12345678901."))
    assert Discussion.objects.count() == 1


def test_anonymous_discussion_warns_on_a_registered_name_and_saves_on_the_second_submit(client, cast, log):
    # Emma has a log at the kindergarten: her name is in the municipality's register.
    assert RelayLog.objects.filter(subject=cast.emma).exists()
    with pytest.raises(NamesFound) as warned:
        actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(outcome="Emma gråter mye."))
    assert warned.value.names == ["emma"]
    url = reverse("undring:new_discussion", args=[cast.kindergarten.code])
    form = {"discussed_on": timezone.localdate(), "team": "TRT", "outcome": "Emma gråter mye.", "next_step": ""}
    client.force_login(cast.kari)
    first = client.post(url, form)
    assert first.status_code == 400
    assert "«emma»" in first.content.decode() and 'name="names_seen" value="emma"' in first.content.decode()
    assert not Discussion.objects.exists()
    second = client.post(url, {**form, "names_seen": "emma"})
    assert second.status_code == 302
    assert Discussion.objects.get().outcome == "Emma gråter mye."


def test_a_name_is_matched_as_a_whole_word_only(cast, log):
    # «Emmaus» and «Hansenveien» are not Emma Hansen.
    actions.record_discussion(
        actor=cast.kari, unit=cast.kindergarten, data=data(outcome="Tur til Emmaus via Hansenveien.")
    )
    with pytest.raises(NamesFound) as warned:
        actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(next_step="Ring HANSEN."))
    assert warned.value.names == ["hansen"]


def test_names_outside_the_municipalitys_register_are_not_warned_about(cast):
    # Nobody named Emma has a log or a request in Fjordvik yet.
    actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(outcome="Emma gråter mye."))


@pytest.mark.parametrize("who", ["berit", "nina", "trude", "randi", "silje", "outsider"])
def test_nobody_but_the_owner_reads_an_anonymous_discussion(client, cast, who):
    discussion = actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data())
    person = getattr(cast, who)
    assert not access.can(person, Action.VIEW_DISCUSSION, discussion)
    client.force_login(person)
    response = client.get(reverse("undring:discussion", args=[discussion.code]))
    assert response.status_code == 404
    assert "undringssamtale med foresatte" not in response.content.decode()
    client.force_login(cast.kari)
    assert (
        "undringssamtale med foresatte"
        in client.get(reverse("undring:discussion", args=[discussion.code])).content.decode()
    )


def test_only_the_units_staff_record_a_discussion_there(cast):
    with pytest.raises(Exception):  # noqa: B017, PT011 - Http404/PermissionDenied from access.require
        actions.record_discussion(actor=cast.nina, unit=cast.kindergarten, data=data())
    assert not Discussion.objects.exists()


def test_a_discussion_links_to_the_owners_own_note_and_outlives_it(client, cast, team):
    note = actions.create_note(actor=cast.kari, unit=cast.kindergarten, reflection=Reflection(about="E., Blåbær"))
    client.force_login(cast.kari)
    url = reverse("undring:new_discussion", args=[cast.kindergarten.code])
    assert client.get(url, {"undring": note.code}).status_code == 200
    response = client.post(
        url,
        {"discussed_on": timezone.localdate(), "team_unit": team.pk, "outcome": "Avvente", "note": note.pk},
    )
    assert response.status_code == 302
    discussion = Discussion.objects.get()
    assert (discussion.note, discussion.team_name) == (note, team.name)
    assert "Avvente" not in client.get(reverse("undring:detail", args=[note.code])).content.decode()
    assert reverse("undring:discussion", args=[discussion.code]) in client.get(reverse("undring:mine")).content.decode()
    assert AuditEvent.objects.about(discussion).get().action == AuditAction.DISCUSSION_RECORDED
    # Someone else's note cannot be linked, and looks as if it did not exist.
    other = actions.create_note(actor=cast.berit, unit=cast.kindergarten, reflection=Reflection(about="Per"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - Http404 from access.require
        actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(note=other))
    # Ending the undring destroys the note; the discussion stays, unlinked.
    actions.close_note(actor=cast.kari, note=note, outcome=actions.Outcome.NO_CONCERN)
    discussion.refresh_from_db()
    assert discussion.note is None


def test_anonymous_discussions_count_per_year_with_small_counts_hidden(cast):
    for days in range(6):
        actions.record_discussion(
            actor=cast.kari, unit=cast.kindergarten, data=data(discussed_on=date(2025, 3, 1) + timedelta(days=days))
        )
    actions.record_discussion(actor=cast.kari, unit=cast.kindergarten, data=data(discussed_on=date(2026, 1, 5)))
    stats = statistics(cast.fjordvik, Period(date(2025, 1, 1), date(2026, 12, 31)), today=date(2026, 12, 31))
    cells = {r.label: r.cells[0].text for r in stats.discussions.rows}
    # As everywhere: the small count is hidden, and so is the other so it cannot be subtracted.
    assert cells == {"2025": "skjult", "2026": "under 5"}
    assert stats.discussions in stats.tables
    one_year = statistics(cast.fjordvik, Period(date(2025, 1, 1), date(2025, 12, 31)), today=date(2026, 12, 31))
    assert [r.cells[0].text for r in one_year.discussions.rows] == ["6"]
    other = statistics(cast.nabodal, Period(date(2025, 1, 1), date(2025, 12, 31)), today=date(2026, 12, 31))
    assert [r.cells[0].text for r in other.discussions.rows] == ["under 5"]
    assert other.discussions.rows[0].cells[0].value is None

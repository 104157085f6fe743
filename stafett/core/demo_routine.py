"""The BTI routine in the demo (issue 15): each part a new user should be able to find, written
through the same actions as the app.

- Linda Kristiansen has asked two units to consider a log for Filip: Fjordvik helsestasjon has
  answered (Liv Haugland), Fjordvik skole has not yet (Geir Moen sees it in his list).
- Ola Strand has added Mona Eik (Haugen SFO) to Oskar's log; Ida Larsen has not approved her yet.
- Tor Aasen has recorded an anonymous discussion with the resource team (no names, no IDs).
- Maja Nilsen's log has become an individual plan: Ingrid Berg is the coordinator, PPT and the
  health station the ansvarsgruppe, Maja's own goals and a decision are written down; one of its
  meetings has been moved and another cancelled with a reason.
"""

from datetime import date, timedelta

# demo_logs.py calls this module from inside seed_demo_logs, so its helpers are loaded by then.
from stafett.core.demo_logs import _add_approved, _at, _consent, _person
from stafett.logs import actions
from stafett.logs.actions import MeasureData
from stafett.logs.models import (
    GOOD_MEETINGS_AGENDA,
    Arena,
    LogTemplate,
    MeasureCategory,
    Meeting,
    RelayLog,
    RequestOutcome,
)
from stafett.people.models import ServiceType, Unit
from stafett.undring.actions import DiscussionData, record_discussion


def seed_routine_examples(today: date, units: dict[str, Unit]) -> None:
    """Called from seed_demo_logs, before every active log is placed in the BTI guide."""
    _family_requests(units)
    _participant_waiting_for_the_family(units)
    _anonymous_discussion(today, units)
    _individual_plan(today, units)


def _family_requests(units: dict[str, Unit]) -> None:
    linda = _person(given="Linda", family="Kristiansen")
    filip = _person(given="Filip", family="Kristiansen")
    answered = actions.ask_for_log(
        actor=linda,
        child=filip,
        unit=units["Fjordvik helsestasjon"],
        text="Filip sover dårlig og vil ikke på skolen. Vi vil gjerne snakke med helsesykepleier.",
    )
    actions.answer_log_request(
        actor=_person("liv.haugland@fjordvik.example"),
        log_request=answered,
        outcome=RequestOutcome.WILL_CONSIDER,
        answer="Helsesykepleier Nina Fossum ringer dere denne uka for å avtale en samtale.",
    )
    actions.ask_for_log(
        actor=linda,
        child=filip,
        unit=units["Fjordvik skole"],
        text="Vi ønsker et samarbeid med skolen om fraværet til Filip.",
    )


def _participant_waiting_for_the_family(units: dict[str, Unit]) -> None:
    oskar = _person(given="Oskar", family="Larsen")
    log = RelayLog.objects.get(subject=oskar)
    actions.add_participant(
        actor=_person("ola.strand@fjordvik.example"),
        log=log,
        person=_person("mona.eik@fjordvik.example"),
        unit=units["Haugen SFO"],
    )


def _anonymous_discussion(today: date, units: dict[str, Unit]) -> None:
    record_discussion(
        actor=_person("tor.aasen@fjordvik.example"),
        unit=units["Solsikken barnehage"],
        data=DiscussionData(
            discussed_on=today - timedelta(days=6),
            team="Tverrfaglig ressursteam i Fjordvik",
            outcome="Et barn på fire år trekker seg unna i lek og sier lite. Teamet mener barnehagen bør "
            "observere i tre uker og ta en samtale med de foresatte.",
            next_step="Samtale med de foresatte om uroen",
        ),
    )


def _individual_plan(today: date, units: dict[str, Unit]) -> None:
    ingrid = _person("ingrid.berg@fjordvik.example")
    maja = _person(given="Maja", family="Nilsen")
    school = units["Fjordvik skole"]
    log = actions.open_log(
        actor=ingrid,
        subject=maja,
        unit=school,
        consent=_consent(school, actions.guardians_of(maja), ["skole", "ppt", "helsestasjon", "skolehelse"]),
        template=LogTemplate.objects.get(service_type=ServiceType.SKOLE),
        initiated_by="Kontaktlærer",
        initiator_text="Maja er mye borte og sier at hun ikke orker skolen.",
    )
    _add_approved(
        actor=ingrid, log=log, person=_person("siri.holm@fjordvik.example"), unit=units["PPT for Fjordvik og Nabodal"]
    )
    _add_approved(
        actor=ingrid, log=log, person=_person("nina.fossum@fjordvik.example"), unit=units["Fjordvik helsestasjon"]
    )
    goal = actions.add_goal(actor=ingrid, log=log, arena=Arena.SERVICE, text="Maja er på skolen alle dager i uka.")
    actions.add_measure(
        actor=ingrid,
        goal=goal,
        data=MeasureData(
            "Fast samtale med kontaktlærer hver mandag morgen.",
            MeasureCategory.TILRETTELEGGING,
            ingrid,
            today + timedelta(days=7),
            today + timedelta(days=42),
        ),
    )
    log = actions.make_individual_plan(
        actor=ingrid,
        log=log,
        guardians_consented_on=today - timedelta(days=2),
        own_goals="Jeg vil klare en hel skoledag. Jeg vil ha én voksen jeg kan gå til når det blir for mye.",
    )
    actions.add_plan_decision(
        actor=ingrid,
        log=log,
        text="Vedtak om spesialundervisning i norsk og matematikk etter sakkyndig vurdering fra PPT.",
        decided_on=today - timedelta(days=30),
    )
    room = "Fjordvik skole, møterom 2"

    def ansvarsgruppemote(days: int, hour: int) -> Meeting:
        starts_at = _at(today + timedelta(days=days), hour)
        return actions.schedule_meeting(
            actor=ingrid,
            log=log,
            title="Ansvarsgruppemøte",
            starts_at=starts_at,
            place=room,
            agenda=GOOD_MEETINGS_AGENDA,
        )

    moved = ansvarsgruppemote(10, 10)
    actions.change_meeting(
        actor=ingrid, meeting=moved, version=moved.version, starts_at=_at(today + timedelta(days=12), 13), place=room
    )
    cancelled = ansvarsgruppemote(3, 14)
    actions.cancel_meeting(
        actor=ingrid, meeting=cancelled, reason="PPT kan ikke komme. Møtet er flyttet til uka etter."
    )

"""Demo stafettlogger in several states, written through the same actions as the app."""

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions
from stafett.logs import actions as digital_consent  # former module names, now aliases of logs/actions/
from stafett.logs import actions as lifecycle
from stafett.logs import actions as transitions
from stafett.logs.actions import ConsentData, EvaluationData, LogStart, MeasureData
from stafett.logs.actions.consent import required_signers
from stafett.logs.models import (
    GOOD_MEETINGS_AGENDA,
    Arena,
    CloseReason,
    Consent,
    LogStatus,
    LogTemplate,
    Measure,
    MeasureCategory,
    ParticipantApproval,
    RelayLog,
    TransitionKind,
)
from stafett.people.models import Person, ServiceType, Unit

TEMPLATES = [
    (
        ServiceType.BARNEHAGE,
        "Meg som barnehagebarn",
        "Skriv punktvis om styrker og utfordringer: sosialt, følelsesmessig og i lek og læring.",
    ),
    (
        ServiceType.SKOLE,
        "Meg som elev",
        "Skriv punktvis om styrker og utfordringer: sosialt, følelsesmessig og faglig.",
    ),
    (
        ServiceType.HELSESTASJON,
        "Meg og helsen min",
        "Skriv punktvis om styrker og utfordringer: helse, trivsel og utvikling.",
    ),
]


def _add_approved(*, actor: Person, log: RelayLog, person: Person, unit: Unit) -> None:
    """Issue 15 §4: the family approves each new participant; in the demo they already have."""
    participant = actions.add_participant(actor=actor, log=log, person=person, unit=unit)
    for member in required_signers(log):
        if participant.approval == ParticipantApproval.PENDING:
            participant = actions.answer_participant(
                actor=member, participant=participant, approve=True, authenticated_by="BankID (demo)"
            )


def _person(email: str = "", given: str = "", family: str = "") -> Person:
    if email:
        return Person.objects.get(email=email)
    return Person.objects.get(given_name=given, family_name=family, national_id__isnull=False)


def _consent(unit: Unit, signers: list[Person], services: list[str], until: date | None = None) -> ConsentData:
    document = SimpleUploadedFile("samtykke.pdf", minimal_pdf(), content_type="application/pdf")
    data = ConsentData(services=services, signatories=signers, document=document, collected_at_unit=unit, level=2)
    if until:
        data.valid_until = until
    return data


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_demo_logs() -> None:
    for service, heading, prompt in TEMPLATES:
        LogTemplate.objects.get_or_create(
            service_type=service,
            defaults={"about_me_heading": heading, "about_me_prompt": prompt, "meeting_agenda": GOOD_MEETINGS_AGENDA},
        )
    today = timezone.localdate()
    units = {u.name: u for u in Unit.objects.all()}
    kari = _person("kari.lunde@fjordvik.example")
    nina = _person("nina.fossum@fjordvik.example")
    siri = _person("siri.holm@fjordvik.example")
    ingrid = _person("ingrid.berg@fjordvik.example")
    ola = _person("ola.strand@fjordvik.example")

    # 1. Emma (kindergarten): an active level-2 log with a plan, a held meeting,
    #    an evaluation, a message — and one evaluation overdue.
    emma = _person(given="Emma", family="Hansen")
    silje, martin = actions.guardians_of(emma)
    kindergarten = units["Solsikken barnehage"]
    log = actions.open_log(
        actor=kari,
        subject=emma,
        unit=kindergarten,
        consent=_consent(kindergarten, [silje, martin], ["barnehage", "helsestasjon", "ppt", "skole"]),
        template=LogTemplate.objects.get(service_type=ServiceType.BARNEHAGE),
        initiated_by="Pedagogisk leder",
        initiator_text="Emma leker mest alene og sier lite i samlingsstund.",
    )
    log = actions.update_overview(
        actor=kari,
        log=log,
        version=log.version,
        level_reason="PPT og helsestasjon er med",
        changes={
            "level": 2,
            "presentation": "Emma er fem år, glad i å tegne og å være ute.",
            "strengths": "Tegner godt. Er omsorgsfull mot de minste.",
            "challenges": "Sier lite i store grupper. Trekker seg unna i frilek.",
            "challenge_categories": ["sprak", "sosiale"],
            "need_extent": 2,
        },
    )
    _add_approved(actor=kari, log=log, person=nina, unit=units["Fjordvik helsestasjon"])
    _add_approved(actor=kari, log=log, person=siri, unit=units["PPT for Fjordvik og Nabodal"])
    home = actions.add_goal(
        actor=kari, log=log, arena=Arena.HOME, text="Emma forteller hjemme om noe hun har gjort i barnehagen."
    )
    kg = actions.add_goal(
        actor=kari, log=log, arena=Arena.SERVICE, text="Emma deltar i lek med minst én annen i frileken."
    )
    other = actions.add_goal(actor=kari, log=log, arena=Arena.OTHER, text="Språket til Emma er kartlagt.")
    soon = today + timedelta(days=14)
    actions.add_measure(
        actor=kari,
        goal=home,
        data=MeasureData(
            "Lese bildebok og snakke om bildene fire kvelder i uka.",
            MeasureCategory.SPRAK,
            silje,
            soon,
            soon + timedelta(days=14),
        ),
    )
    kg_measure = actions.add_measure(
        actor=kari,
        goal=kg,
        data=MeasureData("Lekegruppe med to andre barn to ganger i uka.", MeasureCategory.SOSIAL, kari, today, today),
    )
    actions.add_measure(
        actor=kari,
        goal=other,
        data=MeasureData("Språkkartlegging med TRAS.", MeasureCategory.SPRAK, siri, soon, soon + timedelta(days=7)),
    )
    actions.add_measure(
        actor=kari,
        goal=other,
        data=MeasureData("Hørselstest.", MeasureCategory.HELSE, nina, soon, soon + timedelta(days=7)),
    )
    actions.evaluate_measure(
        actor=silje,
        measure=kg_measure,
        data=EvaluationData(
            carried_out=True,
            decision="fortsette",
            effect_child="Emma sier hun liker lekegruppa.",
            effect_guardians="Hun snakker mer om vennene sine hjemme.",
        ),
    )
    meeting = actions.schedule_meeting(
        actor=kari, log=log, starts_at=_at(today, 9), place="Solsikken barnehage, møterom", agenda=GOOD_MEETINGS_AGENDA
    )
    actions.record_minutes(
        actor=kari,
        meeting=meeting,
        version=meeting.version,
        attendees=[kari, silje, martin, nina],
        minutes="Vi ble enige om mål og tiltak. Kari kaller inn til nytt møte om seks uker.",
        next_meeting_date=today + timedelta(days=42),
    )
    actions.schedule_meeting(
        actor=kari,
        log=log,
        starts_at=_at(today + timedelta(days=42), 14),
        place="Solsikken barnehage, møterom",
        agenda=GOOD_MEETINGS_AGENDA,
    )
    actions.post_message(actor=nina, log=log, text="Hørselstesten er bestilt til neste uke.")
    # Time has passed in the demo: Martin's measure is due for evaluation and nobody has done it.
    late = actions.add_measure(
        actor=kari,
        goal=home,
        data=MeasureData(
            "Være med Emma på biblioteket annenhver lørdag.", MeasureCategory.FRITID, martin, today, today
        ),
    )
    Measure.objects.filter(pk=late.pk).update(
        deadline=today - timedelta(days=21), evaluation_date=today - timedelta(days=7)
    )

    # 2. Oskar (school): just opened, no measures yet — the log shows what is missing.
    oskar = _person(given="Oskar", family="Larsen")
    school = units["Haugen skole"]
    log2 = actions.open_log(
        actor=ola,
        subject=oskar,
        unit=school,
        consent=_consent(school, actions.guardians_of(oskar), ["skole", "sfo", "helsestasjon", "skolehelse"]),
        template=LogTemplate.objects.get(service_type=ServiceType.SKOLE),
        initiated_by="Kontaktlærer",
        initiator_text="Oskar kommer ofte for sent og er sliten.",
    )
    _add_approved(actor=ola, log=log2, person=nina, unit=units["Fjordvik helsestasjon"])

    # 3. Nora (16, lower secondary pupil at Fjordvik skole): a youth with rights who signed herself.
    nora = _person(given="Nora", family="Jensen")
    school2 = units["Fjordvik skole"]
    actions.open_log(
        actor=ingrid,
        subject=nora,
        unit=school2,
        consent=_consent(school2, [*actions.guardians_of(nora), nora], ["skole", "skolehelse", "bup"]),
        initiated_by="Nora selv",
        initiator_text="Nora ba om hjelp med skolefravær.",
    )

    # 4. Lukas: consent ran out yesterday — participants have lost access until it is renewed.
    lukas = _person(given="Lukas", family="Pedersen")
    log4 = actions.open_log(
        actor=ingrid,
        subject=lukas,
        unit=school2,
        consent=_consent(school2, actions.guardians_of(lukas), ["skole", "ppt"]),
    )
    _add_approved(actor=ingrid, log=log4, person=siri, unit=units["PPT for Fjordvik og Nabodal"])
    Consent.objects.filter(log=log4).update(
        valid_from=today - timedelta(days=730), valid_until=today - timedelta(days=1)
    )
    RelayLog.objects.filter(pk=log4.pk).update(created_at=timezone.now() - timedelta(days=730))

    _seed_lifecycle_states(today, units)
    from stafett.core.demo_routine import seed_routine_examples  # it uses this module's helpers

    seed_routine_examples(today, units)
    _seed_guide_positions(log)


def _seed_guide_positions(emma_log: RelayLog) -> None:
    """Every active log stands somewhere in the BTI guide; Emma's has come to step 3 at level 2."""
    from stafett.guide.actions import decide, start_level, startable_levels
    from stafett.guide.models import DecisionKind

    for log in RelayLog.objects.filter(status=LogStatus.ACTIVE).select_related("unit", "holder"):
        level = str(log.level)
        if level in startable_levels(log):
            position = start_level(actor=log.holder, log=log, level=level)
            if log.pk == emma_log.pk:
                for note in ("Samtykke og stafettlogg er på plass.", "Første møte er holdt."):
                    decide(
                        actor=log.holder,
                        position=position,
                        version=position.version,
                        decision=DecisionKind.CONTINUE,
                        note=note,
                    )


def _seed_lifecycle_states(today: date, units: dict[str, Unit]) -> None:
    """A log in each lifecycle state, so a newcomer can see them all (issue: the log's life)."""
    kari = _person("kari.lunde@fjordvik.example")
    tor = _person("tor.aasen@fjordvik.example")
    geir = _person("geir.moen@fjordvik.example")
    hilde = _person("hilde.dahl@fjordvik.example")
    ola = _person("ola.strand@fjordvik.example")
    kindergarten = units["Solsikken barnehage"]
    school = units["Haugen skole"]

    # Sara starts school in August: the transition to Fjordvik skole is under way — the school
    # is notified and the principal is a participant; the contact teacher is still missing.
    sara = _person(given="Sara", family="Olsen")
    log = actions.open_log(
        actor=kari,
        subject=sara,
        unit=kindergarten,
        consent=_consent(kindergarten, actions.guardians_of(sara), ["barnehage", "skole", "sfo"]),
    )
    start = date(today.year + (1 if today.month >= 8 else 0), 8, 17)
    t = transitions.start_transition(
        actor=kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=units["Fjordvik skole"],
        sfo_unit=units["Fjordvik SFO"],
        start_date=start,
    )
    transitions.notify_school(actor=kari, transition=t)
    _add_approved(actor=kari, log=log, person=geir, unit=units["Fjordvik skole"])
    # Issue 15 §7: Henrik Olsen has no BankID; Kari checked his mobile number with him in person,
    # and prints his view of Sara's log or sends him a one-time code («Foresatte uten BankID»).
    from stafett.logs.actions.assisted import register_assisted_guardian

    henrik = _person(given="Henrik", family="Olsen")
    register_assisted_guardian(
        actor=kari,
        log=log,
        guardian=henrik,
        reason="Har ikke BankID eller norsk eID",
        phone="40000007",
        phone_checked=True,
    )

    # William: Tor has proposed Kari as the new holder; she has not answered yet.
    william = _person(given="William", family="Karlsen")
    log = actions.open_log(
        actor=tor,
        subject=william,
        unit=kindergarten,
        consent=_consent(kindergarten, actions.guardians_of(william), ["barnehage", "helsestasjon"]),
    )
    lifecycle.propose_handover(
        actor=tor, log=log, to=kari, unit=kindergarten, note="Kari blir pedagogisk leder for William"
    )

    # Jakob waits for digital consent: Marte has approved, Henrik has not.
    jakob = _person(given="Jakob", family="Olsen")
    request = digital_consent.open_log_with_digital_consent(
        actor=tor,
        start=LogStart(subject=jakob, unit=kindergarten),
        terms=digital_consent.ConsentTerms(
            services=["barnehage", "helsestasjon"], valid_until=today + timedelta(days=730)
        ),
    )
    marte = _person(given="Marte", family="Olsen")
    digital_consent.answer_consent(actor=marte, request=request, approve=True, authenticated_by="Demo-innlogging")

    # Olivia: the guardian withdrew consent — the log is passive and an archive copy was made.
    olivia = _person(given="Olivia", family="Eriksen")
    log = actions.open_log(
        actor=ola, subject=olivia, unit=school, consent=_consent(school, actions.guardians_of(olivia), ["skole", "ppt"])
    )
    lifecycle.withdraw_consent(actor=actions.guardians_of(olivia)[0], log=log)

    # Aksel: closed — the goals were met.
    aksel = _person(given="Aksel", family="Berg")
    log = actions.open_log(
        actor=hilde, subject=aksel, unit=school, consent=_consent(school, actions.guardians_of(aksel), ["skole"])
    )
    lifecycle.close_log(actor=hilde, log=log, reason=CloseReason.GOALS_MET)

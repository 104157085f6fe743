"""Who may do what: the one place Stafett answers it.

The policy is data: for each kind of target, each action lists the
relations a person must have to that target. `relations_to()` works out a
person's relations; `can()` combines the two. Views declare their rule with
`@public`, `@signed_in` or `@needs(...)`; a test walks the URLconf and fails
for any view without one, and `manage.py access_matrix` prints POLICY for
the data protection officer.

Without read access the answer is 404 — the same as "does not exist" — so
nobody learns that a child has a log; a reader trying to write gets 403.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from stafett.api.models import SystemClient
    from stafett.logs.models import LogRequest, RelayLog
    from stafett.people.models import Person, Unit
    from stafett.undring.models import ConcernNote, Discussion


class PersonRequest(HttpRequest):
    """The request a view behind @signed_in or @needs gets: the user is a signed-in Person."""

    user: Person  # type: ignore[assignment]
    htmx: HtmxDetails
    access_relations: set[Relation]


class Relation(models.TextChoices):
    HOLDER = "holder", "Stafettholder"
    PROPOSED_HOLDER = "proposed_holder", "Foreslått ny stafettholder (før svaret)"
    PARTICIPANT = "participant", "Deltaker (tjenesten er med i samtykket som gjelder i dag)"
    GUARDIAN = "guardian", "Foresatt (loggen er ikke skjermet)"
    YOUTH = "youth", "Ungdom med rettigheter"
    CHILD = "child", "Barn uten egen innlogging"
    UNIT_LEADER = "unit_leader", "Leder ved tjenestestedet"
    UNIT_EMPLOYEE = "unit_employee", "Ansatt ved tjenestestedet (rolle ansatt eller leder)"
    SYSTEM_ADMIN = "system_admin", "Systemansvarlig"
    SUPERUSER = "superuser", "Superbruker"
    STAFF = "staff", "Ansatt (annet sted)"
    CITIZEN = "citizen", "Innbygger uten tilknytning"
    OWNER = "owner", "Eier av undringen"
    CHILD_WELFARE = "child_welfare", "Deltaker fra barneverntjenesten"
    RECEIVING_PRINCIPAL = "receiving_principal", "Rektor ved mottakende skole, deltaker i loggen"
    RECEIVING_LEADER = "receiving_leader", "Leder ved skolen barnet er meldt til (overgang)"
    # Issue 15 §7: registered by the holder as taking part without electronic ID; reads with a one-time code.
    ASSISTED_GUARDIAN = "assisted_guardian", "Foresatt uten elektronisk ID (leser med engangskode)"
    # Issue 15 §8: the old holder made passive at handover reads the history, nothing else.
    FORMER_HOLDER = "former_holder", "Tidligere stafettholder, passiv (leser historikken)"


class Target(models.TextChoices):
    LOG = "log", "Stafettlogg"
    UNIT = "unit", "Tjenestested"
    INSTALLATION = "installation", "Hele installasjonen"
    NOTE = "note", "Undring (nivå 0)"
    LOG_REQUEST = "log_request", "Forespørsel fra familien om stafettlogg (ikke en logg)"
    DISCUSSION = "discussion", "Anonym drøfting med ressursteamet (nivå 0)"


class Action(models.TextChoices):
    VIEW_LOG = "log.view", "Se loggen"
    EDIT_PLAN = "log.edit_plan", "Skrive planen (oversikt, mål, tiltak, møter, referat)"
    MANAGE_PARTICIPANTS = "log.manage_participants", "Legge til og fjerne deltakere"
    COMMENT = "log.comment", "Kommentere tiltak"
    EVALUATE_OWN_MEASURE = "log.evaluate_own", "Evaluere egne tiltak"
    EVALUATE_ANY_MEASURE = "log.evaluate_any", "Evaluere alle tiltak"
    POST_MESSAGE = "log.message", "Skrive meldinger"
    VIEW_ACCESS_LOG = "log.access_log", "Se hvem som har sett loggen"
    DOWNLOAD_DOCUMENT = "log.document", "Laste ned dokumenter (samtykke)"
    EXPORT = "log.export", "Eksportere loggen (PDF)"
    WITHDRAW_CONSENT = "log.withdraw_consent", "Trekke samtykket (eller registrere at det er trukket)"
    RENEW_CONSENT = "log.renew_consent", "Fornye eller utvide samtykket"
    HAND_OVER = "log.hand_over", "Foreslå ny stafettholder"
    CLOSE_LOG = "log.close", "Avslutte loggen, eller slette innholdet ved krav om sletting"
    MAKE_INDIVIDUAL_PLAN = "log.make_individual_plan", "Gjøre loggen om til individuell plan (med foresattes samtykke)"
    CHILD_WELFARE_DATES = "log.child_welfare_dates", "Registrere datoene barneverntjenestens frister regnes fra"
    SHIELD_FROM_GUARDIANS = "log.shield", "Mistanke om vold eller overgrep: skjerme loggen for foresatte"
    ANSWER_HANDOVER = "log.answer_handover", "Se det som trengs for å svare, og godta eller avslå å bli stafettholder"
    ADD_CONTACT_TEACHER = "log.add_contact_teacher", "Legge til kontaktlæreren i en overgang til skolen"
    SEE_TRANSITION_NOTICE = "log.transition_notice", "Se at et barn er meldt til skolen (navn, fra hvor, når)"
    ASSIST_GUARDIAN = "log.assist_guardian", "Registrere foresatt uten elektronisk ID, skrive ut og sende engangskode"
    VIEW_AS_ASSISTED_GUARDIAN = "log.view_assisted", "Lese loggen med engangskode (uten tilgangslogg og meldingsskjema)"
    OPEN_LOG = "unit.open_log", "Opprette stafettlogg for tjenestestedet"
    APPOINT_HOLDER = "unit.appoint_holder", "Utnevne en annen stafettholder"
    WRITE_NOTE = "unit.write_note", "Skrive en undring (nivå 0) om et barn ved tjenestestedet"
    VIEW_UNIT_OVERVIEW = "unit.overview", "Se oversikten over tjenestestedets logger (uten innhold)"
    VIEW_STAFF = "staff.view", "Se ansattlisten"
    MANAGE_STAFF = "staff.manage", "Endre ansattlisten (legge til, avslutte, importere)"
    MANAGE_PEOPLE = "people.manage", "Registrere personer og foresatte"
    USE_ADMIN = "admin.use", "Bruke administrasjonen (kommuner, tjenestesteder)"
    MANAGE_TEMPLATES = "templates.manage", "Vedlikeholde maler"
    MANAGE_GUIDE = "guide.manage", "Vedlikeholde BTI-veilederen (tekstene i stegene)"
    VIEW_NOTE = "note.view", "Lese undringen"
    EDIT_NOTE = "note.edit", "Skrive i, avklare og avslutte undringen"
    VIEW_STATISTICS = "stats.view", "Se statistikk for kommunen"
    ASK_FOR_LOG = "request.create", "Be et tjenestested vurdere å opprette stafettlogg for barnet"
    VIEW_LOG_REQUEST = "request.view", "Se forespørselen og svaret på den"
    ANSWER_LOG_REQUEST = "request.answer", "Svare familien på forespørselen"
    VIEW_LOG_REQUESTS = "unit.requests", "Se forespørslene fra familier til tjenestestedet"
    RECORD_DISCUSSION = "unit.record_discussion", "Registrere en anonym drøfting med ressursteamet"
    VIEW_DISCUSSION = "discussion.view", "Lese den anonyme drøftingen"
    VIEW_API_DOCS = "api.docs", "Se API-dokumentasjonen (/api/v1/docs)"
    MANAGE_SYSTEM_CLIENTS = "api.systems", "Registrere systemer som bruker API-et (fagsystem, arkiv, datavarehus)"


R = Relation
READERS = frozenset({R.HOLDER, R.PARTICIPANT, R.GUARDIAN, R.YOUTH})
# SPEC §3: nobody grants access to themselves — a proposed holder sees only what is needed
# to answer until they accept; the leader, the system administrator and the superuser never read.
POLICY: dict[Target, dict[Action, frozenset[Relation]]] = {
    # SPEC §3: the holder alone writes the plan; participants read, comment,
    # evaluate their own measures and post; guardians see everything and have
    # the last word in evaluations; a youth with rights is treated as a party.
    # The unit leader, the system administrator and the superuser do not read content.
    Target.LOG: {
        # Issue 15 §8: a former holder made passive reads the history — and does nothing else.
        Action.VIEW_LOG: READERS | {R.FORMER_HOLDER},
        Action.EDIT_PLAN: frozenset({R.HOLDER}),
        Action.MANAGE_PARTICIPANTS: frozenset({R.HOLDER}),
        Action.COMMENT: READERS,
        Action.EVALUATE_OWN_MEASURE: READERS,
        Action.EVALUATE_ANY_MEASURE: frozenset({R.HOLDER, R.GUARDIAN}),
        Action.POST_MESSAGE: READERS,
        Action.VIEW_ACCESS_LOG: frozenset({R.HOLDER, R.GUARDIAN, R.YOUTH}),
        Action.DOWNLOAD_DOCUMENT: frozenset({R.HOLDER, R.GUARDIAN, R.YOUTH}),
        Action.EXPORT: frozenset({R.HOLDER, R.GUARDIAN, R.YOUTH}),
        # SPEC §4: guardians (and a youth with rights) may withdraw at any time;
        # the holder records a withdrawal given on paper.
        Action.WITHDRAW_CONSENT: frozenset({R.HOLDER, R.GUARDIAN, R.YOUTH}),
        Action.RENEW_CONSENT: frozenset({R.HOLDER}),
        # seeds/004: the holder or the unit leader proposes; the new holder accepts.
        Action.HAND_OVER: frozenset({R.HOLDER, R.UNIT_LEADER}),
        Action.CLOSE_LOG: frozenset({R.HOLDER}),
        # seeds/003: the holder turns the log into an individual plan and becomes its koordinator;
        # every other rule stays the same — the koordinator is the HOLDER relation (issue 15 §6).
        Action.MAKE_INDIVIDUAL_PLAN: frozenset({R.HOLDER}),
        # SPEC §7: on suspected violence or abuse nothing may reach the guardians; any
        # professional in the log can shut them out at once.
        Action.SHIELD_FROM_GUARDIANS: frozenset({R.HOLDER, R.PARTICIPANT}),
        # seeds/004 3.0–3.3: child welfare's deadlines run from dates child welfare knows best.
        Action.CHILD_WELFARE_DATES: frozenset({R.HOLDER, R.CHILD_WELFARE}),
        # seeds/004 ordliste: the proposed holder answers; until then they see the child's first
        # name, unit, level, holder, dates and the proposer's note — not the plan.
        Action.ANSWER_HANDOVER: frozenset({R.PROPOSED_HOLDER}),
        # seeds/000: the holder adds the principal; the principal adds the contact teacher.
        Action.ADD_CONTACT_TEACHER: frozenset({R.HOLDER, R.RECEIVING_PRINCIPAL}),
        # seeds/000: the school is told in November; its leader sees the child on the start page.
        Action.SEE_TRANSITION_NOTICE: frozenset({R.HOLDER, R.RECEIVING_LEADER}),
        # Issue 15 §7: the holder registers a guardian without BankID, prints their view or sends a code;
        # with the code that guardian reads, and only reads (no access log of others, no messages).
        Action.ASSIST_GUARDIAN: frozenset({R.HOLDER}),
        Action.VIEW_AS_ASSISTED_GUARDIAN: frozenset({R.ASSISTED_GUARDIAN}),
    },
    Target.UNIT: {
        Action.OPEN_LOG: frozenset({R.UNIT_LEADER, R.UNIT_EMPLOYEE}),
        # seeds/004 Roller: the leader appoints the first holder and changes holder.
        Action.APPOINT_HOLDER: frozenset({R.UNIT_LEADER}),
        Action.WRITE_NOTE: frozenset({R.UNIT_LEADER, R.UNIT_EMPLOYEE}),
        # seeds/001: the leader follows up the unit's logs — who holds them, what is late — not their content.
        Action.VIEW_UNIT_OVERVIEW: frozenset({R.UNIT_LEADER}),
        # seeds/001 §3: the leader keeps the unit's staff list current.
        Action.VIEW_STAFF: frozenset({R.UNIT_LEADER, R.UNIT_EMPLOYEE, R.SYSTEM_ADMIN}),
        Action.MANAGE_STAFF: frozenset({R.UNIT_LEADER, R.SYSTEM_ADMIN}),
        # seeds/001 §1: the unit's leader receives the families' requests and answers them.
        Action.VIEW_LOG_REQUESTS: frozenset({R.UNIT_LEADER}),
        # seeds/004 «Vurdere å drøfte anonymt med TRT»: any employee, without the child's name.
        Action.RECORD_DISCUSSION: frozenset({R.UNIT_LEADER, R.UNIT_EMPLOYEE}),
    },
    Target.INSTALLATION: {
        # seeds/004 Roller: the system administrator manages units and people,
        # but does not read log content by virtue of that role.
        Action.MANAGE_PEOPLE: frozenset({R.SYSTEM_ADMIN}),
        Action.USE_ADMIN: frozenset({R.SYSTEM_ADMIN}),
        Action.MANAGE_TEMPLATES: frozenset({R.SUPERUSER}),
        # seeds/004 Roller: the superuser maintains routines — here the guide's step texts.
        Action.MANAGE_GUIDE: frozenset({R.SUPERUSER}),
        # Issue 5: aggregate counts only, small counts hidden (stats/suppression.py);
        # which municipalities each may choose is in stats/queries.py.
        Action.VIEW_STATISTICS: frozenset({R.SYSTEM_ADMIN, R.SUPERUSER}),
        # Issue 11: the API's browsable documentation is for staff, not for citizens.
        Action.VIEW_API_DOCS: frozenset({R.STAFF}),
        # Issue 11: the system administrator registers the municipality's systems (api/views.py).
        Action.MANAGE_SYSTEM_CLIENTS: frozenset({R.SYSTEM_ADMIN}),
    },
    # seeds/004: the undring is the owner's private reflection — nobody else reads it,
    # leader and administrators included.
    Target.NOTE: {
        Action.VIEW_NOTE: frozenset({R.OWNER}),
        Action.EDIT_NOTE: frozenset({R.OWNER}),
    },
    # seeds/001 §1: guardians (and a youth with rights) ask a unit to consider a log; the unit's
    # leader answers. The request is not a log and grants nobody access to anything else.
    Target.LOG_REQUEST: {
        Action.ASK_FOR_LOG: frozenset({R.GUARDIAN, R.YOUTH}),
        Action.VIEW_LOG_REQUEST: frozenset({R.GUARDIAN, R.YOUTH, R.UNIT_LEADER}),
        Action.ANSWER_LOG_REQUEST: frozenset({R.UNIT_LEADER}),
    },
    # Like the undring: the employee's own record; nobody else reads it.
    Target.DISCUSSION: {
        Action.VIEW_DISCUSSION: frozenset({R.OWNER}),
    },
}
# The action that decides 404 (cannot see it at all) versus 403 (sees, may not do).
READ_ACTION: dict[Target, Action] = {
    Target.LOG: Action.VIEW_LOG,
    Target.UNIT: Action.VIEW_STAFF,
    Target.NOTE: Action.VIEW_NOTE,
    Target.LOG_REQUEST: Action.VIEW_LOG_REQUEST,
    Target.DISCUSSION: Action.VIEW_DISCUSSION,
}
# Nothing changes in a passive or closed log (seeds/003 5.5: read-only after
# withdrawal). Closing and deletion check the status themselves (logs/actions/closing.py).
LOG_WRITES = frozenset(POLICY[Target.LOG]) - {
    Action.VIEW_LOG,
    Action.SEE_TRANSITION_NOTICE,
    Action.VIEW_AS_ASSISTED_GUARDIAN,
    Action.VIEW_ACCESS_LOG,
    Action.DOWNLOAD_DOCUMENT,
    Action.EXPORT,
    Action.CLOSE_LOG,
}


def target_of(action: Action) -> Target:
    for target, actions in POLICY.items():
        if action in actions:
            return target
    raise KeyError(action)


def relations_to(person: Person, target: Any, today: date | None = None) -> set[Relation]:
    """The person's relations to a log, a unit, a family's request, or the installation (None)."""
    from stafett.logs.models import LogRequest, RelayLog
    from stafett.undring.models import ConcernNote, Discussion

    if person is None or not person.is_authenticated:
        return set()
    if isinstance(target, RelayLog):
        return relations_to_log(person, target, today)
    if isinstance(target, ConcernNote | Discussion):
        return {R.OWNER} if target.owner_id == person.id else set()
    if isinstance(target, LogRequest):
        return _relations_to_request(person, target, today or timezone.localdate())
    return _relations_to_organisation(person, target)


# A family's request is about a child: from 18 a person asks on their own behalf, outside Stafett.
ADULT_AGE = 18


def _relations_to_request(person: Person, request: LogRequest, today: date) -> set[Relation]:
    """A family's request (also one not yet saved): the child's guardians, the child as a youth
    with rights (the asked unit's municipality's `youth_logs_in_from_age`), the unit's leaders."""
    from stafett.people.models import Guardianship, Membership, Role

    relations: set[Relation] = set()
    if Guardianship.objects.filter(guardian=person, child_id=request.child_id).exists():
        relations.add(R.GUARDIAN)
    if request.child_id == person.id:
        age = person.age_on(today)
        if age is not None and request.unit.municipality.youth_logs_in_from_age <= age < ADULT_AGE:
            relations.add(R.YOUTH)
    leads = Membership.objects.active(today).filter(person=person, unit_id=request.unit_id, role=Role.LEADER)
    if leads.exists():
        relations.add(R.UNIT_LEADER)
    return relations


# Roles that make someone an employee of their unit; the admin roles administer, they do not
# work with children (SPEC §3: the system administrator and superuser never read content).
EMPLOYEE_ROLES = ("ansatt", "leder")


def _relations_to_organisation(person: Person, target: Unit | None) -> set[Relation]:
    from stafett.people.models import Membership, Role

    memberships = list(Membership.objects.active().filter(person=person).select_related("unit"))
    relations: set[Relation] = set() if memberships else {R.CITIZEN}
    for m in memberships:
        relations.add(R.STAFF)
        if m.role == Role.SUPERUSER:
            relations.add(R.SUPERUSER)
        if m.role == Role.SYSTEM_ADMIN and (
            target is None or _municipality_of_unit_covers(m.unit.municipality_id, target)
        ):
            relations.add(R.SYSTEM_ADMIN)
        if target is not None and m.unit_id == target.id and m.role in EMPLOYEE_ROLES:
            relations.add(R.UNIT_EMPLOYEE)
            if m.role == Role.LEADER:
                relations.add(R.UNIT_LEADER)
    return relations


# --- The one definition of every relation to a log ------------------------------------
#
# Each relation is a set of (log, person) pairs, written once as a query with the columns
# `lid` (the log's id) and `pid` (the person's id). Everything derives from these:
#   relations_to_log(person, log)  – one query, an EXISTS per relation (can(), require());
#   logs_where(person, relations)  – every list and start page (readable_logs);
#   readers_of(logs)               – every recipient list (news, reminders, summaries).
# No other module filters logs by person.


def _pairs(relation: Relation, today: date) -> QuerySet[Any]:
    builder = _PAIRS.get(relation)
    if builder is None:
        raise KeyError(f"{relation} is not a relation to a log")
    return builder(today)


def _holder(today: date) -> QuerySet[Any]:
    from stafett.logs.models import RelayLog

    return RelayLog.objects.annotate(lid=F("id"), pid=F("holder_id"))


def _former_holder(today: date) -> QuerySet[Any]:
    """Issue 15 §8: the old holder made passive at handover reads the history on the participant's
    terms (SPEC §3: an active log, the consent covering their unit's service, still on its staff)."""
    from stafett.logs.models import FormerHolder, LogStatus

    rows = FormerHolder.objects.filter(ended_at__isnull=True, log__status=LogStatus.ACTIVE)
    return _while_consented_and_on_staff(rows, today).annotate(lid=F("log_id"), pid=F("person_id"))


def _assisted_guardian(today: date) -> QuerySet[Any]:
    """Issue 15 §7: a guardian the holder registered as taking part without electronic ID, while
    they are still the child's guardian, the log is active (withdrawal and closing end it) and
    not shielded (SPEC §7: on suspected abuse nothing reaches the guardians)."""
    from stafett.logs.models import AssistedGuardian, LogStatus
    from stafett.people.models import Guardianship

    still_guardian = Guardianship.objects.filter(guardian=OuterRef("guardian_id"), child=OuterRef("log__subject_id"))
    return (
        AssistedGuardian.objects.filter(
            ended_at__isnull=True, log__status=LogStatus.ACTIVE, log__guardians_shielded_at__isnull=True
        )
        .filter(Exists(still_guardian))
        .annotate(lid=F("log_id"), pid=F("guardian_id"))
    )


def _proposed_holder(today: date) -> QuerySet[Any]:
    from stafett.logs.models import Handover, HandoverStatus

    return Handover.objects.filter(status=HandoverStatus.PROPOSED).annotate(lid=F("log_id"), pid=F("to_person_id"))


def _guardian(today: date) -> QuerySet[Any]:
    from stafett.logs.models import RelayLog

    # SPEC §7: on suspected abuse the log is shielded and no guardian reads it.
    return (
        RelayLog.objects.filter(guardians_shielded_at__isnull=True)
        .annotate(lid=F("id"), pid=F("subject__guardianships__guardian_id"))
        .filter(pid__isnull=False)
    )


def _subject(today: date, *, youth: bool) -> QuerySet[Any]:
    """The child of the log: a youth with rights from the municipality's age (SPEC §3), else a child.
    Ages compare as YYYYMMDD numbers: born on or before today minus N years."""
    from stafett.logs.models import RelayLog

    born = ExtractYear("subject__birth_date") * 10000 + ExtractMonth("subject__birth_date") * 100
    born = born + ExtractDay("subject__birth_date")
    limit = Value(today.year * 10000 + today.month * 100 + today.day) - F(
        "unit__municipality__youth_logs_in_from_age"
    ) * Value(10000)
    logs = RelayLog.objects.annotate(_born=born, _limit=limit)
    if youth:
        logs = logs.filter(subject__birth_date__isnull=False, _born__lte=F("_limit"))
    else:
        logs = logs.filter(Q(subject__birth_date__isnull=True) | Q(_born__gt=F("_limit")))
    return logs.annotate(lid=F("id"), pid=F("subject_id"))


def _participant(today: date) -> QuerySet[Any]:
    """SPEC §3: a participant reads only an active log, while the consent valid today covers
    their unit's service and they are still on that unit's staff. Narrowing, expiry or
    withdrawal of the consent ends access at once. Issue 15 §4 (seeds/001 §6): a participant
    the family has not yet approved has no access."""
    from stafett.logs.models import LogStatus, Participant, ParticipantApproval

    rows = Participant.objects.filter(removed_at__isnull=True, log__status=LogStatus.ACTIVE).filter(
        approval__in=[ParticipantApproval.NOT_NEEDED, ParticipantApproval.APPROVED]
    )
    return _while_consented_and_on_staff(rows, today).annotate(lid=F("log_id"), pid=F("person_id"))


def _while_consented_and_on_staff(rows: QuerySet[Any], today: date) -> QuerySet[Any]:
    """Rows with `log`, `person` and `unit`: kept while the consent valid today covers the unit's
    service and the person is on that unit's staff."""
    from stafett.logs.models import Consent
    from stafett.people.models import Membership

    current = Consent.objects.valid_on(today).filter(log=OuterRef(OuterRef("log_id"))).latest_first()
    covered = Consent.objects.filter(pk=Subquery(current.values("pk")[:1])).covering(OuterRef("unit__service_type"))
    on_staff = Membership.objects.active(today).filter(person=OuterRef("person_id"), unit=OuterRef("unit_id"))
    return rows.filter(Exists(on_staff), Exists(covered))


def _child_welfare(today: date) -> QuerySet[Any]:
    from stafett.people.models import ServiceType

    return _participant(today).filter(unit__service_type=ServiceType.BARNEVERN)


def _unit_leader(today: date) -> QuerySet[Any]:
    from stafett.people.models import Membership, Role

    return (
        Membership.objects.active(today)
        .filter(role=Role.LEADER)
        .annotate(lid=F("unit__relay_logs__id"), pid=F("person_id"))
        .filter(lid__isnull=False)
    )


def _receiving_principal(today: date) -> QuerySet[Any]:
    """seeds/000: the receiving school's leader, once the holder has added them as a participant."""
    from stafett.logs.models import Transition
    from stafett.people.models import Membership, Role

    open_transition = Transition.objects.filter(
        log=OuterRef("log_id"), to_unit=OuterRef("unit_id"), completed_at__isnull=True
    )
    leads = Membership.objects.active(today).filter(
        person=OuterRef("person_id"), unit=OuterRef("unit_id"), role=Role.LEADER
    )
    return _participant(today).filter(Exists(open_transition), Exists(leads))


def _receiving_leader(today: date) -> QuerySet[Any]:
    from stafett.logs.models import Transition
    from stafett.people.models import Role

    return (
        Transition.objects.filter(notified_at__isnull=False, completed_at__isnull=True)
        .annotate(
            lid=F("log_id"),
            pid=F("to_unit__memberships__person_id"),
            _role=F("to_unit__memberships__role"),
            _ended=F("to_unit__memberships__ended_on"),
        )
        # On the staff list today (people.models.MembershipQuerySet.active: an end date counts from that day).
        .filter(Q(_ended__isnull=True) | Q(_ended__gt=today), _role=Role.LEADER)
    )


_PAIRS: dict[Relation, Callable[[date], QuerySet[Any]]] = {
    R.HOLDER: _holder,
    R.PROPOSED_HOLDER: _proposed_holder,
    R.PARTICIPANT: _participant,
    R.GUARDIAN: _guardian,
    R.YOUTH: functools.partial(_subject, youth=True),
    R.CHILD: functools.partial(_subject, youth=False),
    R.UNIT_LEADER: _unit_leader,
    R.CHILD_WELFARE: _child_welfare,
    R.RECEIVING_PRINCIPAL: _receiving_principal,
    R.RECEIVING_LEADER: _receiving_leader,
    R.FORMER_HOLDER: _former_holder,
    R.ASSISTED_GUARDIAN: _assisted_guardian,
}


# Placeholders for the person and the log: the query is built and compiled once a day per
# database and only run after that (building ten nested subqueries costs Django ~15 ms a time).
_PERSON, _LOG = -770_000_001, -770_000_002
_COMPILED: dict[tuple[str, date], tuple[str, tuple[Any, ...], list[str]]] = {}


def _relations_query(db: str, today: date) -> tuple[str, tuple[Any, ...], list[str]]:
    from stafett.logs.models import RelayLog

    key = (db, today)
    if key not in _COMPILED:
        checks = {f"is_{r.value}": Exists(_pairs(r, today).filter(lid=OuterRef("pk"), pid=_PERSON)) for r in _PAIRS}
        sql, params = RelayLog.objects.using(db).filter(pk=_LOG).values(**checks).query.sql_with_params()
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        _COMPILED[key] = (sql, tuple(params), list(checks))
    return _COMPILED[key]


def relations_to_log(person: Person, log: RelayLog, today: date | None = None) -> set[Relation]:
    """All the person's relations to one log, in one query (an EXISTS per relation of _PAIRS)."""
    from django.db import connections, router

    from stafett.logs.models import RelayLog

    db = router.db_for_read(RelayLog)
    sql, params, names = _relations_query(db, today or timezone.localdate())
    bound = [person.id if p == _PERSON else log.pk if p == _LOG else p for p in params]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, bound)
        row = cursor.fetchone()
    if row is None:
        return set()
    return {Relation(name.removeprefix("is_")) for name, yes in zip(names, row, strict=True) if yes}


def relations_for(action: Action) -> frozenset[Relation]:
    return POLICY[target_of(action)][action]


def logs_where(person: Person, relations: Any, today: date | None = None) -> QuerySet[RelayLog]:
    """The logs where the person has any of `relations` (every list of logs derives from this)."""
    from stafett.logs.models import RelayLog

    today = today or timezone.localdate()
    wanted = [Q(pk__in=_pairs(r, today).filter(pid=person.id).values("lid")) for r in relations]
    if not wanted:
        return RelayLog.objects.none()
    return RelayLog.objects.filter(functools.reduce(operator.or_, wanted))


def logs_for(person: Person, action: Action, today: date | None = None) -> QuerySet[RelayLog]:
    """The logs the person may do `action` with (writes only in active logs)."""
    logs = logs_where(person, relations_for(action), today)
    if action in LOG_WRITES:
        logs = logs.filter(status="aktiv")
    return logs


def readable_logs(person: Person, today: date | None = None) -> QuerySet[RelayLog]:
    """Every log the person may open: the start page, «Mine oppgaver», the API."""
    return logs_where(person, relations_for(Action.VIEW_LOG), today)


def people_with(logs: list[RelayLog], relations: Any, today: date | None = None) -> dict[int, set[int]]:
    """For each log, the ids of the people with any of `relations`, in a few queries."""
    today = today or timezone.localdate()
    found: dict[int, set[int]] = {log.id: set() for log in logs}
    for chunk in _chunks([log.id for log in logs]):
        for relation in relations:
            for lid, pid in _pairs(relation, today).filter(lid__in=chunk).values_list("lid", "pid"):
                found[lid].add(pid)
    return found


# Issue 15 §8: a passive former holder reads the history but hears of nothing, and is no one's
# responsible person any more (logs/orphans.py), so they are on no recipient list.
SILENT_READERS = frozenset({R.FORMER_HOLDER})


def readers_of(logs: list[RelayLog], today: Any = None) -> dict[int, set[int]]:
    """Who takes part in each log now: every recipient list (news, reminders, summaries).
    Everyone who may read it, except the silent readers."""
    return people_with(logs, relations_for(Action.VIEW_LOG) - SILENT_READERS, today)


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _municipality_of_unit_covers(municipality_id: int, unit: Unit) -> bool:
    # A system administrator administers the units of their municipality,
    # including shared services (PPT, child welfare) that serve it.
    if unit.municipality_id == municipality_id:
        return True
    return unit.also_serves.filter(id=municipality_id).exists()


def can(person: Person, action: Action, target: Any = None) -> bool:
    return _allowed(action, target, relations_to(person, target))


def _allowed(action: Action, target: Any, relations: set[Relation]) -> bool:
    if action in LOG_WRITES and not target.is_active:
        return False
    return bool(POLICY[target_of(action)][action] & relations)


def allowed_actions(person: Person, target: Any, relations: set[Relation] | None = None) -> frozenset[Action]:
    """Everything the person may do with the target, for templates ("may.edit_plan").
    `relations` are the ones `@needs` worked out for this request (request.access_relations)."""
    if relations is None:
        relations = relations_to(person, target)
    kind = target_of_object(target)
    return frozenset(a for a in POLICY[kind] if _allowed(a, target, relations))


def target_of_object(target: Any) -> Target:
    from stafett.logs.models import LogRequest, RelayLog
    from stafett.people.models import Unit
    from stafett.undring.models import ConcernNote, Discussion

    if isinstance(target, RelayLog):
        return Target.LOG
    if isinstance(target, ConcernNote):
        return Target.NOTE
    if isinstance(target, LogRequest):
        return Target.LOG_REQUEST
    if isinstance(target, Discussion):
        return Target.DISCUSSION
    if isinstance(target, Unit):
        return Target.UNIT
    return Target.INSTALLATION


def require(person: Person, action: Action, target: Any = None) -> set[Relation]:
    """Raise 404 when the person may not even see the target, 403 when they may see but not act.
    Returns the person's relations to the target, for the rest of the request."""
    relations = relations_to(person, target)
    if _allowed(action, target, relations):
        return relations
    kind = target_of(action)
    read = READ_ACTION.get(kind)
    if read is None or _allowed(read, target, relations):
        raise PermissionDenied
    raise Http404


# --- Registered systems (issue 11 §1) ---------------------------------------------------
#
# A system (a unit's record system, the archive, a data warehouse) is not a person and has no
# relation to any log: it never reads content. It may know, for the units it serves, which
# children have an active log (scope logs.presence) and what changed (scope events), and its
# municipality's figures with small counts hidden (scope statistics).


def units_served_by(client: SystemClient) -> QuerySet[Unit]:
    """The units named when the system was registered; none named means every unit of its
    municipality, shared services that also serve it included."""
    from stafett.people.models import Unit

    if client.pk is not None and client.units.exists():
        return Unit.objects.filter(pk__in=client.units.values("pk"))
    ids = Unit.objects.filter(Q(municipality_id=client.municipality_id) | Q(also_serves=client.municipality_id))
    return Unit.objects.filter(pk__in=ids.values("pk"))


def system_may(client: SystemClient, scope: str) -> bool:
    return client.revoked_at is None and scope in client.scopes


def logs_known_to_system(client: SystemClient, scope: str) -> QuerySet[RelayLog]:
    """The logs whose existence (never content) the system may know of under `scope`:
    those kept at a unit it serves."""
    from stafett.logs.models import RelayLog

    if not system_may(client, scope):
        return RelayLog.objects.none()
    return RelayLog.objects.filter(unit__in=units_served_by(client))


def assisted_guardian_may_read(person: Person, log: RelayLog) -> bool:
    """Issue 15 §7: only the ASSISTED_GUARDIAN relation counts on the code page and in the
    printout — a code never lends its holder the guardian's full rights."""
    relations = relations_to_log(person, log) & {R.ASSISTED_GUARDIAN}
    return _allowed(Action.VIEW_AS_ASSISTED_GUARDIAN, log, relations)


def require_assisted_reading(person: Person, log: RelayLog) -> None:
    """The code page: without the relation, 404, as for any log one may not read."""
    if not assisted_guardian_may_read(person, log):
        raise Http404


def is_system_admin(person: Person) -> bool:
    return can(person, Action.USE_ADMIN)


# Django admin: only system administrators, and only the organisation models (with the
# municipality's archive settings, inline on its page).
ADMIN_APPS = {"people", "archive"}


def admin_may_see_app(person: Person, app_label: str) -> bool:
    return app_label in ADMIN_APPS and is_system_admin(person)


def admin_may(person: Person, perm: str) -> bool:
    app_label = perm.split(".", 1)[0]
    return admin_may_see_app(person, app_label)


# --- View declarations -------------------------------------------------

ViewFunc = Callable[..., HttpResponseBase]


def public(view: ViewFunc) -> ViewFunc:
    """Anyone, signed in or not: login pages, the OIDC callback, error pages."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def signed_in(view: ViewFunc) -> ViewFunc:
    """Any signed-in person; the view shows only what is theirs."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access_rule = "signed_in"  # type: ignore[attr-defined]
    return wrapper


def needs(action: Action) -> Callable[[ViewFunc], ViewFunc]:
    """The view needs `action` on its target: a log (from `log_code`, passed as `log`),
    a unit (from `unit_code`, passed as `unit`), a level-0 note (from `note_code`, passed as
    `note`), a family's request (from `request_code`, passed as `log_request`), an anonymous
    discussion (from `discussion_code`, passed as `discussion`), or the installation."""
    kind = target_of(action)

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target: Unit | RelayLog | ConcernNote | LogRequest | Discussion | None = None
            if kind == Target.UNIT:
                target = kwargs["unit"] = get_unit(kwargs.pop("unit_code"))
            elif kind == Target.LOG:
                target = kwargs["log"] = get_log(kwargs.pop("log_code"))
            elif kind == Target.NOTE:
                target = kwargs["note"] = get_note(kwargs.pop("note_code"))
            elif kind == Target.LOG_REQUEST:
                target = kwargs["log_request"] = get_log_request(kwargs.pop("request_code"))
            elif kind == Target.DISCUSSION:
                target = kwargs["discussion"] = get_discussion(kwargs.pop("discussion_code"))
            # Worked out once per request and handed to the view (allowed_actions).
            request.access_relations = require(request.user, action, target)  # type: ignore[arg-type,attr-defined]
            return view(request, *args, **kwargs)

        wrapper.access_rule = action  # type: ignore[attr-defined]
        return wrapper

    return decorator


def get_unit(code: Any) -> Unit:
    from stafett.people.models import Unit

    try:
        return Unit.objects.select_related("municipality").get(code=code)
    except (Unit.DoesNotExist, ValueError):
        raise Http404 from None


def get_note(code: Any) -> ConcernNote:
    from stafett.undring.models import ConcernNote

    try:
        return ConcernNote.objects.select_related("unit__municipality").get(code=code)
    except (ConcernNote.DoesNotExist, ValueError):
        raise Http404 from None


def get_log_request(code: Any) -> LogRequest:
    from stafett.logs.models import LogRequest

    try:
        return LogRequest.objects.select_related("unit__municipality", "child", "asked_by").get(code=code)
    except (LogRequest.DoesNotExist, ValueError):
        raise Http404 from None


def get_discussion(code: Any) -> Discussion:
    from stafett.undring.models import Discussion

    try:
        return Discussion.objects.select_related("unit", "team_unit", "note").get(code=code)
    except (Discussion.DoesNotExist, ValueError):
        raise Http404 from None


def get_log(code: Any) -> RelayLog:
    from stafett.logs.models import RelayLog

    try:
        return RelayLog.objects.select_related("subject", "holder", "unit__municipality", "template").get(code=code)
    except (RelayLog.DoesNotExist, ValueError):
        raise Http404 from None


def get_log_for(person: Person, code: Any, action: Action = Action.VIEW_LOG) -> RelayLog:
    """The log, if the person may do `action` with it; 404 or 403 otherwise."""
    log = get_log(code)
    require(person, action, log)
    return log

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from stafett.logs.models import RelayLog
    from stafett.people.models import Person, Unit
    from stafett.undring.models import ConcernNote


class PersonRequest(HttpRequest):
    """The request a view behind @signed_in or @needs gets: the user is a signed-in Person."""

    user: Person  # type: ignore[assignment]
    htmx: HtmxDetails


class Relation(models.TextChoices):
    HOLDER = "holder", "Stafettholder"
    PROPOSED_HOLDER = "proposed_holder", "Foreslått ny stafettholder"
    PARTICIPANT = "participant", "Deltaker"
    GUARDIAN = "guardian", "Foresatt"
    YOUTH = "youth", "Ungdom med rettigheter"
    CHILD = "child", "Barn uten egen innlogging"
    UNIT_LEADER = "unit_leader", "Leder ved tjenestestedet"
    UNIT_EMPLOYEE = "unit_employee", "Ansatt ved tjenestestedet"
    SYSTEM_ADMIN = "system_admin", "Systemansvarlig"
    SUPERUSER = "superuser", "Superbruker"
    STAFF = "staff", "Ansatt (annet sted)"
    CITIZEN = "citizen", "Innbygger uten tilknytning"
    OWNER = "owner", "Eier av undringen"
    CHILD_WELFARE = "child_welfare", "Deltaker fra barneverntjenesten"


class Target(models.TextChoices):
    LOG = "log", "Stafettlogg"
    UNIT = "unit", "Tjenestested"
    INSTALLATION = "installation", "Hele installasjonen"
    NOTE = "note", "Undring (nivå 0)"


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
    CHILD_WELFARE_DATES = "log.child_welfare_dates", "Registrere datoene barneverntjenestens frister regnes fra"
    SHIELD_FROM_GUARDIANS = "log.shield", "Mistanke om vold eller overgrep: skjerme loggen for foresatte"
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


R = Relation
READERS = frozenset({R.HOLDER, R.PARTICIPANT, R.GUARDIAN, R.YOUTH})
POLICY: dict[Target, dict[Action, frozenset[Relation]]] = {
    # SPEC §3: the holder alone writes the plan; participants read, comment,
    # evaluate their own measures and post; guardians see everything and have
    # the last word in evaluations; a youth with rights is treated as a party.
    # The unit leader, the system administrator and the superuser do not read content.
    Target.LOG: {
        # The proposed new holder may read the log before accepting the baton.
        Action.VIEW_LOG: READERS | {R.PROPOSED_HOLDER},
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
        # SPEC §7: on suspected violence or abuse nothing may reach the guardians; any
        # professional in the log can shut them out at once.
        Action.SHIELD_FROM_GUARDIANS: frozenset({R.HOLDER, R.PARTICIPANT}),
        # seeds/004 3.0–3.3: child welfare's deadlines run from dates child welfare knows best.
        Action.CHILD_WELFARE_DATES: frozenset({R.HOLDER, R.CHILD_WELFARE}),
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
    },
    # seeds/004: the undring is the owner's private reflection — nobody else reads it,
    # leader and administrators included.
    Target.NOTE: {
        Action.VIEW_NOTE: frozenset({R.OWNER}),
        Action.EDIT_NOTE: frozenset({R.OWNER}),
    },
}
# The action that decides 404 (cannot see it at all) versus 403 (sees, may not do).
READ_ACTION: dict[Target, Action] = {
    Target.LOG: Action.VIEW_LOG,
    Target.UNIT: Action.VIEW_STAFF,
    Target.NOTE: Action.VIEW_NOTE,
}
# Nothing changes in a passive or closed log (seeds/003 5.5: read-only after
# withdrawal). Closing and deletion check the status themselves (lifecycle.py).
LOG_WRITES = frozenset(POLICY[Target.LOG]) - {
    Action.VIEW_LOG,
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


def relations_to(person: Person, target: Any) -> set[Relation]:
    """The person's relations to a log, a unit, or the installation (target None)."""
    from stafett.logs.models import RelayLog
    from stafett.undring.models import ConcernNote

    if person is None or not person.is_authenticated:
        return set()
    if isinstance(target, RelayLog):
        return _relations_to_log(person, target)
    if isinstance(target, ConcernNote):
        return {R.OWNER} if target.owner_id == person.id else set()
    return _relations_to_organisation(person, target)


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
        if target is not None and m.unit_id == target.id:
            relations.add(R.UNIT_EMPLOYEE)
            if m.role == Role.LEADER:
                relations.add(R.UNIT_LEADER)
    return relations


def _relations_to_log(person: Person, log: RelayLog) -> set[Relation]:
    from stafett.logs.models import LogStatus
    from stafett.people.models import Guardianship, Membership, ServiceType

    relations = _relations_to_organisation(person, log.unit) & {R.UNIT_LEADER, R.SYSTEM_ADMIN, R.SUPERUSER}
    today = timezone.localdate()
    if log.holder_id == person.id:
        relations.add(R.HOLDER)
    if log.handovers.filter(status="foreslatt", to_person=person).exists():
        relations.add(R.PROPOSED_HOLDER)
    if log.subject_id == person.id:
        relations.add(R.YOUTH if has_youth_rights(person, log, today) else R.CHILD)
    if (
        log.guardians_shielded_at is None
        and Guardianship.objects.filter(child_id=log.subject_id, guardian=person).exists()
    ):
        relations.add(R.GUARDIAN)
    # Participants read only an active log with valid consent (SPEC §4: expired
    # consent removes participant access; the holder keeps it to renew consent),
    # and only while still on the staff of the unit they were invited from.
    if log.status == LogStatus.ACTIVE:
        services = set(
            log.participants.filter(
                person=person,
                removed_at__isnull=True,
                unit__in=Membership.objects.active().filter(person=person).values("unit"),
            ).values_list("unit__service_type", flat=True)
        )
        if (
            services
            and log.consents.filter(withdrawn_at__isnull=True, valid_from__lte=today, valid_until__gte=today).exists()
        ):
            relations.add(R.PARTICIPANT)
            if ServiceType.BARNEVERN in services:
                relations.add(R.CHILD_WELFARE)
    return relations


def readers_of(logs: list[RelayLog], today: Any = None) -> dict[int, set[int]]:
    """Who may read each log now, for bulk jobs (the daily reminders): the set-based twin of
    `can(person, VIEW_LOG, log)`, in a few queries whatever the number of logs. A test holds the
    two to the same answers. The logs need `subject` and `unit__municipality` loaded."""
    from stafett.logs.models import Consent, Handover, HandoverStatus, LogStatus, Participant
    from stafett.people.models import Guardianship, Membership

    today = today or timezone.localdate()
    readers: dict[int, set[int]] = {log.id: {log.holder_id} for log in logs}
    for chunk in _chunks(logs):
        ids = [log.id for log in chunk]
        for log_id, person_id in Handover.objects.filter(log_id__in=ids, status=HandoverStatus.PROPOSED).values_list(
            "log_id", "to_person_id"
        ):
            readers[log_id].add(person_id)
        open_to_guardians: dict[int, list[int]] = {}
        for log in chunk:
            if log.guardians_shielded_at is None:
                open_to_guardians.setdefault(log.subject_id, []).append(log.id)
            if has_youth_rights(log.subject, log, today):
                readers[log.id].add(log.subject_id)
        for child_id, guardian_id in Guardianship.objects.filter(child_id__in=open_to_guardians).values_list(
            "child_id", "guardian_id"
        ):
            for log_id in open_to_guardians[child_id]:
                readers[log_id].add(guardian_id)
        consented = Consent.objects.filter(
            log_id__in=[log.id for log in chunk if log.status == LogStatus.ACTIVE],
            withdrawn_at__isnull=True,
            valid_from__lte=today,
            valid_until__gte=today,
        ).values("log_id")
        participants = list(
            Participant.objects.filter(log_id__in=consented, removed_at__isnull=True).values_list(
                "log_id", "person_id", "unit_id"
            )
        )
        on_staff = set(
            Membership.objects.active()
            .filter(person_id__in={p for _, p, _ in participants})
            .values_list("person_id", "unit_id")
        )
        for log_id, person_id, unit_id in participants:
            if (person_id, unit_id) in on_staff:
                readers[log_id].add(person_id)
    return readers


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def has_youth_rights(subject: Person, log: RelayLog, today: Any) -> bool:
    age = subject.age_on(today)
    return age is not None and age >= log.unit.municipality.youth_logs_in_from_age


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


def allowed_actions(person: Person, target: Any) -> frozenset[Action]:
    """Everything the person may do with the target, for templates ("may.edit_plan")."""
    relations = relations_to(person, target)
    kind = target_of_object(target)
    return frozenset(a for a in POLICY[kind] if _allowed(a, target, relations))


def target_of_object(target: Any) -> Target:
    from stafett.logs.models import RelayLog
    from stafett.people.models import Unit
    from stafett.undring.models import ConcernNote

    if isinstance(target, RelayLog):
        return Target.LOG
    if isinstance(target, ConcernNote):
        return Target.NOTE
    if isinstance(target, Unit):
        return Target.UNIT
    return Target.INSTALLATION


def require(person: Person, action: Action, target: Any = None) -> None:
    """Raise 404 when the person may not even see the target, 403 when they may see but not act."""
    relations = relations_to(person, target)
    if _allowed(action, target, relations):
        return
    kind = target_of(action)
    read = READ_ACTION.get(kind)
    if read is None or _allowed(read, target, relations):
        raise PermissionDenied
    raise Http404


def is_system_admin(person: Person) -> bool:
    return can(person, Action.USE_ADMIN)


# Django admin: only system administrators, and only the organisation models.
ADMIN_APPS = {"people"}


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
    `note`), or the installation."""
    kind = target_of(action)

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target: Unit | RelayLog | ConcernNote | None = None
            if kind == Target.UNIT:
                target = kwargs["unit"] = get_unit(kwargs.pop("unit_code"))
            elif kind == Target.LOG:
                target = kwargs["log"] = get_log(kwargs.pop("log_code"))
            elif kind == Target.NOTE:
                target = kwargs["note"] = get_note(kwargs.pop("note_code"))
            require(request.user, action, target)  # type: ignore[arg-type]
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

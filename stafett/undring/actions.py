"""Everything that changes a level-0 note. Each function takes the acting person and checks
access first; nothing about the note's content goes into the audit trail."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.lib import national_id
from stafett.lib.erase import forget_deleted_rows
from stafett.lib.versioning import StaleEdit, save_versioned
from stafett.people.models import Person, ServiceType, Unit
from stafett.undring.models import (
    ClosedNoteCount,
    ConcernCategory,
    ConcernNote,
    Dimension,
    Discussion,
    Outcome,
    Step,
)


@dataclass(frozen=True)
class Reflection:
    about: str
    why: str = ""
    ratings: dict[str, int | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def _check_reflection(r: Reflection) -> None:
    errors: dict[str, list[str]] = {}
    if not r.about.strip():
        errors["about"] = [_("Skriv hvem undringen gjelder, for eksempel fornavn og avdeling.")]
    for key, value in r.ratings.items():
        if key not in Dimension.values:
            errors.setdefault("ratings", []).append(_("Ukjent spørsmål."))
        elif value is not None and not 1 <= value <= 7:
            errors[f"rating_{key}"] = [_("Velg et tall fra 1 til 7.")]
    if errors:
        raise ValidationError(errors)


def _fill(note: ConcernNote, r: Reflection) -> None:
    note.about = r.about.strip()
    note.why = r.why.strip()
    note.ratings = {k: v for k, v in r.ratings.items() if v}
    note.texts = {k: v.strip() for k, v in r.texts.items() if v and v.strip()}


def _audit(actor: Person, note: ConcernNote, action: AuditAction, **details: object) -> None:
    # The trail says that something happened to a note, never what the note says: only the
    # note's code (the row's object), the unit, and at most an outcome or a count of categories.
    record(actor=actor, action=action, obj=note, details={"tjenestested": note.unit.name, **details})


@transaction.atomic
def create_note(*, actor: Person, unit: Unit, reflection: Reflection) -> ConcernNote:
    access.require(actor, Action.WRITE_NOTE, unit)
    _check_reflection(reflection)
    note = ConcernNote(owner=actor, unit=unit)
    _fill(note, reflection)
    note.full_clean()
    note.save()
    _audit(actor, note, AuditAction.NOTE_CREATED)
    return note


def _save_versioned(note: ConcernNote, version: int, fields: list[str]) -> None:
    try:
        save_versioned(note, version, fields)
    except StaleEdit:
        raise StaleEdit(
            _("Undringen er endret i en annen fane. Last siden på nytt og skriv inn endringen igjen.")
        ) from None


@transaction.atomic
def update_reflection(*, actor: Person, note: ConcernNote, version: int, reflection: Reflection) -> ConcernNote:
    access.require(actor, Action.EDIT_NOTE, note)
    _check_reflection(reflection)
    _fill(note, reflection)
    _save_versioned(note, version, ["about", "why", "ratings", "texts"])
    _audit(actor, note, AuditAction.NOTE_CHANGED)
    return note


@transaction.atomic
def record_talk(
    *, actor: Person, note: ConcernNote, version: int, talk_with: str, talk_on: date | None, talk_result: str
) -> ConcernNote:
    """Step 2: the undringssamtale — with whom, when, what came out of it."""
    access.require(actor, Action.EDIT_NOTE, note)
    if not talk_with.strip():
        raise ValidationError({"talk_with": _("Skriv hvem du snakket (eller skal snakke) med.")})
    note.talk_with, note.talk_on, note.talk_result = talk_with.strip(), talk_on, talk_result.strip()
    note.step = Step.CLARIFY if talk_result.strip() else Step.SHARE
    _save_versioned(note, version, ["talk_with", "talk_on", "talk_result", "step"])
    _audit(actor, note, AuditAction.NOTE_TALK_RECORDED)
    return note


@transaction.atomic
def record_concern(
    *, actor: Person, note: ConcernNote, version: int, categories: list[str], concern: str
) -> ConcernNote:
    """Step 3 → concern: concretise it with the categories of seeds/004, ready for level 1."""
    access.require(actor, Action.EDIT_NOTE, note)
    errors: dict[str, str] = {}
    if not categories:
        errors["categories"] = _("Kryss av for minst én ting bekymringen gjelder.")
    elif set(categories) - set(ConcernCategory.values):
        errors["categories"] = _("Ukjent kategori.")
    if not concern.strip():
        errors["concern"] = _("Beskriv bekymringen konkret: hva har du sett og hørt?")
    if errors:
        raise ValidationError(errors)
    note.categories, note.concern, note.step = sorted(set(categories)), concern.strip(), Step.CONCERN
    _save_versioned(note, version, ["categories", "concern", "step"])
    _audit(actor, note, AuditAction.NOTE_CLARIFIED, kategorier=len(note.categories))
    return note


def concern_as_initiator_text(note: ConcernNote) -> str:
    """What the level-1 log starts with: the concretised concern and what it is about."""
    labels = ", ".join(str(ConcernCategory(c).label).lower() for c in note.categories)
    return f"{note.concern}\n\nBekymringen gjelder: {labels}." if labels else note.concern


def _count(note: ConcernNote, outcome: Outcome) -> None:
    year = timezone.localdate().year
    counter, _ = ClosedNoteCount.objects.select_for_update().get_or_create(unit=note.unit, year=year, outcome=outcome)
    ClosedNoteCount.objects.filter(pk=counter.pk).update(count=F("count") + 1)


@transaction.atomic
def close_note(*, actor: Person, note: ConcernNote, outcome: Outcome) -> None:
    """End the undring: the note is destroyed for good (seeds/004: «Refleksjonsnotat makuleres
    når undringen avsluttes»); only a count per unit, year and outcome remains."""
    access.require(actor, Action.EDIT_NOTE, note)
    if outcome == Outcome.LEVEL_ONE and note.step != Step.CONCERN:
        raise ValidationError(_("Konkretiser bekymringen før du går videre til nivå 1."))
    _audit(actor, note, AuditAction.NOTE_CLOSED, utfall=outcome.label)
    _count(note, outcome)
    note.delete()
    transaction.on_commit(forget_deleted_rows)  # no copy left in the database files (lib/erase.py)


def open_notes(person: Person) -> list[ConcernNote]:
    return list(ConcernNote.objects.filter(owner=person).select_related("unit"))


# --- Anonymous discussion with the resource team (seeds/004 «Vurdere å drøfte anonymt med TRT»)


@dataclass(frozen=True)
class DiscussionData:
    discussed_on: date
    outcome: str
    team: str = ""
    team_unit: Unit | None = None
    next_step: str = ""
    note: ConcernNote | None = None


class NamesFound(ValidationError):
    """The text holds words that are names in the municipality's register: the form asks the
    employee to confirm that none of them is the child's or the family's."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            _(
                "Teksten inneholder ord som er navn på barn eller foresatte i kommunen: %(names)s. "
                "En anonym drøfting skal ikke ha navn. Fjern dem, eller bekreft at det ikke er barnet "
                "eller familien og lagre igjen."
            )
            % {"names": ", ".join(f"«{n}»" for n in names)},
            code="names_found",
        )


def _words(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text or ""):
            words.add(word.lower())
            words.update(part.lower() for part in word.split("-"))
    return {w for w in words if len(w) > 1}


def names_in_register(unit: Unit, texts: list[str]) -> list[str]:
    """The words of the texts that are the first or last name of a child or guardian known in the
    unit's municipality (a child with a log or a family's request there, and their guardians)."""
    words = _words(texts)
    if not words:
        return []
    municipality = unit.municipality_id
    known = (
        Q(relay_logs__unit__municipality=municipality)
        | Q(log_requests__unit__municipality=municipality)
        | Q(wards__child__relay_logs__unit__municipality=municipality)
        | Q(wards__child__log_requests__unit__municipality=municipality)
    )
    people = Person.objects.annotate(g=Lower("given_name"), f=Lower("family_name")).filter(
        Q(g__in=words) | Q(f__in=words), known
    )
    found = {value for pair in people.values_list("g", "f").distinct() for value in pair if value in words}
    return sorted(found)


def _check_discussion(actor: Person, unit: Unit, data: DiscussionData, confirmed: set[str]) -> None:
    texts = [data.team, data.outcome, data.next_step]
    errors: dict[str, list[str]] = {}
    for name, text in zip(["team", "outcome", "next_step"], texts, strict=True):
        if national_id.numbers_in(text):
            errors.setdefault(name, []).append(
                _("Teksten inneholder et fødselsnummer. En anonym drøfting skal ikke ha personopplysninger om barnet.")
            )
    if not data.outcome.strip():
        errors.setdefault("outcome", []).append(_("Skriv hva som kom fram i drøftingen."))
    if not data.team.strip() and data.team_unit is None:
        errors.setdefault("team", []).append(_("Skriv hvilket ressursteam saken ble drøftet med."))
    if data.team_unit is not None and data.team_unit.service_type != ServiceType.RESSURSTEAM:
        errors.setdefault("team_unit", []).append(_("Velg et tverrfaglig ressursteam."))
    if data.discussed_on > timezone.localdate():
        errors.setdefault("discussed_on", []).append(_("Datoen for drøftingen kan ikke være fram i tid."))
    if errors:
        raise ValidationError(errors)
    if data.note is not None:
        # The note is the owner's alone; linking someone else's is as if it did not exist.
        access.require(actor, Action.EDIT_NOTE, data.note)
        if data.note.unit_id != unit.id:
            raise ValidationError({"note": _("Undringen hører til et annet tjenestested.")})
    names = [n for n in names_in_register(unit, texts) if n not in confirmed]
    if names:
        raise NamesFound(names)


@transaction.atomic
def record_discussion(
    *, actor: Person, unit: Unit, data: DiscussionData, confirmed_names: set[str] | frozenset[str] = frozenset()
) -> Discussion:
    """Record that a case was discussed anonymously: no national ID number is ever stored, and
    names from the register are stored only after the employee confirmed they are not the child's."""
    access.require(actor, Action.RECORD_DISCUSSION, unit)
    _check_discussion(actor, unit, data, {n.lower() for n in confirmed_names})
    discussion = Discussion(
        owner=actor,
        unit=unit,
        discussed_on=data.discussed_on,
        team=data.team.strip(),
        team_unit=data.team_unit,
        outcome=data.outcome.strip(),
        next_step=data.next_step.strip(),
        note=data.note,
    )
    discussion.full_clean()
    discussion.save()
    record(
        actor=actor,
        action=AuditAction.DISCUSSION_RECORDED,
        obj=discussion,
        details={"tjenestested": unit.name, "koblet_til_undring": data.note is not None},
    )
    return discussion


def own_discussions(person: Person) -> list[Discussion]:
    return list(Discussion.objects.filter(owner=person).select_related("unit", "team_unit", "note"))


def resource_teams(unit: Unit) -> QuerySet[Unit]:
    """The municipality's interdisciplinary resource teams, if it has registered them as units."""
    return (
        Unit.objects.filter(service_type=ServiceType.RESSURSTEAM)
        .filter(Q(municipality=unit.municipality_id) | Q(also_serves=unit.municipality_id))
        .distinct()
    )

"""Issue 15 §4 (seeds/001 §6 «Det innhentes nye samtykker … når nye aktører skal inn i
stafettloggen»): each new participant — even from a service the consent covers — is approved
by the guardians (and the youth from the signing age) before they get access, where the
municipality has this on (the default). Where it is off, the family is told someone was added.

On a log shielded from the guardians (SPEC §7) they are never asked or told; a youth with
rights still is."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action, Relation
from stafett.audit.models import AuditAction
from stafett.lib.uploads import check_upload
from stafett.logs import news
from stafett.logs.actions.common import _audit
from stafett.logs.actions.consent import required_signers
from stafett.logs.actions.family import Verdict, record_family_answer
from stafett.logs.models import Participant, ParticipantAnswer, ParticipantApproval
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Person


def approval_path(participant: Participant) -> str:
    return f"/deltaker/{participant.code}/svar/"


def ask_or_tell_family(*, actor: Person, participant: Participant) -> None:
    """Called by add_participant in the same transaction, after the participant is saved."""
    log = participant.log
    family = required_signers(log)
    if not family:
        return
    if log.unit.municipality.family_approves_participants:
        Participant.objects.filter(pk=participant.pk).update(approval=ParticipantApproval.PENDING)
        participant.approval = ParticipantApproval.PENDING
        _audit(
            actor,
            log,
            AuditAction.PARTICIPANT_APPROVAL_REQUESTED,
            participant,
            person=participant.person.full_name,
            til=[p.full_name for p in family],
        )
        for person in family:
            events.tell(person, kind=Kind.PARTICIPANT_TO_APPROVE, path=approval_path(participant))
        return
    # Setting off: told, content-free; the log's page after login shows who (notify/texts.py).
    _audit(actor, log, AuditAction.PARTICIPANT_FAMILY_TOLD, participant, til=[p.full_name for p in family])
    for person in family:
        events.tell(person, kind=Kind.PARTICIPANT_ADDED, path=news.log_path(log))


def _check_pending(participant: Participant) -> None:
    if participant.approval != ParticipantApproval.PENDING or participant.removed_at is not None:
        raise ValidationError(
            _("Deltakeren er allerede %(status)s.") % {"status": participant.get_approval_display().lower()}
        )


@transaction.atomic
def answer_participant(*, actor: Person, participant: Participant, approve: bool, authenticated_by: str) -> Participant:
    """One «no» and the participant is not added (marked declined, the holder told)."""
    participant = (
        Participant.objects.select_for_update().select_related("log__unit__municipality").get(pk=participant.pk)
    )
    log = participant.log
    signer_ids = {p.pk for p in required_signers(log)}
    if actor.pk in signer_ids:
        _check_pending(participant)
    verdict = record_family_answer(
        actor=actor,
        log=log,
        signer_ids=signer_ids,
        answers=participant.answers.all(),
        answer=ParticipantAnswer(
            participant=participant, person=actor, approved=approve, authenticated_by=authenticated_by
        ),
        refusal=_("Du skal ikke svare på denne deltakeren."),
    )
    _audit(
        actor,
        log,
        AuditAction.PARTICIPANT_APPROVED if approve else AuditAction.PARTICIPANT_DECLINED,
        participant,
        person=participant.person.full_name,
        metode=authenticated_by,
    )
    if verdict is Verdict.DECLINED:
        Participant.objects.filter(pk=participant.pk).update(
            approval=ParticipantApproval.DECLINED, removed_at=timezone.now()
        )
        participant.refresh_from_db()
        events.tell(log.holder, kind=Kind.PARTICIPANT_DECLINED, path=news.log_path(log))
    elif verdict is Verdict.APPROVED:
        Participant.objects.filter(pk=participant.pk).update(approval=ParticipantApproval.APPROVED)
        participant.approval = ParticipantApproval.APPROVED
    return participant


@transaction.atomic
def record_paper_approval(*, actor: Person, participant: Participant, document: UploadedFile) -> Participant:
    """The family approved on paper; the holder keeps the scan (as for a paper consent)."""
    log = participant.log
    access.require(actor, Action.MANAGE_PARTICIPANTS, log)
    _check_pending(participant)
    try:
        checked = check_upload(document)
    except ValidationError as e:
        raise ValidationError({"document": e.messages}) from None
    participant.approval = ParticipantApproval.APPROVED
    participant.approval_document_extension = checked.extension
    participant.approval_document_content_type = checked.content_type
    participant.approval_document.save("godkjenning", document, save=False)
    participant.save(
        update_fields=[
            "approval",
            "approval_document",
            "approval_document_extension",
            "approval_document_content_type",
        ]
    )
    _audit(actor, log, AuditAction.PARTICIPANT_APPROVED_ON_PAPER, participant, person=participant.person.full_name)
    return participant


def awaiting_answer_from(person: Person) -> list[Participant]:
    """New participants waiting for this person's answer (start page)."""
    logs = access.logs_where(person, {Relation.GUARDIAN, Relation.YOUTH})
    waiting = (
        Participant.objects.filter(log__in=logs, approval=ParticipantApproval.PENDING, removed_at__isnull=True)
        .exclude(answers__person=person)
        .select_related("log__subject", "log__unit__municipality", "log__holder", "person", "unit")
    )
    return [p for p in waiting if person in required_signers(p.log)]

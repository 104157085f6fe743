"""One function per FHIR R4B resource the log export holds (interop/fhir.py says what maps to what).

Each builds the resource as plain data and validates it with its fhir.resources model, so a
field the model does not know, or a value of the wrong type, fails here and not at a receiver.
Texts are Norwegian, as in the printout. Where FHIR has a standard code (consent scope and
category, the guardian's role, the audit event type), it is used; the rest is plain text.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.goal import Goal as FhirGoal
from fhir.resources.R4B.task import Task

from stafett.audit.models import AuditEvent
from stafett.interop.fhir_people import GUARDIAN_ROLE, Refs, ref, uuid_identifier
from stafett.logs.models import (
    ChildAttends,
    CloseReason,
    Consent,
    Goal,
    LogStatus,
    Measure,
    Meeting,
    Message,
    RelayLog,
)
from stafett.logs.queries import LogPage

# Stafett's own audit actions (audit/models.py AuditAction): code = the stored value.
AUDIT_ACTION_SYSTEM = "urn:stafett:audit-action"
PATIENT_RECORD_EVENT = {
    "system": "http://dicom.nema.org/resources/ontology/DCM",
    "code": "110110",
    "display": "Patient Record",
}
PRIVACY_SCOPE = {
    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
    "code": "patient-privacy",
    "display": "Privacy Consent",
}
PATIENT_CONSENT = {"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}
INFORMATION_RECIPIENT = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "code": "IRCP",
    "display": "information recipient",
}
POLICY_RULE = gettext_lazy(
    "Skriftlig samtykke fra de foresatte (og ungdommen etter alder) til samarbeid i stafettloggen"
)
# The stable id of the log's one care team, derived from the log's code.
CARE_TEAM_NAMESPACE = uuid.UUID("5f0c3a52-8c1e-4d0b-9a57-6d2f1c8e4b11")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _at(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _dmy(value: date | datetime) -> str:
    """The printout's date format, 3.4.2026."""
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return f"{day.day}.{day.month}.{day.year}"


def _text(text: str) -> dict[str, str]:
    return {"text": text}


def _notes(*texts: str) -> list[dict[str, str]]:
    return [{"text": t} for t in texts if t]


def care_team_code(log: RelayLog) -> uuid.UUID:
    return uuid.uuid5(CARE_TEAM_NAMESPACE, str(log.code))


# A log's status as the FHIR status of the plan, its goals and its open measures (closed: by reason).
_PLAN_STATUS: dict[str, str] = {LogStatus.AWAITING_CONSENT: "draft", LogStatus.PASSIVE: "on-hold"}
_GOAL_STATUS: dict[str, str] = {LogStatus.AWAITING_CONSENT: "proposed", LogStatus.PASSIVE: "on-hold"}
_TASK_STATUS: dict[str, str] = {
    LogStatus.ACTIVE: "in-progress",
    LogStatus.AWAITING_CONSENT: "requested",
    LogStatus.PASSIVE: "on-hold",
}


def _plan_status(log: RelayLog) -> str:
    if log.status == LogStatus.CLOSED:
        return "completed" if log.closed_reason == CloseReason.GOALS_MET else "revoked"
    return _PLAN_STATUS.get(log.status, "active")


def _overview_notes(page: LogPage) -> list[dict[str, str]]:
    log = page.log
    levels = "; ".join(
        _("nivå %(level)s fra %(date)s") % {"level": c.level, "date": _dmy(c.changed_at)}
        + (f" ({c.reason})" if c.reason else "")
        for c in page.level_changes
    )
    notes = _notes(
        _("Initiativ: %(text)s") % {"text": log.initiated_by} if log.initiated_by else "",
        _("Bekymring: %(text)s") % {"text": log.initiator_text} if log.initiator_text else "",
        _("Styrker: %(text)s") % {"text": log.strengths} if log.strengths else "",
        _("Utfordringer: %(text)s") % {"text": log.challenges} if log.challenges else "",
        _("Utfordringer gjelder: %(text)s") % {"text": ", ".join(log.challenge_labels)} if log.challenge_labels else "",
        _("Omfang av behov: %(text)s") % {"text": log.get_need_extent_display()} if log.need_extent else "",
        _("Behov for tolk: %(text)s") % {"text": log.interpreter_language} if log.interpreter_needed else "",
        _("Nivå: %(text)s") % {"text": levels} if levels else "",
    )
    if log.is_individual_plan:
        notes += _notes(
            _("Stafettloggen ble individuell plan %(date)s. De foresatte samtykket skriftlig %(consent_date)s.")
            % {"date": _dmy(log.became_ip_on), "consent_date": _dmy(log.ip_consent_on)}
            if log.became_ip_on and log.ip_consent_on
            else "",
            _("Mine egne mål: %(text)s") % {"text": log.own_goals} if log.own_goals else "",
        )
        notes += _notes(
            *(
                _("Vedtak %(date)s: %(text)s (registrert av %(name)s)")
                % {"date": _dmy(d.decided_on), "text": d.text, "name": d.recorded_by_name}
                for d in log.plan_decisions.all()
            )
        )
    return notes


def care_plan(page: LogPage, refs: Refs, measures: list[Measure]) -> CarePlan:
    log = page.log
    return CarePlan.model_validate(
        {
            "resourceType": "CarePlan",
            "id": str(log.code),
            "identifier": [uuid_identifier(log.code)],
            "status": _plan_status(log),
            "intent": "plan",
            "category": [_text(log.get_kind_display()), _text(log.get_level_display())],
            "title": _("%(kind)s for %(name)s") % {"kind": log.get_kind_display(), "name": log.subject.full_name},
            "description": log.presentation or None,
            "subject": refs.patient(),
            "period": {"start": _at(log.created_at), "end": _at(log.closed_at)},
            "created": _at(log.created_at),
            "author": refs.person(log.holder),
            "careTeam": [ref(care_team_code(log))],
            "goal": [ref(g.code) for g in page.goals] or None,
            "activity": [{"reference": ref(m.code, m.what)} for m in measures] or None,
            "note": _overview_notes(page) or None,
        }
    )


def care_team(page: LogPage, refs: Refs) -> CareTeam:
    log = page.log
    members = [
        {"role": [_text(log.holder_label)], "member": refs.person(log.holder), "onBehalfOf": refs.unit(log.unit)}
    ]
    members += [
        {"role": [{"coding": [GUARDIAN_ROLE], "text": _("Foresatt")}], "member": refs.person(g)} for g in page.guardians
    ]
    members += [
        {"role": [_text(_("Deltaker"))], "member": refs.person(p.person), "onBehalfOf": refs.unit(p.unit)}
        for p in page.participants
    ]
    code = care_team_code(log)
    return CareTeam.model_validate(
        {
            "resourceType": "CareTeam",
            "id": str(code),
            "identifier": [uuid_identifier(code)],
            "status": "active" if log.status in (LogStatus.ACTIVE, LogStatus.AWAITING_CONSENT) else "inactive",
            "name": log.participants_label,
            "subject": refs.patient(),
            "managingOrganization": [refs.unit(log.unit)],
            "participant": members,
        }
    )


def _goal_status(log: RelayLog) -> str:
    if log.status == LogStatus.CLOSED:
        return "completed" if log.closed_reason == CloseReason.GOALS_MET else "cancelled"
    return _GOAL_STATUS.get(log.status, "active")


def goal(item: Goal, log: RelayLog, refs: Refs) -> FhirGoal:
    return FhirGoal.model_validate(
        {
            "resourceType": "Goal",
            "id": str(item.code),
            "identifier": [uuid_identifier(item.code)],
            "lifecycleStatus": _goal_status(log),
            "category": [_text(item.get_arena_display())],
            "description": _text(item.text),
            "subject": refs.patient(),
        }
    )


def _task_status(measure: Measure, log: RelayLog) -> str:
    if measure.stopped_at is not None:
        return "completed"
    return _TASK_STATUS.get(log.status, "cancelled")


def _evaluation_notes(measure: Measure, refs: Refs) -> list[dict[str, Any]]:
    notes = []
    for e in measure.evaluations.all():
        effects = [
            (_("Barnet"), e.effect_child),
            (_("Foresatte"), e.effect_guardians),
            (_("Stafettholder"), e.effect_holder),
            (_("Andre"), e.effect_others),
            (_("Nye tiltak"), e.new_measures_needed),
        ]
        said = " ".join(f"{who}: {text}" for who, text in effects if text)
        text = _("Evaluering: gjennomført %(done)s; %(decision)s.") % {
            "done": _("ja") if e.carried_out else _("nei"),
            "decision": e.get_decision_display().lower(),
        }
        notes.append(
            {"authorReference": refs.person(e.author), "time": _at(e.created_at), "text": f"{text} {said}".strip()}
        )
    return notes


def task(measure: Measure, log: RelayLog, refs: Refs, *, orphaned: bool) -> Task:
    """A measure: its owner is the responsible person — none while it needs a new one
    (logs/orphans.py), as the printout says it."""
    owner = None if orphaned else refs.person(measure.responsible)
    orphan_note = (
        _("Trenger ny ansvarlig (var %(name)s, som ikke lenger er med i loggen)")
        % {"name": measure.responsible.full_name}
        if orphaned
        else ""
    )
    return Task.model_validate(
        {
            "resourceType": "Task",
            "id": str(measure.code),
            "identifier": [uuid_identifier(measure.code)],
            "basedOn": [ref(log.code)],
            "status": _task_status(measure, log),
            "intent": "plan",
            "code": _text(measure.get_category_display()),
            "description": measure.what,
            "for": refs.patient(),
            "reasonReference": ref(measure.goal.code, measure.goal.text),
            "owner": owner,
            "performerType": [_text(measure.get_responsible_kind_display())],
            # The due date (frist): R4B Task has no dueDate; restriction.period.end is where it goes.
            "restriction": {"period": {"end": _day(measure.deadline)}},
            "executionPeriod": {"end": _day(measure.stopped_at)} if measure.stopped_at else None,
            "note": _notes(_("Evalueres %(date)s") % {"date": _dmy(measure.evaluation_date)}, orphan_note)
            + _evaluation_notes(measure, refs),
        }
    )


def _consent_status(item: Consent, page: LogPage) -> str:
    if page.consent is not None and item.pk == page.consent.pk:
        return "active"
    if item.withdrawn_at is None and item.valid_from > timezone.localdate():
        return "proposed"
    return "inactive"  # withdrawn, expired, or replaced by a later consent


def consent(item: Consent, page: LogPage, refs: Refs) -> FhirConsent:
    """Scope (the services that may take part), period, what must not be shared (a nested
    deny), and a withdrawal: status inactive and a nested deny of everything from that day."""
    denials: list[dict[str, Any]] = []
    if item.not_shared:
        denials.append({"type": "deny", "code": [_text(item.not_shared)]})
    if item.withdrawn_at:
        denials.append({"type": "deny", "period": {"start": _at(item.withdrawn_at)}})
    services = [
        {"role": {"coding": [INFORMATION_RECIPIENT]}, "reference": {"display": label}} for label in item.service_labels
    ]
    return FhirConsent.model_validate(
        {
            "resourceType": "Consent",
            "id": str(item.code),
            "identifier": [uuid_identifier(item.code)],
            "status": _consent_status(item, page),
            "scope": {"coding": [PRIVACY_SCOPE]},
            "category": [{"coding": [PATIENT_CONSENT]}],
            "patient": refs.patient(),
            "dateTime": _at(item.created_at),
            "performer": [refs.person(p) for p in item.signatories.all()] or None,
            "organization": [refs.unit(item.collected_at_unit)],
            "policyRule": _text(str(POLICY_RULE)),
            "provision": {
                "type": "permit",
                "period": {"start": _day(item.valid_from), "end": _day(item.valid_until)},
                "actor": services or None,
                "provision": denials or None,
            },
        }
    )


def _appointment_status(meeting: Meeting) -> str:
    if meeting.is_cancelled:
        return "cancelled"
    return "fulfilled" if meeting.held else "booked"


def _meeting_comment(meeting: Meeting) -> str:
    if meeting.cancelled_at is not None:
        return _("Avlyst %(date)s: %(reason)s") % {"date": _dmy(meeting.cancelled_at), "reason": meeting.cancel_reason}
    if not meeting.held:
        if not meeting.off_routine_reason:
            return ""
        return _("Planlagt. Senere enn rutinen: %(reason)s") % {"reason": meeting.off_routine_reason}
    lines = [_("Referat: %(text)s") % {"text": meeting.minutes}]
    if meeting.child_attends:
        note = f" – {meeting.child_attends_note}" if meeting.child_attends_note else ""
        lines.insert(
            0, _("Barnet/ungdommen deltok: %(text)s") % {"text": f"{meeting.get_child_attends_display()}{note}"}
        )
    if meeting.next_meeting_date:
        lines.append(_("Neste møte: %(date)s") % {"date": _dmy(meeting.next_meeting_date)})
    return "\n".join(lines)


def _child_status(meeting: Meeting) -> str:
    if meeting.held and meeting.child_attends:
        return "declined" if meeting.child_attends == ChildAttends.NO else "accepted"
    return "needs-action"


def appointment(meeting: Meeting, log: RelayLog, refs: Refs) -> Appointment:
    attendees = meeting.attendees.all() if meeting.held and not meeting.is_cancelled else []
    participants = [{"actor": refs.patient(), "status": _child_status(meeting)}]
    participants += [{"actor": refs.person(p), "status": "accepted"} for p in attendees if p.id != log.subject_id]
    participants.append({"actor": {"type": "Location", "display": meeting.place}, "status": "accepted"})
    return Appointment.model_validate(
        {
            "resourceType": "Appointment",
            "id": str(meeting.code),
            "identifier": [uuid_identifier(meeting.code)],
            "status": _appointment_status(meeting),
            "cancelationReason": _text(meeting.cancel_reason) if meeting.is_cancelled else None,
            "description": meeting.title,
            "start": _at(meeting.starts_at),
            "end": _at(meeting.starts_at + timedelta(minutes=meeting.duration_minutes)),
            "minutesDuration": meeting.duration_minutes,
            "comment": _meeting_comment(meeting) or None,
            "supportingInformation": [ref(log.code)],
            "participant": participants,
        }
    )


def communication(message: Message, log: RelayLog, refs: Refs) -> Communication:
    return _communication(message, refs, category=_("Melding"), about=[ref(log.code)])


def comment(message: Message, measure: Measure, log: RelayLog, refs: Refs) -> Communication:
    """A comment on a measure: a Communication about its Task."""
    return _communication(message, refs, category=_("Kommentar til tiltak"), about=[ref(measure.code), ref(log.code)])


def _communication(message: Message, refs: Refs, *, category: str, about: list[dict[str, str]]) -> Communication:
    return Communication.model_validate(
        {
            "resourceType": "Communication",
            "id": str(message.code),
            "identifier": [uuid_identifier(message.code)],
            "status": "completed",
            "category": [_text(category)],
            "subject": refs.patient(),
            "about": about,
            "sent": _at(message.created_at),
            "sender": refs.person(message.author),
            "payload": [{"contentString": message.text}],
        }
    )


def audit_event(event: AuditEvent, log: RelayLog) -> FhirAuditEvent:
    """One row of «Hvem har sett loggen»: when, who (by the name they had then), what — the
    columns of the access-log page, nothing more (no IP address, no details)."""
    return FhirAuditEvent.model_validate(
        {
            "resourceType": "AuditEvent",
            "id": str(event.event_id),
            "type": PATIENT_RECORD_EVENT,
            "subtype": [{"system": AUDIT_ACTION_SYSTEM, "code": event.action, "display": event.action_label}],
            "recorded": timezone.localtime(event.at).isoformat(),
            "agent": [{"who": {"display": event.actor_name}, "requestor": event.actor_code is not None}],
            "source": {"observer": {"display": "Stafett"}},
            "entity": [{"what": ref(log.code)}],
        }
    )

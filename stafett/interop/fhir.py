"""The FHIR export of one log (issue 11 §2): a Bundle of type `collection`, FHIR R4B.

Why R4B and not fhir.resources' default R5: HL7 Norway's no-basis profiles and the Norwegian
record systems that would read this speak R4, and R4B is R4 for every resource used here.

What it holds is what the printout holds (archive/pdf.py, through the same read model
logs.queries.log_page), and no more — plus the child's national ID as the Patient's
identifier and the log's access log («Hvem har sett loggen») as AuditEvents:

    the child                      Patient (fødselsnummer …4.1.4.1, D-nummer …4.1.4.2)
    the log                        CarePlan
    goals                          Goal
    measures                       Task (owner, due date in restriction.period.end, status)
    holder, guardians, participants  CareTeam (with Practitioner, RelatedPerson, Organization)
    consents                       Consent (services, period, «skal ikke deles», withdrawal)
    meetings                       Appointment (cancelled → status cancelled)
    messages and comments          Communication
    the access log                 AuditEvent

Every resource's id is the object's own code (the care team's derived from the log's, an
AuditEvent's the audit row's event_id) and its fullUrl `urn:uuid:<id>`, so the same object has
the same address in every export. Content deleted on demand is gone from the database
(logs/actions/closing.py), so it is gone from here too; a log shielded from the guardians
cannot be exported by them (access.py), and the holder's export shows what the printout does.

The caller checks Action.EXPORT; `log_bundle` refuses all the same, and writes the export to
the audit trail and the log's access log, as the printout does. The resources are built in
fhir_people.py (who and where) and fhir_resources.py (the plan and its history).
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from stafett import access
from stafett.access import Action
from stafett.interop import fhir_people as people
from stafett.interop import fhir_resources as build
from stafett.logs.actions import record_view
from stafett.logs.models import RelayLog
from stafett.logs.orphans import orphaned_in
from stafett.logs.queries import access_log, log_page
from stafett.people.models import Person

FHIR_RELEASE = "R4B"
FHIR_VERSION = "4.3.0"
CONTENT_TYPE = "application/fhir+json"
# The row in the log's access log: «Så loggen (FHIR-eksport)».
EXPORT_SIDE = "FHIR-eksport"


@transaction.atomic
def log_bundle(*, actor: Person, log: RelayLog) -> dict[str, Any]:
    """The log as a FHIR R4B Bundle, validated by fhir.resources, as JSON-ready data.
    Refuses (PermissionDenied) anyone who may not export the log."""
    if not access.can(actor, Action.EXPORT, log):
        raise PermissionDenied
    record_view(actor=actor, log=log, what=EXPORT_SIDE)
    return build_bundle(log).model_dump(mode="json")


def build_bundle(log: RelayLog) -> Bundle:
    """The Bundle itself, without access check or audit row: only for log_bundle and its tests."""
    page = log_page(log)
    measures = [m for goal in page.goals for m in goal.measures.all()]
    orphaned = {m.id for m in orphaned_in(log, measures)}
    refs = people.Refs(log, page.guardians)
    resources = [
        people.patient(log.subject),
        build.care_plan(page, refs, measures),
        build.care_team(page, refs),
        *(build.goal(goal, log, refs) for goal in page.goals),
        *(build.task(m, log, refs, orphaned=m.id in orphaned) for m in measures),
        *(build.consent(c, page, refs) for c in page.consents),
        *(build.appointment(meeting, log, refs) for meeting in page.meetings),
        *(build.communication(message, log, refs) for message in page.messages),
        *(build.comment(c, m, log, refs) for m in measures for c in m.comments.all()),
        *(build.audit_event(event, log) for event in access_log(log).order_by("at", "id")),
    ]
    resources += refs.resources()  # last: everyone and every unit the others refer to
    bundle_id = uuid.uuid4()
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(bundle_id),
            "identifier": people.uuid_identifier(bundle_id),
            "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": [{"fullUrl": people.urn(r.id), "resource": r} for r in resources],
        }
    )

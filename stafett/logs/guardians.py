"""Linking a guardian to a child who has a stafettlogg gives that person full insight into the
log (SPEC §3), so it is never silent: the holder and the existing guardians are told, and it
stands in the log's access log. The person register's pages link guardians through here."""

from django.db import transaction

from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit
from stafett.logs.models import RelayLog
from stafett.logs.news import log_path
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people import actions as people_actions
from stafett.people.models import GuardianKind, Guardianship, Person


@transaction.atomic
def link_guardian(*, actor: Person, child: Person, guardian: Person, kind: str = GuardianKind.PARENT) -> Guardianship:
    existing = [g.guardian for g in Guardianship.objects.filter(child=child).select_related("guardian")]
    guardianship = people_actions.add_guardian(actor=actor, child=child, guardian=guardian, kind=kind)
    for log in RelayLog.objects.filter(subject=child, content_deleted_at__isnull=True).select_related("holder"):
        _audit(
            actor, log, AuditAction.GUARDIAN_LINKED_TO_LOG, foresatt=guardian.full_name, registrert_av=actor.full_name
        )
        told = {log.holder, *([] if log.guardians_shielded_at else existing)}
        for person in told:
            if person.id != actor.id:
                events.tell(person, kind=Kind.GUARDIAN_LINKED, path=log_path(log))
    return guardianship

"""The daily check of the audit chain (run by stafett/core/daily.py): walk it, log the head,
and tell every system administrator when it is broken."""

import logging

from stafett.audit.chain import Verdict, verify
from stafett.core.health import record_audit_verdict
from stafett.notify.events import tell
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Role

log = logging.getLogger(__name__)


def check_audit_chain() -> Verdict:
    verdict = verify()
    record_audit_verdict(ok=verdict.ok, count=verdict.count)  # for /helse/full/ (core/health.py)
    if verdict.ok:
        # The head in the log each day: compared with an earlier line, a rewritten or shortened
        # chain shows even though every link in it holds (see chain.py).
        log.info("Revisjonsloggen er hel: %d rader, siste hash %s", verdict.count, verdict.last_hash)
        return verdict
    log.error("Revisjonsloggen er brutt: %s", verdict)
    admins = Person.objects.filter(
        pk__in=Membership.objects.active().filter(role=Role.SYSTEM_ADMIN).values("person_id")
    ).order_by("pk")
    for person in admins:
        # Once per break and person, not every morning while the break stays in the chain.
        key = f"revisjon_brutt:{verdict.broken_id}:{person.code}"
        tell(person, kind=Kind.AUDIT_BROKEN, path="/", dedupe_key=key)
    return verdict

"""Handover proposals nobody has answered (issue 14 §5), beyond the reminders to the proposed
holder and the proposer (logs/reminders.py): the log's current holder hears of a proposal someone
else made, and once a proposal is older than the municipality's `handover_reminder_days` the
unit's leaders are told too — they appoint holders (seeds/004 Roller). Each is sent once: the
key names the proposal and the recipient."""

from datetime import date, timedelta

from django.utils import timezone

from stafett.logs.models import Handover, HandoverStatus, LogStatus
from stafett.logs.news import log_path
from stafett.notify.events import tell, unit_leaders
from stafett.notify.models import Kind
from stafett.people.models import Person


def tell_holder_of_proposal(handover: Handover) -> None:
    """At proposal time: a leader proposed someone else, so the holder is not left to find out."""
    log = handover.log
    if log.holder_id in (handover.proposed_by_id, handover.to_person_id):
        return
    tell(
        log.holder, kind=Kind.HANDOVER_PROPOSED, path=log_path(log), dedupe_key=f"overforing:{handover.code}:holder:ny"
    )


def remind_about_handovers(today: date) -> None:
    """Every proposal older than the municipality's limit (however long ago: a missed run is caught
    up on the next): the current holder, unless they proposed it, and the unit's leaders."""
    proposals = Handover.objects.filter(status=HandoverStatus.PROPOSED, log__status=LogStatus.ACTIVE).select_related(
        "log__holder", "log__unit__municipality"
    )
    for h in proposals:
        log = h.log
        if timezone.localdate(h.created_at) > today - timedelta(days=log.unit.municipality.handover_reminder_days):
            continue
        already: set[int] = {h.proposed_by_id, h.to_person_id}  # reminded in logs/reminders.py
        if log.holder_id not in already:
            tell(log.holder, kind=Kind.HANDOVER_PENDING, path=log_path(log), dedupe_key=f"overforing:{h.code}:holder")
            already.add(log.holder_id)
        for leader in unit_leaders(log.unit):
            if leader.id not in already:
                _tell_leader(leader, h)


def _tell_leader(leader: Person, h: Handover) -> None:
    tell(
        leader,
        kind=Kind.HANDOVER_PENDING,
        path=f"/tjenestested/{h.log.unit.code}/oversikt/",
        dedupe_key=f"overforing:{h.code}:leder:{leader.id}",
    )

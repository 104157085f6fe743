"""Every read is recorded in the log's access log (SPEC §3)."""

from stafett.audit.models import AuditEvent
from stafett.logs import actions


def test_viewing_a_log_writes_a_viewed_row_scoped_to_the_log(cast, log):
    actions.record_view(actor=cast.nina, log=log)
    event = AuditEvent.objects.get(action="log.viewed")
    assert event.scope_code == log.code
    assert event.actor_name == "Nina Fossum"
    assert event.actor_code == cast.nina.code
    assert event.object_code == str(log.code)
    assert event.action_label == "Så loggen"


def test_viewing_a_part_of_the_log_names_the_part(cast, log):
    actions.record_view(actor=cast.silje, log=log, what="samtykke")
    event = AuditEvent.objects.get(action="log.viewed")
    assert event.details == {"side": "samtykke"}
    assert event.action_label == "Så loggen (samtykke)"


def test_every_view_is_a_new_row(cast, log):
    for _ in range(3):
        actions.record_view(actor=cast.kari, log=log)
    assert AuditEvent.objects.filter(action="log.viewed", scope_code=log.code).count() == 3


def test_the_access_log_of_one_log_does_not_show_another(cast, log, youth_log):
    actions.record_view(actor=cast.kari, log=youth_log)
    assert not AuditEvent.objects.filter(action="log.viewed", scope_code=log.code).exists()

"""One list of audit actions (stafett/audit/models.py AuditAction): every row in the trail is one
of them, and every one has a label a parent understands in «Hvem har sett loggen»."""

import pytest
from django.urls import reverse

from stafett.audit.models import AuditAction, AuditEvent
from stafett.audit.record import record
from stafett.core.demo_data import seed_demo
from stafett.logs.models import RelayLog
from stafett.people.models import Person
from stafett.undring import actions as undring
from stafett.undring.models import Outcome


@pytest.mark.parametrize("action", list(AuditAction), ids=lambda a: a.name)
def test_every_audit_action_has_a_plain_norwegian_label_of_its_own(action):
    label = str(action.label)
    # Without a label Django makes one from the member's name ("LOG_VIEWED" → "Log Viewed").
    assert label != action.name.replace("_", " ").title()
    assert label != action.value
    assert label.strip() == label and label[0].isupper()
    assert "." not in label and "_" not in label


def test_no_two_audit_actions_share_a_label():
    labels = [str(a.label) for a in AuditAction]
    assert len(labels) == len(set(labels))


def test_audit_action_values_never_change_for_rows_already_stored():
    # A sample of keys rows in existing databases carry.
    for key in ("log.viewed", "consent.recorded", "handover.proposed", "log.content_deleted", "login", "logout"):
        assert AuditAction(key).value == key


def test_record_refuses_a_plain_string_as_action(cast):
    with pytest.raises(TypeError, match="AuditAction"):
        record(actor=cast.kari, action="log.viewed", obj=cast.kari)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_record_stores_the_actions_key_and_labels_it(cast):
    event = record(actor=cast.kari, action=AuditAction.HANDOVER_PROPOSED, obj=cast.kari)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.action == "handover.proposed"
    assert event.action_label == "Foreslo ny stafettholder"


def test_a_row_with_a_key_from_before_audit_action_still_shows_its_key(cast):
    # Rows are append-only and outlive the code: an unknown historic key is shown as it is.
    event = AuditEvent.objects.create(
        actor_name="Kari Lunde", action="gammel.handling", object_type="x", object_code="1"
    )
    assert event.action_label == "gammel.handling"


def test_every_action_recorded_in_a_full_flow_is_an_audit_action(client, db):
    seed_demo()  # staff, families, logs in every state: written through the same actions as the app
    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    client.post(reverse("accounts:demo_login"), {"person": str(kari.code)})
    log = RelayLog.objects.filter(holder=kari).first()
    assert log is not None
    for page in ("logs:detail", "logs:access_log"):
        client.get(reverse(page, args=[log.code]))
    unit = kari.memberships.first().unit
    note = undring.create_note(actor=kari, unit=unit, reflection=undring.Reflection(about="Et barn"))
    note = undring.record_talk(
        actor=kari, note=note, version=note.version, talk_with="Mor", talk_on=None, talk_result="Vi ble enige."
    )
    undring.close_note(actor=kari, note=note, outcome=Outcome.NO_CONCERN)
    client.post(reverse("accounts:logout"))

    recorded = set(AuditEvent.objects.values_list("action", flat=True))

    assert recorded - set(AuditAction.values) == set()
    assert len(recorded) >= 20, sorted(recorded)
    assert {"login", "logout", "log.viewed", "undring.created", "undring.closed"} <= recorded

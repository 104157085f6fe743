"""The audit trail is append-only and outlives what it describes."""

import pytest
from django.db import DatabaseError, connection, transaction

from stafett.audit.models import AppendOnlyError, AuditAction, AuditEvent
from stafett.audit.record import record
from tests.conftest import make_person


@pytest.fixture
def event(cast):
    return record(
        actor=cast.trude, action=AuditAction.PERSON_REGISTERED, obj=cast.emma, details={"navn": "Emma Hansen"}
    )


def test_audit_row_keeps_actor_name_object_and_time(event, cast):
    assert event.actor_name == "Trude Lie"
    assert event.actor_code == cast.trude.code
    assert event.object_type == "people.person"
    assert event.object_code == str(cast.emma.code)
    assert event.at is not None


def test_application_cannot_update_or_delete_audit_rows(event):
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(id=event.id).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(id=event.id).delete()


def test_database_refuses_update_even_with_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [event.id])
    assert AuditEvent.objects.get(id=event.id).action == "person.registered"


def test_database_refuses_delete_even_with_raw_sql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.filter(id=event.id).exists()


def test_audit_rows_survive_deletion_of_the_person_they_describe(cast):
    person = make_person("Midlertidig", "Person")
    record(actor=cast.trude, action=AuditAction.PERSON_REGISTERED, obj=person)
    code = str(person.code)
    person.delete()
    assert AuditEvent.objects.filter(object_code=code).count() == 1


def test_audit_rows_survive_deletion_of_the_actor(cast):
    actor = make_person("Slutta", "Ansatt")
    record(actor=actor, action=AuditAction.PERSON_REGISTERED, obj=cast.emma)
    actor.delete()
    assert AuditEvent.objects.filter(actor_name="Slutta Ansatt").exists()


def test_audit_row_records_the_client_ip(client, cast):
    client.force_login(cast.berit)
    client.post(
        f"/tjenestested/{cast.kindergarten.code}/ansatte/ny/",
        {"given_name": "Tor", "family_name": "Aasen", "email": "tor@x.example", "role": "ansatt"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert AuditEvent.objects.get(action="staff.added").ip == "10.1.2.3"


def test_audit_row_is_rolled_back_with_a_failed_change(cast):
    # Written in the same transaction: no audit row for a change that did not happen.
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=cast.trude, action=AuditAction.PERSON_REGISTERED, obj=cast.emma)
        raise RuntimeError
    assert not AuditEvent.objects.exists()

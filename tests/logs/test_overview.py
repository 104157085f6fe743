"""The overview of the log: only the holder writes it; a higher level needs consent to match (SPEC §5, seeds/001 §6)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import Consent, LevelChange, RelayLog


def test_the_holder_changes_the_overview_and_it_is_audited_with_the_fields(cast, log):
    actions.update_overview(
        actor=cast.kari,
        log=log,
        version=log.version,
        changes={"strengths": "Glad i å tegne", "challenge_categories": ["sprak"], "interpreter_needed": False},
    )
    fresh = RelayLog.objects.get(pk=log.pk)
    assert (fresh.strengths, fresh.challenge_labels) == ("Glad i å tegne", ["Språk"])
    event = AuditEvent.objects.get(action="log.overview_changed")
    assert event.scope_code == log.code
    assert event.details == {"felt": ["strengths", "challenge_categories"]}


def test_fields_outside_the_overview_are_ignored(cast, log):
    actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"holder_id": cast.nina.id})
    assert RelayLog.objects.get(pk=log.pk).holder == cast.kari


@pytest.mark.parametrize("who", ["nina", "silje"])
def test_readers_may_not_change_the_overview(cast, log, who):
    with pytest.raises(PermissionDenied):
        actions.update_overview(actor=getattr(cast, who), log=log, version=log.version, changes={"strengths": "x"})
    assert RelayLog.objects.get(pk=log.pk).strengths == ""


def test_moving_to_a_higher_level_than_consented_needs_new_consent(cast, log):
    with pytest.raises(ValidationError) as e:
        actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 2})
    assert e.value.message_dict["level"] == [
        "Nivå 2 krever nytt eller utvidet samtykke fra de foresatte. Forny samtykket."
    ]
    fresh = RelayLog.objects.get(pk=log.pk)
    assert (fresh.level, fresh.version) == (1, log.version)
    assert LevelChange.objects.filter(log=log).count() == 1


def test_a_level_covered_by_the_consent_is_recorded_with_its_reason(cast, log):
    Consent.objects.filter(log=log).update(level=2)
    actions.update_overview(
        actor=cast.kari, log=log, version=log.version, changes={"level": 2}, level_reason=" PPT trengs "
    )
    assert RelayLog.objects.get(pk=log.pk).level == 2
    assert list(log.level_changes.values_list("level", "reason")) == [(1, "Loggen ble opprettet"), (2, "PPT trengs")]


def test_an_unknown_level_is_refused(cast, log):
    with pytest.raises(ValidationError, match="Velg nivå 1, 2 eller 3"):
        actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 7})

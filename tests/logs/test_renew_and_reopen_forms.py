"""The consent forms start from what is already known (issue 15 §8): a renewal starts from the
last consent's services, even when it has run out, and reopening asks for the new concern."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from stafett.logs import actions
from stafett.logs.models import CloseReason, LogStatus, RelayLog
from tests.logs.conftest import pdf_upload


@pytest.fixture
def log(cast, make_consent):
    consent = make_consent(services=["barnehage", "helsestasjon"], not_shared="Foreldrenes økonomi", level=2)
    return actions.open_log(
        actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent, initiator_text="Sier lite."
    )


def test_renewing_an_expired_consent_starts_from_its_services(client, cast, log):
    with time_machine.travel(timezone.localdate() + timedelta(days=800)):
        client.force_login(cast.kari)
        form = client.get(reverse("logs:renew_consent", args=[log.code])).context["form"]
    assert sorted(form["services"].value()) == ["barnehage", "helsestasjon"]
    assert form["not_shared"].value() == "Foreldrenes økonomi" and form["level"].value() == 2


def reopen_data(cast, **overrides):
    data = {
        "concern": "Emma har begynt å gråte ved levering igjen.",
        "services": ["barnehage"],
        "valid_until": (timezone.localdate() + timedelta(days=700)).isoformat(),
        "level": 2,
        "signatories": [cast.silje.id],
        "document": pdf_upload(),
    }
    data.update(overrides)
    return data


def test_reopening_asks_for_the_new_concern_and_it_becomes_the_logs_concern(client, cast, log):
    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)
    client.force_login(cast.kari)
    url = reverse("logs:reopen", args=[log.code])
    form = client.get(url).context["form"]
    assert list(form.fields)[0] == "concern" and form.fields["concern"].required
    assert sorted(form["services"].value()) == ["barnehage", "helsestasjon"]  # from the last consent
    response = client.post(url, reopen_data(cast, concern=""))
    assert response.status_code == 400
    assert RelayLog.objects.get(pk=log.pk).status == LogStatus.CLOSED
    response = client.post(url, reopen_data(cast))
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == LogStatus.ACTIVE
    assert log.initiator_text == "Emma har begynt å gråte ved levering igjen."

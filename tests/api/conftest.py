"""The API's tests use the logs' fixtures (tests/logs/conftest.py) and add a log at another
unit (the health station), personal keys and registered systems."""

from datetime import date

import pytest

from stafett.api import credentials
from stafett.api.models import SystemScope
from stafett.logs import actions
from stafett.logs.models import RelayLog
from stafett.people.models import Guardianship
from tests.conftest import make_person
from tests.logs.conftest import (  # noqa: F401  (fixtures)
    log,
    make_consent,
    make_measure_data,
    media_root,
    nina_measure,
    silje_measure,
    youth_log,
)

ALL_SCOPES = list(SystemScope.values)


@pytest.fixture
def health_log(cast, make_consent) -> RelayLog:  # noqa: F811
    """Nina (health station) holds Lea's log; Per is Lea's guardian. Nobody at the kindergarten reads it."""
    lea = make_person("Lea", "Berg", born=date(2022, 5, 1), serial=3)
    per = make_person("Per", "Berg", born=date(1988, 1, 9), serial=4)
    Guardianship.objects.create(guardian=per, child=lea)
    opened = actions.open_log(
        actor=cast.nina,
        subject=lea,
        unit=cast.health_station,
        consent=make_consent(signatories=[per], collected_at_unit=cast.health_station),
    )
    return RelayLog.objects.get(pk=opened.pk)


@pytest.fixture
def token_for():
    def make(person, name="Skript"):
        return credentials.create_token(actor=person, name=name).token

    return make


@pytest.fixture
def system_for(cast):
    """A system registered by Trude (Fjordvik's system administrator): the units it serves
    (none: the whole municipality) and its scopes."""

    def make(*units, scopes=ALL_SCOPES, name="Fagsystem"):
        return credentials.register_system(
            actor=cast.trude, name=name, municipality=cast.fjordvik, units=list(units), scopes=list(scopes)
        ).token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

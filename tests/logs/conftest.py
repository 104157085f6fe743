"""Relay logs ready to test against, built on the `cast` (tests/conftest.py).

- `log`: Kari (kindergarten) holds Emma's log; consent from Silje covers
  barnehage, helsestasjon and skole; Nina (health station) is a participant;
  one goal per arena; one measure for Silje and one for Nina.
- `youth_log`: Kari holds Jonas's log (16: he signed the consent himself, with Silje).

Uploads go to `tmp_path`, never into var/.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from stafett.logs import actions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, Measure, MeasureCategory, RelayLog
from stafett.notify import outbox
from stafett.notify.models import Kind, Notification
from stafett.people.models import Person

SERVICES = ["barnehage", "helsestasjon", "skole"]
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# The 8-byte PNG signature and an IHDR chunk header are all `filetype` looks at.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def pdf_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("samtykke.pdf", PDF_BYTES, content_type="application/pdf")


def png_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("samtykke.png", PNG_BYTES, content_type="image/png")


def fake_pdf_upload() -> SimpleUploadedFile:
    # A text file renamed to .pdf, with the browser's claim to match: only the content tells.
    return SimpleUploadedFile("samtykke.pdf", b"Dette er ikke en PDF, bare tekst.\n", content_type="application/pdf")


def oversized_pdf_upload(megabytes: int = 1) -> SimpleUploadedFile:
    body = PDF_BYTES + b"0" * (megabytes * 1024 * 1024)
    return SimpleUploadedFile("samtykke.pdf", body, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded consent forms land in tmp_path for this test only."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture
def pdf() -> SimpleUploadedFile:
    return pdf_upload()


@pytest.fixture
def png() -> SimpleUploadedFile:
    return png_upload()


@pytest.fixture
def fake_pdf() -> SimpleUploadedFile:
    return fake_pdf_upload()


@pytest.fixture
def oversized_pdf(settings) -> SimpleUploadedFile:
    settings.MAX_UPLOAD_MB = 1
    return oversized_pdf_upload(1)


@pytest.fixture
def make_consent(cast) -> Callable[..., ConsentData]:
    """ConsentData for a log at the kindergarten; any field can be overridden."""

    def make(**overrides) -> ConsentData:
        values = {
            "services": list(SERVICES),
            "signatories": [cast.silje],
            "document": pdf_upload(),
            "collected_at_unit": cast.kindergarten,
        }
        values.update(overrides)
        return ConsentData(**values)

    return make


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def make_measure_data() -> Callable[..., MeasureData]:
    def make(responsible: Person, *, what: str = "Lese bildebok før leggetid", deadline_days: int = 14, **kw):
        deadline = kw.pop("deadline", in_days(deadline_days))
        return MeasureData(
            what=what,
            category=kw.pop("category", MeasureCategory.SPRAK),
            responsible=responsible,
            deadline=deadline,
            evaluation_date=kw.pop("evaluation_date", deadline + timedelta(days=7)),
        )

    return make


@pytest.fixture
def log(cast, make_consent, make_measure_data) -> RelayLog:
    log = actions.open_log(
        actor=cast.kari,
        subject=cast.emma,
        unit=cast.kindergarten,
        consent=make_consent(),
        initiator_text="Emma snakker lite i samling.",
        initiated_by="Foresatte og barnehagen",
    )
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    # Silje was told Nina joined (issue 15 §4, the cast's municipality does not ask first); the
    # tests start from an established log with nothing in the outbox.
    Notification.objects.filter(kind=Kind.PARTICIPANT_ADDED).delete()
    mail.outbox.clear()  # sent already where the test commits (transaction=True)
    connection = transaction.get_connection()  # and its wake-up of the worker, still pending otherwise
    connection.run_on_commit = [e for e in connection.run_on_commit if e[1] is not outbox._wake_worker]
    home = actions.add_goal(actor=cast.kari, log=log, arena=Arena.HOME, text="Emma forteller om dagen sin hjemme")
    actions.add_goal(actor=cast.kari, log=log, arena=Arena.SERVICE, text="Emma deltar i samlingsstund")
    other = actions.add_goal(actor=cast.kari, log=log, arena=Arena.OTHER, text="Emma får sjekket hørselen")
    actions.add_measure(actor=cast.kari, goal=home, data=make_measure_data(cast.silje, what="Lese bildebok hver kveld"))
    actions.add_measure(
        actor=cast.kari,
        goal=other,
        data=make_measure_data(cast.nina, what="Hørselstest på helsestasjonen", category=MeasureCategory.HELSE),
    )
    return RelayLog.objects.get(pk=log.pk)


@pytest.fixture
def silje_measure(cast, log) -> Measure:
    return log.measures.get(responsible=cast.silje)


@pytest.fixture
def nina_measure(cast, log) -> Measure:
    return log.measures.get(responsible=cast.nina)


@pytest.fixture
def youth_log(cast, make_consent) -> RelayLog:
    log = actions.open_log(
        actor=cast.kari,
        subject=cast.jonas,
        unit=cast.kindergarten,
        consent=make_consent(signatories=[cast.silje, cast.jonas]),
    )
    return RelayLog.objects.get(pk=log.pk)

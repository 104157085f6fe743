"""Archive copies into the file storage (STAFETT_ARCHIVE_TARGET=storage, issue 12 §4): with S3 as
the storage every app server and worker writes to one store, and no copy depends on a local path."""

import json

import pytest
from django.core.files.storage import default_storage

from stafett.archive.copies import deliver_pending, make_archive_copy
from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.archive.targets import StorageTarget, configured_target
from tests.logs import conftest as log_fixtures

# The established log of tests/logs/ (and the fixtures it is built with).
log, make_consent, make_measure_data = log_fixtures.log, log_fixtures.make_consent, log_fixtures.make_measure_data


@pytest.fixture
def storage_target(settings):
    settings.ARCHIVE_TARGET = "storage"


def test_storage_target_writes_the_pdf_and_its_metadata_into_the_file_storage(storage_target, log):
    assert isinstance(configured_target(), StorageTarget)
    make_archive_copy(relay_log=log, event=ArchiveEvent.CLOSED)
    assert deliver_pending() == 1

    copy = ArchiveCopy.objects.get(log_code=log.code)
    assert copy.status == DeliveryStatus.DELIVERED
    pdf, meta = f"arkiv/{copy.external_key}.pdf", f"arkiv/{copy.external_key}.json"
    with default_storage.open(pdf) as f:
        assert f.read().startswith(b"%PDF")
    with default_storage.open(meta) as f:
        metadata = json.loads(f.read())
    assert metadata["ekstern_nokkel"] == copy.external_key and metadata["filnavn"] == pdf


def test_a_second_delivery_of_a_copy_replaces_its_files_instead_of_adding_new_names(storage_target, log):
    make_archive_copy(relay_log=log, event=ArchiveEvent.CLOSED)
    deliver_pending()
    copy = ArchiveCopy.objects.get(log_code=log.code)

    where = StorageTarget().deliver(copy, b"%PDF-1.7 again")

    assert where == f"arkiv/{copy.external_key}.pdf"
    _, files = default_storage.listdir("arkiv")  # the test storage is shared: only this copy's files
    assert sorted(f for f in files if f.startswith(copy.external_key)) == [
        f"{copy.external_key}.json",
        f"{copy.external_key}.pdf",
    ]
    with default_storage.open(where) as f:
        assert f.read() == b"%PDF-1.7 again"

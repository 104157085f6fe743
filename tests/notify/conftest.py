"""Notification tests reuse the logs' fixtures (tests/logs/conftest.py): the `log` Kari holds
for Emma, with Nina as participant and Silje as guardian."""

import pytest

from tests.logs.conftest import *  # noqa: F403


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    """Withdrawing consent or closing a log makes an archive copy: into tmp_path, never var/."""
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    return settings.ARCHIVE_DIR

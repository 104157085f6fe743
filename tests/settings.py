"""Test settings: the app's own settings with debug and demo mode on.

Production-mode behaviour (check --deploy, no demo login) is tested in
subprocesses with their own environment (tests/test_settings_production.py).
"""

import os

os.environ.setdefault("STAFETT_DEBUG", "true")
os.environ.setdefault("STAFETT_DEMO", "true")

from stafett.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Uploaded files from tests go to a throwaway directory, never into var/.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

_TEST_FILES = tempfile.mkdtemp(prefix="stafett-test-files-")
atexit.register(shutil.rmtree, _TEST_FILES, True)
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # noqa: F405
STORAGES["default"]["OPTIONS"] = {"location": _TEST_FILES}  # type: ignore[assignment]  # noqa: F405
ARCHIVE_DIR = Path(_TEST_FILES) / "arkiv"  # noqa: F405

# Tasks run in-process in tests; the worker's functions are tested directly.
HUEY = {"name": "stafett-test", "huey_class": "huey.MemoryHuey", "immediate": True}  # noqa: F405

# The database cache, whatever STAFETT_REDIS_URL says: tests clear it (conftest.py), and its rows
# roll back with each test. tests/test_rate_limits.py runs the counter on Redis too.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "stafett_cache",
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
}

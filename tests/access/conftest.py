"""Fixtures for the access tests: the cast (tests/conftest.py) and the logs built on it.

pytest only sees conftest fixtures of parent folders, so the log fixtures of
tests/logs/conftest.py (`log`, `youth_log`, `make_consent`, `make_measure_data`, ...)
are imported here.
"""

from tests.logs.conftest import *  # noqa: F403

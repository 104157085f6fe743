from tests.logs.conftest import *  # noqa: F403 - the log fixtures (log, make_consent, …)

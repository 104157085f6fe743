"""Issue 13 §5: log output never carries a national ID number — not in the message, not in a
traceback, not with a dash, a space or percent-encoded."""

import io
import logging

import pytest

from stafett.lib import national_id as nid

NUMBER = "14832150216"  # synthetic (month + 80)
WRITTEN = [
    NUMBER,
    "148321 50216",
    "148321-50216",
    "148321.50216",
    "%31%34%38%33%32%31%35%30%32%31%36",
    "148321%2D50216",
    "148321%2050216",
]


@pytest.fixture
def log_output():
    """The root logger's real console handler setup (settings.LOGGING), writing to a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(nid.MaskNationalIdsFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)


def _digits_in(text: str) -> str:
    return "".join(c for c in nid._decode_digits(text) if c.isdigit())


@pytest.mark.parametrize("written", WRITTEN)
def test_every_written_form_of_a_national_id_is_masked(written):
    masked = nid.mask_text(f"fnr={written}&neste=1")
    assert NUMBER not in _digits_in(masked)
    assert "148321 *****" in masked


def test_a_number_inside_a_traceback_is_masked(log_output):
    try:
        raise ValueError(f"Ugyldig person {NUMBER}")
    except ValueError:
        logging.getLogger("stafett.test").exception("Feil")
    text = log_output.getvalue()
    assert "Traceback" in text and "ValueError" in text
    assert NUMBER not in text and "148321 *****" in text


@pytest.mark.parametrize("written", WRITTEN)
def test_a_failing_request_never_logs_the_number(client, db, log_output, written):
    # A bad Host header is refused (DisallowedHost, logged with its traceback); a path is logged on 404.
    client.get("/", HTTP_HOST=written.replace("%", "")[:40] or "x")
    client.get(f"/finnes-ikke/{written}/")
    text = log_output.getvalue()
    assert NUMBER not in text
    assert NUMBER not in _digits_in(text.replace("148321 *****", ""))

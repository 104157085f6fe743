from datetime import date

import pytest

from stafett.core.demo_data import synthetic_national_id
from stafett.lib import national_id as nid


def test_synthetic_number_is_accepted_when_the_installation_allows_it():
    number = synthetic_national_id(date(2019, 5, 30))
    parsed = nid.parse(number, allow_synthetic=True)
    assert parsed.birth_date == date(2019, 5, 30)
    assert parsed.is_synthetic


def test_synthetic_number_is_refused_in_production_installations():
    number = synthetic_national_id(date(2019, 5, 30))
    with pytest.raises(nid.InvalidNationalId, match="Syntetiske testnumre"):
        nid.parse(number, allow_synthetic=False)


def test_ordinary_number_is_validated_by_stdnum_and_gives_birth_date():
    # Born 1855 (individual digits 500-749): no living person can have this number.
    number = nid.with_check_digits("010155" + "600")
    parsed = nid.parse(number, allow_synthetic=False)
    assert parsed.birth_date == date(1855, 1, 1)
    assert not parsed.is_synthetic and not parsed.is_d_number


def test_synthetic_d_number_is_accepted_with_birth_date():
    # D-number: day + 40; synthetic: month + 80.
    number = next(nid.with_check_digits(f"458199{i:03d}") for i in range(100, 200) if _valid(f"458199{i:03d}"))
    parsed = nid.parse(number, allow_synthetic=True)
    assert parsed.is_d_number
    assert parsed.birth_date == date(1999, 1, 5)


def _valid(nine: str) -> bool:
    try:
        nid.with_check_digits(nine)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Skriv inn"),
        ("1234", "11 siffer"),
        ("1234567890a", "11 siffer"),
        ("01015560000", "ikke gyldig"),
    ],
)
def test_bad_numbers_get_a_norwegian_explanation(raw, message):
    with pytest.raises(nid.InvalidNationalId, match=message):
        nid.parse(raw, allow_synthetic=True)


def test_wrong_check_digit_is_refused():
    number = synthetic_national_id(date(2019, 5, 30))
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(nid.InvalidNationalId, match="ikke gyldig"):
        nid.parse(broken, allow_synthetic=True)


def test_birth_date_in_the_future_is_refused():
    number = synthetic_national_id(date(2039, 1, 1))
    with pytest.raises(nid.InvalidNationalId, match="fram i tid"):
        nid.parse(number, allow_synthetic=True)


def test_spaces_are_allowed_when_typing():
    number = synthetic_national_id(date(2019, 5, 30))
    assert nid.parse(f"{number[:6]} {number[6:]}", allow_synthetic=True).number == number


def test_mask_shows_only_the_birth_date_part():
    assert nid.mask("30851950012") == "308519 *****"
    assert nid.mask(None) == ""


def test_log_filter_masks_national_ids_in_log_lines():
    import logging

    record = logging.LogRecord("x", logging.INFO, "", 0, '"GET /sok?fnr=%s HTTP/1.1" 200', ("30851950012",), None)
    nid.MaskNationalIdsFilter().filter(record)
    assert "30851950012" not in record.getMessage()
    assert "308519 *****" in record.getMessage()

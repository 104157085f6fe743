"""Norwegian national ID numbers: fødselsnummer, D-nummer and synthetic test numbers.

python-stdnum checks the two check digits and the birth date, but rejects
Norway's official synthetic test numbers (Skatteetaten/Tenor: month + 80).
Those are the only numbers demo and test data may use, so this wrapper
accepts them when the installation allows it (ALLOW_SYNTHETIC_NATIONAL_IDS).
"""

import datetime
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer

SYNTHETIC_MONTH_OFFSET = 80
D_NUMBER_DAY_OFFSET = 40


class InvalidNationalId(ValueError):
    """The number is not a valid national ID number; `str(e)` is Norwegian for the user."""


@dataclass(frozen=True)
class NationalId:
    number: str
    birth_date: datetime.date
    is_d_number: bool
    is_synthetic: bool


def parse(raw: str, *, allow_synthetic: bool | None = None) -> NationalId:
    """Validate a fødselsnummer or D-nummer and return it with its birth date."""
    if allow_synthetic is None:
        allow_synthetic = settings.ALLOW_SYNTHETIC_NATIONAL_IDS
    number = fodselsnummer.compact(raw or "")
    if not number:
        raise InvalidNationalId("Skriv inn fødselsnummer eller D-nummer (11 siffer).")
    if len(number) != 11 or not number.isdigit():
        raise InvalidNationalId("Fødselsnummeret må ha 11 siffer.")
    if number[9] != fodselsnummer.calc_check_digit1(number) or number[10] != fodselsnummer.calc_check_digit2(number):
        raise InvalidNationalId("Fødselsnummeret er ikke gyldig. Kontroller at alle sifrene er riktige.")
    month = int(number[2:4])
    is_synthetic = month > SYNTHETIC_MONTH_OFFSET
    if is_synthetic:
        if not allow_synthetic:
            raise InvalidNationalId("Syntetiske testnumre kan ikke brukes i denne installasjonen.")
        dated = number[:2] + f"{month - SYNTHETIC_MONTH_OFFSET:02d}" + number[4:]
    else:
        dated = number
    try:
        birth_date = fodselsnummer.get_birth_date(dated)
    except StdnumError:
        raise InvalidNationalId("Fødselsnummeret inneholder ikke en gyldig fødselsdato.") from None
    if birth_date > datetime.date.today():
        raise InvalidNationalId("Fødselsdatoen i nummeret er fram i tid.")
    return NationalId(
        number=number,
        birth_date=birth_date,
        is_d_number=int(number[0]) >= D_NUMBER_DAY_OFFSET // 10,
        is_synthetic=is_synthetic,
    )


def mask(number: str | None) -> str:
    """Show the birth date part only: '150312 *****' — enough to tell people apart."""
    if not number:
        return ""
    return f"{number[:6]} *****"


def with_check_digits(first_nine: str) -> str:
    """Complete nine digits to an 11-digit number; for generating synthetic demo data."""
    d1 = fodselsnummer.calc_check_digit1(first_nine)
    if d1 == "10":
        raise ValueError("no valid check digit for these nine digits")
    d2 = fodselsnummer.calc_check_digit2(first_nine + d1)
    if d2 == "10":
        raise ValueError("no valid check digit for these nine digits")
    return first_nine + d1 + d2


_ELEVEN_DIGITS = re.compile(r"(?<!\d)(\d{6})[ ]?(\d{5})(?!\d)")


class MaskNationalIdsFilter(logging.Filter):
    """Masks anything that looks like a national ID number in log lines (incl. request paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ELEVEN_DIGITS.sub(r"\1 *****", message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True

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
from django.utils.translation import gettext as _
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
        raise InvalidNationalId(_("Skriv inn fødselsnummer eller D-nummer (11 siffer)."))
    if len(number) != 11 or not number.isdigit():
        raise InvalidNationalId(_("Fødselsnummeret må ha 11 siffer."))
    if number[9] != fodselsnummer.calc_check_digit1(number) or number[10] != fodselsnummer.calc_check_digit2(number):
        raise InvalidNationalId(_("Fødselsnummeret er ikke gyldig. Kontroller at alle sifrene er riktige."))
    month = int(number[2:4])
    is_synthetic = month > SYNTHETIC_MONTH_OFFSET
    if is_synthetic:
        if not allow_synthetic:
            raise InvalidNationalId(_("Syntetiske testnumre kan ikke brukes i denne installasjonen."))
        dated = number[:2] + f"{month - SYNTHETIC_MONTH_OFFSET:02d}" + number[4:]
    else:
        dated = number
    try:
        birth_date = fodselsnummer.get_birth_date(dated)
    except StdnumError:
        raise InvalidNationalId(_("Fødselsnummeret inneholder ikke en gyldig fødselsdato.")) from None
    if birth_date > datetime.date.today():
        raise InvalidNationalId(_("Fødselsdatoen i nummeret er fram i tid."))
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


# Eleven digits as written, pasted or sent in a URL: "14832150216", "148321 50216",
# "148321-50216", "148321.50216", and percent-encoded ("%31%34…", "%2D" for the dash).
_DIGIT = r"(?:\d|%3\d)"
_SEPARATOR = r"(?:[ \-.]|%20|%2[dD])?"
_ELEVEN_DIGITS = re.compile(rf"(?<![\d%])((?:{_DIGIT}){{6}}){_SEPARATOR}(?:{_DIGIT}){{5}}(?!\d)")


# A calendar feed's URL is its only credential (followup/calendar_feed.py): masked in log lines too.
_CALENDAR_TOKEN = re.compile(r"(/kalender/)[^/\s\"'?]+(\.ics)")


def mask_text(text: str) -> str:
    """Every national ID number in the text masked to its birth-date part (and a calendar
    feed's token, which opens the feed, masked whole)."""
    text = _CALENDAR_TOKEN.sub(r"\1*****\2", text)
    return _ELEVEN_DIGITS.sub(lambda m: f"{_decode_digits(m.group(1))} *****", text)


def _decode_digits(text: str) -> str:
    return re.sub(r"%3(\d)", r"\1", text)


def numbers_in(text: str) -> list[str]:
    """The valid national ID numbers written in the text (11 digits, spaced or not): for forms
    that must hold no personal data (undring/forms.py, the anonymous discussion)."""
    found = []
    for m in _ELEVEN_DIGITS.finditer(text or ""):
        digits = re.sub(r"\D", "", _decode_digits(m.group(0)).replace("%20", "").replace("%2d", "").replace("%2D", ""))
        try:
            found.append(parse(digits).number)
        except InvalidNationalId:
            continue
    return found


class MaskNationalIdsFilter(logging.Filter):
    """Masks anything that looks like a national ID number in log lines: the message (incl.
    request paths and headers), the traceback and the stack — before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True

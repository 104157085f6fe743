"""Read a staff list from CSV (as exported from Excel or a personnel system).

Columns, by header name (order free, case ignored):
fornavn, etternavn, e-post, mobil, stilling, rolle, fødselsnummer.
Only fornavn, etternavn and e-post are required; rolle defaults to ansatt.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import Role

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
COLUMNS = {
    "fornavn": "given_name",
    "etternavn": "family_name",
    "e-post": "email",
    "epost": "email",
    "mobil": "phone",
    "telefon": "phone",
    "stilling": "title",
    "rolle": "role",
    "fødselsnummer": "national_id",
    "fnr": "national_id",
}
REQUIRED = {"given_name": "fornavn", "family_name": "etternavn", "email": "e-post"}
# The role words are the bokmål values (the labels in bokmål are the same words, capitalised).
ROLE_WORDS = {**{r.value: r.value for r in Role}, "": Role.EMPLOYEE}


class CsvFileError(ValueError):
    """The file as a whole cannot be read; `str(e)` is Norwegian for the user."""


def _decode(raw: bytes) -> str:
    # Excel in Norway saves CSV as Windows-1252 unless told otherwise.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError(_("Filen kunne ikke leses. Lagre den som CSV (UTF-8) og prøv igjen."))


def parse_staff_csv(raw: bytes) -> list[tuple[int, StaffEntry | ValidationError]]:
    """Each data row with its line number, as an entry or as the error that row has."""
    if len(raw) > MAX_BYTES:
        raise CsvFileError(_("Filen er for stor (mer enn 1 MB)."))
    text = _decode(raw)
    if not text.strip():
        raise CsvFileError(_("Filen er tom."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    fields = [COLUMNS.get(h) for h in header]
    missing = [name for key, name in REQUIRED.items() if key not in fields]
    if missing:
        raise CsvFileError(
            _(
                "Første linje må være kolonnenavn. Mangler: %(missing)s. "
                "Gyldige kolonner: fornavn, etternavn, e-post, mobil, stilling, rolle, fødselsnummer."
            )
            % {"missing": ", ".join(missing)}
        )
    rows: list[tuple[int, StaffEntry | ValidationError]] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvFileError(_("Filen har for mange linjer (mer enn %(max)s).") % {"max": MAX_ROWS})
        rows.append((line, _row_entry(fields, values)))
    if not rows:
        raise CsvFileError(_("Filen har ingen ansatte under kolonnenavnene."))
    return rows


def _row_entry(fields: list[str | None], values: list[str]) -> StaffEntry | ValidationError:
    if len(values) != len(fields):
        return ValidationError(
            _("Linjen har %(values)s felt, men overskriften har %(fields)s.")
            % {"values": len(values), "fields": len(fields)}
        )
    data = {f: v.strip() for f, v in zip(fields, values, strict=True) if f}
    missing = [name for key, name in REQUIRED.items() if not data.get(key)]
    if missing:
        and_word = _("og")
        return ValidationError(_("Mangler %(missing)s.") % {"missing": f" {and_word} ".join(missing)})
    role = ROLE_WORDS.get(data.get("role", "").lower())
    if role is None:
        return ValidationError(
            _("Ukjent rolle «%(role)s». Bruk ansatt, leder, systemansvarlig eller superbruker.")
            % {"role": data["role"]}
        )
    person = PersonData(
        given_name=data["given_name"],
        family_name=data["family_name"],
        email=data["email"],
        phone=data.get("phone", ""),
        national_id=data.get("national_id", ""),
    )
    return StaffEntry(person=person, role=role, title=data.get("title", ""))

"""Read a staff list from CSV (as exported from Excel or a personnel system).

Columns, by header name (order free, case ignored):
fornavn, etternavn, e-post, mobil, stilling, rolle, fødselsnummer.
Only fornavn, etternavn and e-post are required; rolle defaults to ansatt.
"""

import csv
import io

from django.core.exceptions import ValidationError

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
ROLE_WORDS = {**{r.value: r.value for r in Role}, **{r.label.lower(): r.value for r in Role}, "": Role.EMPLOYEE}


class CsvFileError(ValueError):
    """The file as a whole cannot be read; `str(e)` is Norwegian for the user."""


def _decode(raw: bytes) -> str:
    # Excel in Norway saves CSV as Windows-1252 unless told otherwise.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFileError("Filen kunne ikke leses. Lagre den som CSV (UTF-8) og prøv igjen.")


def parse_staff_csv(raw: bytes) -> list[tuple[int, StaffEntry | ValidationError]]:
    """Each data row with its line number, as an entry or as the error that row has."""
    if len(raw) > MAX_BYTES:
        raise CsvFileError("Filen er for stor (mer enn 1 MB).")
    text = _decode(raw)
    if not text.strip():
        raise CsvFileError("Filen er tom.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    fields = [COLUMNS.get(h) for h in header]
    missing = [name for key, name in REQUIRED.items() if key not in fields]
    if missing:
        raise CsvFileError(
            "Første linje må være kolonnenavn. Mangler: " + ", ".join(missing) + ". "
            "Gyldige kolonner: fornavn, etternavn, e-post, mobil, stilling, rolle, fødselsnummer."
        )
    rows: list[tuple[int, StaffEntry | ValidationError]] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvFileError(f"Filen har for mange linjer (mer enn {MAX_ROWS}).")
        rows.append((line, _row_entry(fields, values)))
    if not rows:
        raise CsvFileError("Filen har ingen ansatte under kolonnenavnene.")
    return rows


def _row_entry(fields: list[str | None], values: list[str]) -> StaffEntry | ValidationError:
    if len(values) != len(fields):
        return ValidationError(f"Linjen har {len(values)} felt, men overskriften har {len(fields)}.")
    data = {f: v.strip() for f, v in zip(fields, values, strict=True) if f}
    missing = [name for key, name in REQUIRED.items() if not data.get(key)]
    if missing:
        return ValidationError("Mangler " + " og ".join(missing) + ".")
    role = ROLE_WORDS.get(data.get("role", "").lower())
    if role is None:
        return ValidationError(f"Ukjent rolle «{data['role']}». Bruk ansatt, leder, systemansvarlig eller superbruker.")
    person = PersonData(
        given_name=data["given_name"],
        family_name=data["family_name"],
        email=data["email"],
        phone=data.get("phone", ""),
        national_id=data.get("national_id", ""),
    )
    return StaffEntry(person=person, role=role, title=data.get("title", ""))

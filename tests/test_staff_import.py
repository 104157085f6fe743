"""Importing a staff list from CSV: a per-row error report, and all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stafett.people import actions
from stafett.people.models import Membership, Person
from stafett.people.staff_csv import CsvFileError, parse_staff_csv

GOOD = (
    "fornavn;etternavn;e-post;mobil;stilling;rolle\n"
    "Tor;Aasen;tor.aasen@fjordvik.example;40000001;barnehagelærer;ansatt\n"
    "Åse;Ødegård;ase.odegard@fjordvik.example;;assistent;\n"
    "Lars;Bø;lars.bo@fjordvik.example;;pedagogisk leder;Leder\n"
)


def upload(client, cast, content: bytes, name="ansatte.csv"):
    return client.post(
        reverse("people:staff_import", args=[cast.kindergarten.code]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_good_file_adds_everyone_with_their_roles(client, cast):
    client.force_login(cast.berit)
    response = upload(client, cast, GOOD.encode("utf-8"))
    assert response.status_code == 302
    staff = {m.person.full_name: m.role for m in Membership.objects.active().filter(unit=cast.kindergarten)}
    assert staff["Tor Aasen"] == "ansatt"
    assert staff["Åse Ødegård"] == "ansatt"
    assert staff["Lars Bø"] == "leder"


def test_one_bad_row_means_nothing_is_imported_and_each_error_is_reported(client, cast):
    client.force_login(cast.berit)
    bad = GOOD + "Mia;;mia@fjordvik.example;;;\nPer;Persen;per@fjordvik.example;;;rektor\n"
    before = (Person.objects.count(), Membership.objects.count())
    response = upload(client, cast, bad.encode("utf-8"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ingenting ble importert: 2 av 5 linjer har feil" in html
    assert "<td>5</td><td>Mangler etternavn.</td>" in html
    assert "Ukjent rolle «rektor»" in html
    assert (Person.objects.count(), Membership.objects.count()) == before


def test_excel_windows_1252_file_with_norwegian_letters_is_read(cast):
    rows = parse_staff_csv(GOOD.encode("cp1252"))
    assert rows[1][1].person.given_name == "Åse"


def test_comma_separated_file_is_read(cast):
    rows = parse_staff_csv(GOOD.replace(";", ",").encode())
    assert len(rows) == 3


def test_file_without_required_columns_is_refused_with_explanation(client, cast):
    client.force_login(cast.berit)
    response = upload(client, cast, b"navn;epost\nTor;tor@x.example\n")
    assert response.status_code == 400
    assert "Mangler: fornavn, etternavn." in response.content.decode()


def test_empty_and_oversized_files_are_refused():
    import pytest

    with pytest.raises(CsvFileError, match="tom"):
        parse_staff_csv(b"")
    with pytest.raises(CsvFileError, match="for stor"):
        parse_staff_csv(b"x" * 1_000_001)


def test_duplicate_rows_in_one_file_are_reported(cast):
    rows = parse_staff_csv((GOOD + "Tor;Aasen;TOR.AASEN@fjordvik.example;;;ansatt\n").encode())
    result = actions.import_staff(actor=cast.berit, unit=cast.kindergarten, rows=rows)
    assert not result.ok
    assert result.errors[0].line == 5 and "linje 2" in result.errors[0].messages[0]


def test_row_with_invalid_national_id_is_reported(cast):
    rows = parse_staff_csv(
        b"fornavn;etternavn;e-post;fodselsnummer\nTor;Aasen;tor@x.example;12345678901\n".replace(
            b"fodsels", "fødsels".encode()
        )
    )
    result = actions.import_staff(actor=cast.berit, unit=cast.kindergarten, rows=rows)
    assert "ikke gyldig" in result.errors[0].messages[0]


def test_import_is_audited_per_person(cast):
    from stafett.audit.models import AuditEvent

    actions.import_staff(actor=cast.berit, unit=cast.kindergarten, rows=parse_staff_csv(GOOD.encode()))
    assert AuditEvent.objects.about(cast.kindergarten).filter(action="staff.added").count() == 3


def test_employee_cannot_import(client, cast):
    client.force_login(cast.kari)
    assert upload(client, cast, GOOD.encode()).status_code == 403


def test_template_download_is_a_valid_import_file(client, cast):
    client.force_login(cast.berit)
    response = client.get(reverse("people:staff_csv_template", args=[cast.kindergarten.code]))
    assert response["Content-Type"].startswith("text/csv")
    assert len(parse_staff_csv(response.content)) == 1

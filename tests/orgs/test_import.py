"""Import organisations from CSV/XLSX: preview writes nothing, confirm writes valid rows once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from orgs import importing
from orgs.demo import FOCUS_AREAS, MALI_REGIONS
from orgs.models import ContactPerson, FocusArea, ImportBatch, Organisation, Region
from relais.models import AuditEvent, Role
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "orgs" / "fixtures" / "organisations_sample.csv"
HEADER = "name,acronym,type,registration_number,region,regions_of_work,focus_areas,contact_name,contact_phone\n"


@pytest.fixture
def geography(world_a):
    for index, (name, zone) in enumerate(MALI_REGIONS):
        Region.objects.create(tenant=world_a.tenant, name=name, zone=zone, ordering=index)
    for fr, en in FOCUS_AREAS:
        FocusArea.objects.create(tenant=world_a.tenant, name=fr, name_en=en)
    return world_a


def upload(world, name, content):
    client = world.client_for(Role.MANAGER)
    url = reverse("orgs:import_upload", kwargs={"tenant_slug": world.tenant.slug})
    return client, client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_sample_file_previews_then_imports(geography):
    world = geography
    before = Organisation.objects.count()
    client, response = upload(world, "organisations_sample.csv", SAMPLE.read_bytes())
    assert response.status_code == 302
    assert Organisation.objects.count() == before  # nothing written by the preview
    preview = client.get(response.url)
    html = preview.content.decode()
    assert preview.status_code == 200 and "AFPM" in html
    batch = ImportBatch.objects.get(tenant=world.tenant)
    results = importing.validate_rows(actor=world.actor(Role.MANAGER), rows=batch.rows)
    assert [r.errors for r in results] == [[], [], [], []]
    confirm = reverse("orgs:import_confirm", kwargs={"tenant_slug": world.tenant.slug, "importbatch_pk": batch.pk})
    assert client.post(confirm).status_code == 302
    assert Organisation.objects.count() == before + 4
    afpm = Organisation.objects.get(tenant=world.tenant, acronym="AFPM")
    assert afpm.type == "women_led" and afpm.region.name == "Ménaka"
    assert {r.name for r in afpm.regions_of_work.all()} == {"Ménaka", "Gao"}
    assert "menaka" in afpm.search_name
    assert ContactPerson.objects.get(organisation=afpm).consent is True
    assert AuditEvent.objects.filter(action="organisation.imported", after__created=4).exists()
    # confirming twice creates nothing more
    client.post(confirm)
    assert Organisation.objects.count() == before + 4


def test_bad_rows_are_explained_and_nothing_is_written(geography):
    world = geography
    content = (HEADER + "Bonne association,BA,ngo,,Ségou,,,,\n"
               ",SANSNOM,,,,,,,\n"
               "Région inconnue,RI,martian,,Atlantide,Gao;Lune,Pêche,,\n"
               "Téléphone sans nom,TSN,,,,,,,+22370000000\n").encode()
    before = Organisation.objects.count()
    client, response = upload(world, "bad.csv", content)
    html = client.get(response.url).content.decode()
    assert Organisation.objects.count() == before
    batch = ImportBatch.objects.get()
    results = importing.validate_rows(actor=world.actor(Role.MANAGER), rows=batch.rows)
    assert results[0].ok
    assert any("name" in e for e in results[1].errors)
    assert len(results[2].errors) == 4  # type, region, region of work, focus area
    assert any("Atlantide" in e for e in results[2].errors)
    assert "Atlantide" in html
    assert not results[3].ok
    importing.import_batch_confirm(batch=batch, actor=world.actor(Role.MANAGER))
    assert Organisation.objects.count() == before + 1
    assert Organisation.objects.filter(acronym="BA").exists()


def test_duplicates_in_tenant_and_in_file_are_reported(geography):
    world = geography
    OrganisationFactory(tenant=world.tenant, acronym="AJCET", registration_number="001/MATCL")
    content = (HEADER + "Dup acronym,ajcet,,,,,,,\n"
               "Dup number,NEW1,,001/matcl,,,,,\n"
               "First,TWIN,,,,,,,\n"
               "Second,twin,,,,,,,\n").encode()
    client, response = upload(world, "dups.csv", content)
    batch = ImportBatch.objects.get()
    results = importing.validate_rows(actor=world.actor(Role.MANAGER), rows=batch.rows)
    assert [r.ok for r in results] == [False, False, True, False]
    assert "4" in results[3].errors[0]  # the first "TWIN" is on line 4 (the header is line 1)
    created = importing.import_batch_confirm(batch=batch, actor=world.actor(Role.MANAGER))
    assert [o.acronym for o in created] == ["TWIN"]
    assert Organisation.objects.filter(tenant=world.tenant, acronym__iexact="twin").count() == 1
    assert Organisation.objects.filter(tenant=world.tenant, acronym__iexact="ajcet").count() == 1


def test_xlsx_with_dates_and_numbers(geography):
    world = geography
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Acronym", "Founding year", "Registration date", "Region"])
    sheet.append(["Association Benkadi", "BENKADI", 2014, datetime.datetime(2014, 5, 2), "Kayes"])  # noqa: DTZ001 - a spreadsheet date
    buffer = io.BytesIO()
    workbook.save(buffer)
    _client, response = upload(world, "benkadi.xlsx", buffer.getvalue())
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    created = importing.import_batch_confirm(batch=batch, actor=world.actor(Role.MANAGER))
    org = created[0]
    assert org.founding_year == 2014 and org.registration_date == datetime.date(2014, 5, 2)


def test_rejects_other_files_and_non_managers(geography):
    world = geography
    _client, response = upload(world, "evil.exe", b"MZ....")
    assert response.status_code == 200 and not ImportBatch.objects.exists()
    _client, response = upload(world, "nohead.csv", b"foo,bar\n1,2\n")
    assert response.status_code == 200 and not ImportBatch.objects.exists()
    url = reverse("orgs:import_upload", kwargs={"tenant_slug": world.tenant.slug})
    assert world.client_for(Role.REVIEWER).get(url).status_code == 403


def test_preview_in_english(geography):
    world = geography
    client, response = upload(world, "bad.csv", (HEADER + "X,X,martian,,,,,,\n").encode())
    html = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en", headers={"Cookie": "django_language=en"})
    client.cookies["django_language"] = "en"
    html = client.get(response.url).content.decode()
    assert "Unknown type" in html


def test_stale_unconfirmed_batches_are_dropped(geography):
    import datetime

    from django.utils import timezone

    from tests.orgs.factories import ImportBatchFactory

    old = ImportBatchFactory(tenant=geography.tenant)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    upload(geography, "sample.csv", SAMPLE.read_bytes())
    assert not ImportBatch.objects.filter(pk=old.pk).exists()
    assert ImportBatch.objects.filter(tenant=geography.tenant).count() == 1


def _damaged_xlsx() -> bytes:
    """A real .xlsx whose sheet XML is cut in half: openpyxl only notices while reading rows."""
    import zipfile

    workbook = Workbook()
    workbook.active.append(["name", "acronym"])
    workbook.active.append(["Association Benkadi", "BENKADI"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data)
    return damaged.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("junk.csv", bytes(range(256)) * 8, "n’est pas un fichier texte CSV lisible"),
    ("nul.csv", b"name,acronym\nAssociation\x00,X\n", "n’est pas un fichier texte CSV lisible"),
    ("long.csv", b"name,description\nAssociation," + b"a" * 200_000 + b"\n", "n’est pas un fichier texte CSV lisible"),
    ("damaged.xlsx", _damaged_xlsx(), "Ce fichier Excel est illisible"),
    ("pipes.csv", b"name|acronym\nAssociation|A\n", "qu’une seule colonne"),
])
def test_unreadable_files_get_a_message_not_a_500(geography, name, content, message):
    _client, response = upload(geography, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_french_excel_csv_with_semicolons_and_commas_in_cells(geography):
    """Excel in French saves ';'-separated CSV in cp1252 and quotes a cell holding ';'.
    This file made csv.Sniffer give up, and the import fell back to commas."""
    content = (
        "name;acronym;description\r\n"
        "Association des femmes, Gao;AFG;\"Paix; dialogue, médiation\"\r\n"
    ).encode("cp1252")
    _client, response = upload(geography, "export-excel.csv", content)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    [row] = importing.validate_rows(actor=geography.actor(Role.MANAGER), rows=batch.rows)
    assert row.errors == []
    assert row.data["name"] == "Association des femmes, Gao"
    assert row.data["description"] == "Paix; dialogue, médiation"


def test_values_longer_than_their_column_are_row_errors(geography, english):
    """A registration number over 60 characters or an e-mail over 254 passed the preview, then failed
    in the database on PostgreSQL at confirmation (a 500 that also lost every valid row)."""
    rows = [
        {"name": "Association A", "registration_number": "R" * 61},
        {"name": "Association B", "contact_name": "Awa", "contact_email": "a" * 250 + "@b.ml",
         "contact_consent": "oui"},
        {"name": "Association C", "registration_number": "R" * 60},
    ]
    results = importing.validate_rows(actor=geography.actor(Role.MANAGER), rows=rows)
    assert results[0].errors == ["The registration number is longer than 60 characters."]
    assert len(results[1].errors) == 1 and "is not a valid address" in results[1].errors[0]
    assert results[2].ok


# --- hostile spreadsheets: the parse is bounded in time and memory -------------------------------------------------

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx_with_sheet(sheet_xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    import zipfile

    workbook = Workbook()
    workbook.active.append(["name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = sheet_xml.encode() if name == "xl/worksheets/sheet1.xml" else source.read(name)
            target.writestr(name, data)
    return crafted.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _parse_measured(name: str, content: bytes):
    """parse_upload's outcome (rows or the ValidationError), the seconds it takes and its peak traced
    memory (measured in a second run: tracing slows the code down several times)."""
    import time
    import tracemalloc

    from django.core.exceptions import ValidationError

    def parse():
        try:
            return importing.parse_upload(name, content)
        except ValidationError as exc:
            return exc

    started = time.perf_counter()
    outcome = parse()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        parse()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, elapsed, peak


def test_a_sheet_claiming_16384_columns_is_read_in_bounded_time_and_memory(english):
    """<dimension ref="A1:XFD8001"/> made read-only openpyxl pad every row to 16,384 cells, and the whole
    table was built before the row limit was checked: 8,000 rows took seconds and a gigabyte."""
    rows = "".join(f'<row r="{n}">{_inline(f"A{n}", f"Association {n}")}</row>' for n in range(2, 8002))
    sheet = (f'<worksheet xmlns="{_SHEET_NS}"><dimension ref="A1:XFD8001"/><sheetData>'
             f'<row r="1">{_inline("A1", "name")}{_inline("B1", "acronym")}</row>{rows}</sheetData></worksheet>')
    content = _xlsx_with_sheet(sheet)
    assert len(content) < 200_000
    outcome, elapsed, peak = _parse_measured("bomb.xlsx", content)
    assert "more than 5000 rows" in " ".join(outcome.messages)
    assert elapsed < 2
    assert peak < 50 * 1024 * 1024


def test_a_sheet_whose_last_row_is_a_million_lines_down_is_refused_quickly(english):
    """Rows missing between two rows are filled in by openpyxl: one cell on row 1,048,576 meant a million
    padded rows to look at."""
    sheet = (f'<worksheet xmlns="{_SHEET_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
             f'<row r="1">{_inline("A1", "name")}</row><row r="2">{_inline("A2", "Association A")}</row>'
             f'<row r="1048576">{_inline("A1048576", "Association B")}</row></sheetData></worksheet>')
    outcome, elapsed, peak = _parse_measured("gap.xlsx", _xlsx_with_sheet(sheet))
    assert "beyond line 10000" in " ".join(outcome.messages)
    assert elapsed < 2
    assert peak < 50 * 1024 * 1024


def test_a_sheet_with_the_row_limit_exactly_is_still_imported(english):
    rows = "".join(f'<row r="{n}">{_inline(f"A{n}", f"Association {n}")}</row>' for n in range(2, 5002))
    sheet = (f'<worksheet xmlns="{_SHEET_NS}"><dimension ref="A1:XFD5001"/><sheetData>'
             f'<row r="1">{_inline("A1", "name")}</row>{rows}</sheetData></worksheet>')
    parsed = importing.parse_upload("full.xlsx", _xlsx_with_sheet(sheet))
    assert len(parsed) == 5000
    assert parsed[0] == {"name": "Association 2"} and parsed[-1] == {"name": "Association 5001"}


def test_a_csv_of_blank_lines_is_refused_without_building_a_table(english):
    """A 2 MB CSV of empty cells was first turned into a million Python lists."""
    content = b"name,acronym\n" + b",\n" * 1_000_000
    outcome, elapsed, peak = _parse_measured("blank.csv", content)
    assert "beyond line 10000" in " ".join(outcome.messages)
    assert peak < 50 * 1024 * 1024


def test_a_csv_header_with_a_million_columns_is_read_quickly(english):
    content = b"name,acronym" + b",x" * 1_000_000 + b"\nAssociation A,AA\n"
    outcome, elapsed, _peak = _parse_measured("wide.csv", content)
    assert outcome == [{"name": "Association A", "acronym": "AA"}]
    assert elapsed < 2


def test_an_xlsx_whose_sheet_unpacks_to_too_much_is_refused(english):
    """The sheet is a zip bomb: refused from the archive's directory, before openpyxl decompresses it."""
    import zipfile

    workbook = Workbook()
    workbook.active.append(["name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, source.read(name))
        with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{_SHEET_NS}"><sheetData><row r="1">{_inline("A1", "name")}</row>'
                        .encode())
            for _ in range(40):
                sheet.write(b" " * 1024 * 1024)
            sheet.write(b"</sheetData></worksheet>")
    outcome, _elapsed, peak = _parse_measured("bomb.xlsx", crafted.getvalue())
    assert "unpacks to" in " ".join(outcome.messages)
    assert peak < 20 * 1024 * 1024


def test_line_breaks_in_one_line_columns_are_row_errors(geography, english):
    """An acronym « REJ\\r\\nBcc: … » was imported, then made the join-request e-mail fail."""
    rows = [
        {"name": "Réseau des jeunes", "acronym": "REJ\r\nBcc: victim@example.org"},
        {"name": "Association\u202eA"},
        {"name": "Association C", "contact_name": "Awa\tTraoré"},
        {"name": "Association D", "acronym": "AD", "description": "Paix.\nDialogue."},  # several lines: fine
    ]
    results = importing.validate_rows(actor=geography.actor(Role.MANAGER), rows=rows)
    assert results[0].errors == ["The column « acronym » holds a line break, a tab or an invisible character "
                                 "(U+000D); write it on one line."]
    assert results[1].errors == ["The column « name » holds a line break, a tab or an invisible character "
                                 "(U+202E); write it on one line."]
    assert "« contact_name »" in results[2].errors[0]
    assert results[3].ok
    batch = ImportBatch.objects.create(tenant=geography.tenant, created_by=geography.user(Role.MANAGER),
                                       filename="x.csv", rows=rows)
    created = importing.import_batch_confirm(batch=batch, actor=geography.actor(Role.MANAGER))
    assert [o.acronym for o in created] == ["AD"]


def test_french_column_headers_are_recognised(geography):
    world = geography
    content = ("Nom;Sigle;Région;Régions d'intervention;Domaines;Personne de contact;Téléphone;E-mail;"
               "Consentement;Colonne inconnue\n"
               "Association Benkadi des femmes;BENKADI;Kayes;Kayes;Droits des femmes;Awa Diarra;+223 76 11 22 33;"
               "awa@example.org;oui;ignorée\n").encode("utf-8-sig")
    _client, response = upload(world, "export-fr.csv", content)
    assert response.status_code == 302, response.content.decode()[:1000]
    batch = ImportBatch.objects.get()
    created = importing.import_batch_confirm(batch=batch, actor=world.actor(Role.MANAGER))
    org = created[0]
    assert (org.name, org.acronym, org.region.name) == ("Association Benkadi des femmes", "BENKADI", "Kayes")
    assert [r.name for r in org.regions_of_work.all()] == ["Kayes"]
    contact = ContactPerson.objects.get(organisation=org)
    assert (contact.name, contact.email) == ("Awa Diarra", "awa@example.org")
    assert "76" in contact.phone

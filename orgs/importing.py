"""Import organisations from the mapping spreadsheet (CSV or XLSX).

Two steps: ``parse_upload`` + ``import_batch_create`` keep the raw rows in an
ImportBatch (nothing else is written); the preview calls ``validate_rows``,
which explains each row's problems in the reader's language; ``import_batch_confirm``
re-validates and writes every valid row in one transaction. Duplicates (same
acronym or registration number, in the tenant or earlier in the file) are
reported and skipped, never created twice.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import ContactPerson, FocusArea, ImportBatch, Organisation, OrganisationType, Region
from orgs.permissions.organisations import can_import_organisations
from relais.actor import Actor
from relais.audit import audit_record
from relais.errors import Refused, refused
from relais.permissions import require
from relais.uploads import check_archive
from relais.validators import character_code, first_control_character, validate_one_line_fields

from .models.organisations import fold
from .services.organisations import organisation_write

COLUMNS = (
    "name", "acronym", "type", "registration_number", "registration_date", "founding_year", "region",
    "regions_of_work", "focus_areas", "description", "contact_name", "contact_phone", "contact_email",
)
OPTIONAL_COLUMNS = ("contact_role", "contact_consent")
MAX_ROWS = 5000
# Blank lines are skipped, but each costs a look: a sheet can claim a million of them.
MAX_LINES = 2 * MAX_ROWS
# The columns above, plus room for the extra ones a mapping spreadsheet carries (they are ignored).
MAX_COLUMNS = 40
# An import file is at most 2 MB; its XLSX parts unpack to far less than this.
MAX_UNCOMPRESSED_BYTES = 25 * 1024 * 1024
BATCH_LIFETIME = datetime.timedelta(days=1)
# Column names as programme staff type them in French (compared folded: accents, case and punctuation
# do not matter, so "Région", "REGION" and "région" are one name).
FRENCH_COLUMNS = {
    "nom": "name", "nom_de_l_organisation": "name", "organisation": "name", "denomination": "name",
    "sigle": "acronym", "acronyme": "acronym",
    "type_d_organisation": "type",
    "numero_d_enregistrement": "registration_number", "no_d_enregistrement": "registration_number",
    "numero_de_recepisse": "registration_number", "recepisse": "registration_number",
    "date_d_enregistrement": "registration_date",
    "annee_de_creation": "founding_year", "annee_de_fondation": "founding_year",
    "region": "region", "region_du_siege": "region", "siege": "region",
    "regions_d_intervention": "regions_of_work", "zones_d_intervention": "regions_of_work",
    "domaines": "focus_areas", "domaines_d_intervention": "focus_areas", "thematiques": "focus_areas",
    "personne_de_contact": "contact_name", "nom_du_contact": "contact_name", "contact": "contact_name",
    "telephone": "contact_phone", "tel": "contact_phone", "telephone_du_contact": "contact_phone",
    "e_mail": "contact_email", "email": "contact_email", "courriel": "contact_email",
    "fonction": "contact_role", "fonction_du_contact": "contact_role",
    "consentement": "contact_consent", "consentement_du_contact": "contact_consent",
}


def _column_name(cell: Any) -> str:
    """A header cell as a known column name when it is one (English or French), else its folded text."""
    folded = re.sub(r"[^a-z0-9]+", "_", fold(_cell(cell))).strip("_")
    return FRENCH_COLUMNS.get(folded, folded)
YES = {"yes", "oui", "y", "o", "1", "true", "vrai", "x"}
# Columns that land in one-line fields (names reach e-mail subjects and file names); description may span lines.
ONE_LINE_COLUMNS = ("name", "acronym", "registration_number", "contact_name", "contact_role", "contact_phone",
                    "contact_email")


@dataclass
class RowResult:
    line: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from_lines(lines: Iterator[Sequence[Any]]) -> list[dict[str, str]]:
    """Rows keyed by the header's known column names, read one line at a time.

    Stops at MAX_ROWS rows or MAX_LINES lines (blank ones included) and reads
    MAX_COLUMNS columns at most, so a file claiming millions of cells is refused
    before they exist.
    """
    first = next(lines, None)
    if first is None:
        raise ValidationError(_("The file is empty."))
    header = [_column_name(h) for h in first[:MAX_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    if "name" not in header and len([h for h in header if h]) <= 1:
        raise ValidationError(
            _("The first row holds a single column: separate the columns with commas or semicolons, or save "
              "the file as .xlsx.")
        )
    if "name" not in header:
        raise ValidationError(
            _("The first row must hold the column names (name, acronym, type, ...); « name » is missing.")
        )
    rows: list[dict[str, str]] = []
    for line, values in enumerate(lines, start=2):
        if line > MAX_LINES:
            raise ValidationError(_("The file goes on beyond line %(max)s (blank lines included); remove the "
                                    "blank lines at the end or split it.") % {"max": MAX_LINES})
        cells = [_cell(v) for v in values[: len(header)]]
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationError(_("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS})
        rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)
                     if h in COLUMNS or h in OPTIONAL_COLUMNS})
    return rows


def _xlsx_rows(content: bytes) -> list[dict[str, str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_archive(archive, max_uncompressed=MAX_UNCOMPRESSED_BYTES)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationError(_("This Excel file cannot be read. Save it again as .xlsx or .csv.")) from exc
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The sheet's <dimension> is whatever the file claims (A1:XFD1048576 pads every row to
        # 16,384 cells): ignore it, and read only the columns an import can use.
        sheet.reset_dimensions()
        # read_only parses the sheet lazily: a damaged sheet fails while iterating.
        return _rows_from_lines(iter(sheet.iter_rows(min_col=1, max_col=MAX_COLUMNS, values_only=True)))
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many types for a damaged file
        raise ValidationError(_("This Excel file cannot be read. Save it again as .xlsx or .csv.")) from exc
    finally:
        if workbook is not None:
            workbook.close()


def parse_upload(filename: str, content: bytes) -> list[dict[str, str]]:
    """Raw rows as dicts of text, keyed by the known column names."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    unreadable = ValidationError(
        _("This file is not a readable CSV text file. Save it again from Excel as « CSV UTF-8 » or as .xlsx.")
    )
    if b"\x00" in content:  # binary data, or UTF-16 "Unicode text"
        raise unreadable
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise unreadable
    try:
        # csv.reader keeps its default field limit (128 KiB): a longer cell is unreadable, not a memory hog.
        return _rows_from_lines(csv.reader(io.StringIO(text), csv.excel, delimiter=_csv_delimiter(text)))
    except csv.Error as exc:  # a cell over the csv module's size limit, a stray quote...
        raise unreadable from exc


def _csv_delimiter(text: str) -> str:
    """Excel writes ';' in French and ',' in English. Column names never hold either, so the
    header line decides; data rows (commas in descriptions) can mislead the sniffer."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=counts.__getitem__)
    if counts[delimiter]:
        return delimiter
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


# Spellings found in the mapping spreadsheets, whatever the UI language.
TYPE_ALIASES = {
    "organisation dirigee par des femmes": "women_led", "organisation de femmes": "women_led",
    "femmes": "women_led", "women": "women_led",
    "organisation dirigee par des jeunes": "youth_led", "organisation de jeunes": "youth_led",
    "jeunes": "youth_led", "youth": "youth_led",
    "association communautaire": "community", "reseau": "network", "groupe de reflexion": "think_tank",
    "ong": "ngo", "autre": "other",
}


def _type_lookup() -> dict[str, str]:
    lookup = dict(TYPE_ALIASES)
    for value, label in OrganisationType.choices:
        lookup[fold(value)] = value
        lookup[fold(str(label))] = value
    # French labels too, whatever the current language.
    from django.utils import translation

    with translation.override("fr"):
        for value, label in OrganisationType.choices:
            lookup[fold(str(label))] = value
    with translation.override("en"):
        for value, label in OrganisationType.choices:
            lookup[fold(str(label))] = value
    return lookup


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("|", ";").split(";") if part.strip()]


def validate_rows(*, actor: Actor, rows: list[dict[str, str]]) -> list[RowResult]:
    """Check every row against the actor's tenant; messages are plain sentences in the active language."""
    tenant = actor.tenant
    regions = {fold(r.name): r for r in Region.objects.filter(tenant=tenant)}
    focus = {}
    for area in FocusArea.objects.filter(tenant=tenant):
        focus[fold(area.name)] = area
        if area.name_en:
            focus[fold(area.name_en)] = area
    existing = Organisation.objects.filter(tenant=tenant).values_list("acronym", "registration_number")
    taken_acronyms = {fold(a) for a, _n in existing if a}
    taken_numbers = {fold(n) for _a, n in existing if n}
    seen_acronyms: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    types = _type_lookup()
    this_year = timezone.localdate().year
    results = []
    for index, raw in enumerate(rows, start=2):  # line 1 is the header
        row = RowResult(line=index, raw=raw)

        def get(key: str, raw: dict[str, str] = raw) -> str:
            return (raw.get(key) or "").strip()

        for column in ONE_LINE_COLUMNS:
            character = first_control_character(get(column))
            if character is not None:
                row.errors.append(_("The column « %(column)s » holds a line break, a tab or an invisible character "
                                    "(%(character)s); write it on one line.")
                                  % {"column": column, "character": character_code(character)})
        name, acronym, number = get("name"), get("acronym"), get("registration_number")
        if not name:
            row.errors.append(_("The legal name (column « name ») is empty."))
        elif len(name) > 255:
            row.errors.append(_("The legal name is longer than 255 characters."))
        if len(acronym) > 40:
            row.errors.append(_("The acronym is longer than 40 characters."))
        if len(number) > 60:
            row.errors.append(_("The registration number is longer than 60 characters."))
        if acronym:
            key = fold(acronym)
            if key in taken_acronyms:
                row.errors.append(_("An organisation with the acronym « %(value)s » is already registered.")
                                  % {"value": acronym})
            elif key in seen_acronyms:
                row.errors.append(_("The acronym « %(value)s » is already on line %(line)s of this file.")
                                  % {"value": acronym, "line": seen_acronyms[key]})
            else:
                seen_acronyms[key] = index
        if number:
            key = fold(number)
            if key in taken_numbers:
                row.errors.append(_("An organisation with the registration number « %(value)s » is already "
                                    "registered.") % {"value": number})
            elif key in seen_numbers:
                row.errors.append(_("The registration number « %(value)s » is already on line %(line)s of this "
                                    "file.") % {"value": number, "line": seen_numbers[key]})
            else:
                seen_numbers[key] = index
        org_type = ""
        if get("type"):
            org_type = types.get(fold(get("type")), "")
            if not org_type:
                row.errors.append(_("Unknown type « %(value)s ». Use one of: %(choices)s.")
                                  % {"value": get("type"),
                                     "choices": ", ".join(str(label) for _v, label in OrganisationType.choices)})
        registration_date = None
        if get("registration_date"):
            registration_date = _parse_date(get("registration_date"))
            if registration_date is None:
                row.errors.append(_("The registration date « %(value)s » is not a date; write it as 2015-03-31 "
                                    "or 31/03/2015.") % {"value": get("registration_date")})
            elif registration_date > timezone.localdate():
                row.errors.append(_("The registration date is in the future."))
        founding_year = None
        if get("founding_year"):
            try:
                founding_year = int(get("founding_year"))
            except ValueError:
                row.errors.append(_("The founding year « %(value)s » is not a year.") % {"value": get("founding_year")})
            else:
                if not 1900 <= founding_year <= this_year:
                    row.errors.append(_("The founding year must be between 1900 and %(year)s.") % {"year": this_year})
        region = None
        if get("region"):
            region = regions.get(fold(get("region")))
            if region is None:
                row.errors.append(_("Unknown region « %(value)s ». Add it under Geography first, or correct "
                                    "the spelling.") % {"value": get("region")})
        regions_of_work = []
        for part in _split(get("regions_of_work")):
            found = regions.get(fold(part))
            if found is None:
                row.errors.append(_("Unknown region of work « %(value)s ».") % {"value": part})
            elif found not in regions_of_work:
                regions_of_work.append(found)
        focus_areas = []
        for part in _split(get("focus_areas")):
            found = focus.get(fold(part))
            if found is None:
                row.errors.append(_("Unknown focus area « %(value)s ».") % {"value": part})
            elif found not in focus_areas:
                focus_areas.append(found)
        contact_name, phone, email = get("contact_name"), get("contact_phone"), get("contact_email")
        consent = fold(get("contact_consent")) in YES
        if (phone or email) and not contact_name:
            row.errors.append(_("A contact phone or e-mail is given without the contact's name."))
        if email and ("@" not in email or " " in email or "." not in email.split("@")[-1] or len(email) > 254):
            row.errors.append(_("The contact e-mail « %(value)s » is not a valid address.") % {"value": email})
        if (phone or email) and not consent:
            row.errors.append(_("Phone numbers and e-mails are imported only with the person's consent: write "
                                "« oui » in the column « contact_consent »."))
        if len(get("description")) > 2000:
            row.errors.append(_("The description is longer than 2000 characters."))
        row.data = {
            "name": name, "acronym": acronym, "type": org_type, "registration_number": number,
            "registration_date": registration_date, "founding_year": founding_year, "region": region,
            "regions_of_work": regions_of_work, "focus_areas": focus_areas, "description": get("description"),
        }
        if contact_name:
            row.contact = {"name": contact_name[:200], "role": get("contact_role")[:120], "phone": phone[:40],
                           "email": email, "consent": consent}
        results.append(row)
    return results


def import_batch_create(*, actor: Actor, filename: str, content: bytes) -> ImportBatch:
    """Read the file and keep its rows for the preview; no organisation is written."""
    require(can_import_organisations(actor))
    tenant = actor.tenant
    # Unconfirmed batches hold people's data from the file: keep them one day at most.
    ImportBatch.objects.filter(tenant=tenant, confirmed_at__isnull=True,
                               created_at__lt=timezone.now() - BATCH_LIFETIME).delete()
    try:
        rows = parse_upload(filename, content)
    except ValidationError as exc:
        raise refused(exc) from exc
    if not rows:
        raise Refused(_("The file has a header but no rows."))
    return ImportBatch.objects.create(tenant=tenant, created_by=actor.user, filename=filename[:255], rows=rows)


def import_batch_confirm(*, batch: ImportBatch, actor: Actor) -> list[Organisation]:
    """Write every valid row in one transaction; rows with errors are skipped."""
    require(can_import_organisations(actor))
    tenant = actor.tenant
    if batch.tenant_id != tenant.pk:
        raise Refused(_("This item belongs to another workspace."), forbidden=True)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk, tenant=tenant)
        if locked.confirmed_at:
            raise Refused(_("This import has already been confirmed."))
        results = validate_rows(actor=actor, rows=locked.rows)
        created = []
        for row in results:
            if not row.ok:
                continue
            organisation = organisation_write(actor=actor, data=row.data,
                                              extra_audit={"source": "import", "batch": locked.pk})
            if row.contact:
                contact = ContactPerson(tenant=tenant, organisation=organisation, **row.contact)
                try:
                    validate_one_line_fields(contact)
                except ValidationError as exc:
                    raise refused(exc) from exc
                contact.save()
            created.append(organisation)
        locked.confirmed_at = timezone.now()
        locked.created_count = len(created)
        locked.rows = []  # the file's people data is not kept once imported
        locked.save(update_fields=["confirmed_at", "created_count", "rows"])
        audit_record(tenant=tenant, actor=actor.user, action="organisation.imported", target=locked,
                     after={"file": locked.filename, "created": len(created),
                            "skipped": len(results) - len(created)})
    return created

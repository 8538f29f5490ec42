"""A progress report's files (issue 12): the Excel template of the financial report filled offline and
uploaded back (checked, previewed, saved only on confirm with the report's version), the fill-in narrative
PDF and the report's PDF (the safety section never for finance)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pypdf import PdfReader

from grants.models import AwardBudgetLine, ProgressReport, ReportExpense
from grants.report_import import preview_token, read_token, validate_rows
from grants.report_xlsx import FIRST_ROW, SheetRow, parse_workbook
from grants.services.reports import report_save
from relais.models import Role
from relais.money import format_money
from tests.grants.factories import AwardBudgetLineFactory
from tests.grants.test_views_reports import SECRET, _report, _url

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines(report) -> list[AwardBudgetLine]:
    return list(AwardBudgetLine.objects.filter(award=report.award).order_by("id"))


def _template(world, report, role=Role.APPLICANT):
    response = world.client_for(role).get(_url(world, report, "financial.xlsx"))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX and "no-store" in response["Cache-Control"]
    return load_workbook(io.BytesIO(response.content))


def _filled(workbook, values: dict[int, tuple[object, object]]) -> bytes:
    """The template as a grantee fills it in Excel: the amount (F) and explanation (I) of rows by line id."""
    sheet = workbook.worksheets[0]
    for row in range(FIRST_ROW, sheet.max_row + 1):
        line_id = sheet.cell(row=row, column=1).value
        if line_id in values:
            amount, why = values[line_id]
            sheet.cell(row=row, column=6, value=amount)
            sheet.cell(row=row, column=9, value=why)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(world, report, content: bytes, name="rapport.xlsx"):
    client = world.client_for(Role.APPLICANT)
    return client, client.post(_url(world, report, "financial/upload/"),
                               {"file": SimpleUploadedFile(name, content, content_type=XLSX)})


def _budget(report, amount: Decimal) -> list[AwardBudgetLine]:
    """The award's budget lines and two more ("Transport = déplacements" starts like a formula), all of
    `amount`."""
    for description in ("Location de salle à Ségou", "=Transport + déplacements"):
        AwardBudgetLineFactory(tenant=report.tenant, award=report.award, description=description)
    lines = _lines(report)
    AwardBudgetLine.objects.filter(pk__in=[line.pk for line in lines]).update(amount=amount)
    return _lines(report)


def test_the_template_has_one_locked_row_per_line_editable_cells_formulas_and_instructions(world_a):
    report = _report(world_a)
    lines = _lines(report)
    sheet = _template(world_a, report).worksheets[0]
    assert sheet.protection.sheet
    assert "cellules jaunes" in sheet["B2"].value  # the instructions, in French
    ids = [sheet.cell(row=r, column=1).value for r in range(FIRST_ROW, FIRST_ROW + len(lines))]
    assert ids == [line.pk for line in lines]
    assert sheet.column_dimensions["A"].hidden
    row = FIRST_ROW
    assert sheet.cell(row=row, column=4).value == lines[0].amount
    for column in (1, 2, 3, 4, 5, 7, 8):
        assert sheet.cell(row=row, column=column).protection.locked
    for column in (6, 9):
        assert not sheet.cell(row=row, column=column).protection.locked
    assert str(sheet.cell(row=row, column=7).value).startswith("=E")
    assert "ROUND" in sheet.cell(row=row, column=8).value
    total = FIRST_ROW + len(lines)
    assert sheet.cell(row=total, column=1).value == "TOTAL"
    assert sheet.cell(row=total, column=4).value.startswith("=SUM(D")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_managers_and_finance_may_download_the_template_but_not_upload(world_a, role):
    report = _report(world_a)
    _template(world_a, report, role)
    response = world_a.client_for(role).post(_url(world_a, report, "financial/upload/"), {})
    assert response.status_code == 403


def test_round_trip_preview_writes_nothing_then_confirm_saves_and_bumps_the_version(world_a):
    report = _report(world_a)
    lines = _budget(report, Decimal("1000000"))
    version = report.version
    workbook = _template(world_a, report)
    sheet = workbook.worksheets[0]
    # The description that starts like a formula is text in the sheet, not a formula.
    descriptions = [sheet.cell(row=r, column=3).value for r in range(FIRST_ROW, FIRST_ROW + len(lines))]
    assert "'=Transport + déplacements" in descriptions and not any(d.startswith("=") for d in descriptions if d)
    assert sheet.cell(row=FIRST_ROW + len(lines), column=6).value == f"=SUM(F{FIRST_ROW}:F{FIRST_ROW + len(lines) - 1})"
    content = _filled(workbook, {line.pk: (250000, "Ateliers à Ségou") for line in lines})
    client, response = _upload(world_a, report, content)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ateliers à Ségou" in body and "250\u202f000" in body.replace("\xa0", "\u202f")
    preview = response.context["preview"]
    assert preview.ok and [row.amount for row in preview.rows] == [Decimal(250000)] * len(lines)
    # Nothing written before the confirmation.
    assert not ReportExpense.objects.filter(report=report).exists()
    report.refresh_from_db()
    assert report.version == version
    token = response.context["token"]
    response = client.post(_url(world_a, report, "financial/confirm/"), {"token": token})
    assert response.status_code == 302
    saved = {e.budget_line_id: (e.amount, e.explanation) for e in ReportExpense.objects.filter(report=report)}
    assert saved == {line.pk: (Decimal(250000), "Ateliers à Ségou") for line in lines}
    report.refresh_from_db()
    assert report.version == version + 1
    # The next template carries what was saved.
    sheet = _template(world_a, report).worksheets[0]
    assert sheet.cell(row=FIRST_ROW, column=6).value == 250000


def test_a_stale_confirm_is_refused_with_409_and_saves_nothing(world_a):
    report = _report(world_a)
    lines = _budget(report, Decimal("1000000"))
    content = _filled(_template(world_a, report), {line.pk: (1000, "") for line in lines})
    client, response = _upload(world_a, report, content)
    token = response.context["token"]
    # Another tab saves the report meanwhile.
    report_save(report=report, actor=world_a.actor(Role.APPLICANT), sections={"activities": "Autre onglet"},
                expected_version=report.version)
    response = client.post(_url(world_a, report, "financial/confirm/"), {"token": token})
    assert response.status_code == 409
    assert "autre page" in response.content.decode()
    assert not ReportExpense.objects.filter(report=report).exists()


def test_a_token_is_bound_to_its_report_and_member_and_cannot_be_altered(world_a):
    report = _report(world_a)
    lines = _lines(report)
    preview = validate_rows([SheetRow(FIRST_ROW + i, line.pk, 10, "") for i, line in enumerate(lines)],
                            lines=__import__("grants.selectors.reports", fromlist=["x"]).report_expenses(report=report),
                            currency=report.award.currency)
    assert preview.ok
    token = preview_token(preview=preview, report_id=report.pk, user_id=7, version=3)
    assert read_token(token, report_id=report.pk, user_id=7)[0] == 3
    from grants.report_import import BadToken

    for report_id, user_id, altered in ((report.pk + 1, 7, token), (report.pk, 8, token),
                                        (report.pk, 7, token[:-2] + "xx")):
        with pytest.raises(BadToken):
            read_token(altered, report_id=report_id, user_id=user_id)
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(_url(world_a, report, "financial/confirm/"), {"token": token})
    assert response.status_code == 400  # made for another member
    assert not ReportExpense.objects.filter(report=report).exists()


def test_every_problem_is_shown_in_the_preview_and_nothing_can_be_confirmed(world_a):
    report = _report(world_a)
    lines = _budget(report, Decimal("100000"))
    line = lines[0]
    workbook = _template(world_a, report)
    sheet = workbook.worksheets[0]
    # 50 % over budget without an explanation (the line's own row); then added rows: text in an amount cell,
    # an unknown id, a missing id, the line twice, a negative, decimals in XOF.
    first = FIRST_ROW
    sheet.cell(row=first, column=6, value=150000)
    rows = [(line.pk, "beaucoup", ""), (999999, 10, ""), (None, 10, "ajoutée"), (line.pk, 5, ""), (line.pk, -5, ""),
            (line.pk, 10.5, ""), (line.pk, 1e300, "")]
    sheet.insert_rows(first + 1, amount=len(rows))
    for offset, (line_id, amount, why) in enumerate(rows, start=1):
        sheet.cell(row=first + offset, column=1, value=line_id)
        sheet.cell(row=first + offset, column=2, value="x")
        sheet.cell(row=first + offset, column=6, value=amount)
        sheet.cell(row=first + offset, column=9, value=why)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _client, response = _upload(world_a, report, buffer.getvalue())
    assert response.status_code == 200
    body = response.content.decode()
    assert "« beaucoup » n’est pas un montant" in body
    preview = response.context["preview"]
    problems = [row.problems for row in preview.rows]
    assert problems[0] and "50" in problems[0][0] and "Explication" in problems[0][0], problems[0]
    assert any("beaucoup" in p for p in problems[1])
    assert any("999999" in p for p in problems[2])
    assert any("identifiant" in p for p in problems[3])
    assert any("deux fois" in p for p in problems[4])
    assert any("négatif" in p for p in problems[5])
    assert any("XOF" in p or "décimale" in p or "centime" in p for p in problems[6]), problems[6]
    assert any("trop grand" in p for p in problems[7])
    for problem_list in problems:
        for p in problem_list:
            assert p in body.replace("&#x27;", "'").replace("&quot;", '"')
    assert not preview.ok and response.context["token"] == ""
    assert 'name="token"' not in body
    assert not ReportExpense.objects.filter(report=report).exists()


def test_a_file_that_is_not_xlsx_is_refused_with_the_reason(world_a):
    report = _report(world_a)
    _client, response = _upload(world_a, report, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "rapport.xlsx")
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    _client, response = _upload(world_a, report, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "rapport.pdf")
    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    assert not ReportExpense.objects.filter(report=report).exists()


def test_a_workbook_that_is_not_the_template_is_refused_and_rows_are_capped(world_a):
    from openpyxl import Workbook

    from grants.report_xlsx import NotATemplate

    workbook = Workbook()
    workbook.active.append(["a", "b"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _report(world_a)
    _client, response = _upload(world_a, report, buffer.getvalue())
    assert response.status_code == 400 and "modèle" in response.content.decode()
    # A copy of the template with thousands of rows is not read to the end.
    template = _template(world_a, report)
    sheet = template.worksheets[0]
    for row in range(FIRST_ROW, FIRST_ROW + 700):  # over the total row too
        sheet.cell(row=row, column=1, value=row)
    buffer = io.BytesIO()
    template.save(buffer)
    with pytest.raises(NotATemplate):
        parse_workbook(buffer.getvalue(), max_rows=500)


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())  # table cells wrap; no-break spaces read as spaces


def _written(world, report) -> ProgressReport:
    lines = _budget(report, Decimal("1000000"))
    report_save(report=report, actor=world.actor(Role.APPLICANT),
                sections={"activities": "Trois ateliers à Ségou", "results": "Comités élargis",
                          "safety_incidents": SECRET},
                expenses={line.pk: (Decimal("1250000"), "Hausse des coûts de transport") for line in lines},
                expected_version=report.version)
    report.refresh_from_db()
    return report


def test_the_report_pdf_prints_sections_amounts_and_the_safety_section_for_managers_only(world_a):
    report = _written(world_a, _report(world_a))
    manager = _pdf_text(world_a.client_for(Role.MANAGER).get(_url(world_a, report, "report.pdf")))
    assert "Trois ateliers à Ségou" in manager and "Comités élargis" in manager
    flat = manager.replace("\u202f", " ").replace("\xa0", " ")
    total = " ".join(format_money(Decimal(1250000) * len(_lines(report)), "XOF").split())
    assert "1 250 000" in flat and total in flat and total.endswith("FCFA")  # a line; the total, with its currency
    assert "25 %" in manager.replace("\xa0", " ")  # the variance
    assert "Hausse des coûts de transport" in manager
    assert SECRET in manager
    finance = _pdf_text(world_a.client_for(Role.FINANCE).get(_url(world_a, report, "report.pdf")))
    assert "Trois ateliers à Ségou" in finance
    assert SECRET not in finance and "Incidents de sécurité" not in finance
    grantee = _pdf_text(world_a.client_for(Role.APPLICANT).get(_url(world_a, report, "report.pdf")))
    assert SECRET in grantee


def test_the_fill_in_form_pdf_has_the_six_headings_the_header_and_the_indicator_grid(world_a):
    report = _written(world_a, _report(world_a))
    text = _pdf_text(world_a.client_for(Role.APPLICANT).get(_url(world_a, report, "form.pdf")))
    for heading in ("Activités réalisées", "Résultats", "Changements observés", "Difficultés", "Leçons apprises",
                    "Prochaines étapes"):
        assert heading in text, heading
    assert report.award.reference in text
    assert "Personnes touchées" in text and "Femmes et filles" in text and "15–24" in text
    assert "Trois ateliers" not in text and SECRET not in text  # a blank form


def test_the_links_are_on_the_pages_and_the_upload_page_fits(world_a):
    import gzip

    report = _report(world_a)
    body = world_a.client_for(Role.APPLICANT).get(_url(world_a, report, "edit/")).content.decode()
    assert "financial.xlsx" in body and "financial/upload/" in body and "form.pdf" in body
    body = world_a.client_for(Role.FINANCE).get(_url(world_a, report)).content.decode()
    assert "report.pdf" in body and "financial.xlsx" in body
    lines = _lines(report)
    content = _filled(_template(world_a, report), {line.pk: (-1, "") for line in lines})
    _client, response = _upload(world_a, report, content)
    assert 'class="table-wrap"' in response.content.decode()
    assert len(gzip.compress(response.content)) <= 14 * 1024


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
@pytest.mark.parametrize("tail", ["financial.xlsx", "form.pdf", "report.pdf"])
def test_reviewers_and_trainers_get_none_of_the_files(world_a, role, tail):
    report = _written(world_a, _report(world_a))
    response = world_a.client_for(role).get(_url(world_a, report, tail))
    assert response.status_code in (403, 404)
    assert SECRET.encode() not in response.content


def test_another_organisations_grantee_cannot_upload_or_confirm(world_a):
    from tests.factories import MembershipFactory, OrganisationFactory

    report = _report(world_a)
    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                              organisation=OrganisationFactory(tenant=world_a.tenant))
    from django.test import Client

    client = Client()
    client.force_login(other.user)
    content = _filled(_template(world_a, report), {line.pk: (10, "") for line in _lines(report)})
    response = client.post(_url(world_a, report, "financial/upload/"),
                           {"file": SimpleUploadedFile("r.xlsx", content, content_type=XLSX)})
    assert response.status_code in (403, 404)
    assert not ReportExpense.objects.filter(report=report).exists()


@pytest.mark.parametrize("typed", ["²", "١٢", " 99999999999999999999999 "])
def test_a_line_number_cell_with_odd_digits_is_an_unknown_line_not_a_500(world_a, typed):
    """"²".isdigit() is True but int("²") raises; a 23-digit id would overflow the database: the row is
    reported as naming no line of the report, like any other text."""
    report = _report(world_a)
    lines = __import__("grants.selectors.reports", fromlist=["x"]).report_expenses(report=report)
    preview = validate_rows([SheetRow(FIRST_ROW, typed, 10, "")], lines=lines, currency=report.award.currency)
    assert not preview.ok

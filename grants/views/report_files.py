"""A progress report's files: the financial template to fill offline and its upload (checked, previewed,
saved only once the grantee confirms), the fill-in narrative PDF and the report's PDF for the file.

The upload goes: grants.report_xlsx (read) → grants.report_import (check; the rows travel to the
confirmation signed, bound to this report, this member and the version they were checked on) →
grants.services.reports.report_save (write, refusing a stale version: another tab saved meanwhile)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from relais.concurrency import Stale
from relais.downloads import private_bytes_response
from relais.errors import Refused, refusal_text
from relais.models import Role
from relais.uploads import XLSX, validate_upload

from ..documents.reports import narrative_form_pdf, report_pdf
from ..models import ProgressReport
from ..permissions import can_edit_report, can_see_sensitive_section
from ..report_import import BadToken, ImportPreview, preview_token, read_token, validate_rows
from ..report_xlsx import NotATemplate, parse_workbook, template_workbook
from ..selectors import awards as award_selectors
from ..selectors import reports as report_selectors
from ..services.awards import grant_settings
from ..services.reports import report_save

XLSX_TYPE = XLSX.content_type


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    actor = request.actor
    if not actor.has_role(Role.MANAGER, Role.FINANCE, Role.APPLICANT):
        raise PermissionDenied(_("Progress reports are for programme managers, finance and grantees."))
    return award_selectors.access_report(actor=actor, pk=pk)


def _name(report: ProgressReport, what: str, extension: str) -> str:
    return f"{slugify(report.award.reference) or 'award'}-{what}-{report.number}.{extension}"


def report_template(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """GET: the financial template of this report, with what was already typed."""
    report = _report(request, progressreport_pk)
    award = report.award
    title = _("%(reference)s — financial report %(number)s (%(start)s – %(end)s)") % {
        "reference": award.reference, "number": report.number, "start": report.period_start.strftime("%d/%m/%Y"),
        "end": report.period_end.strftime("%d/%m/%Y")}
    content = template_workbook(title=title, currency=award.currency,
                                lines=report_selectors.report_expenses(report=report),
                                threshold=grant_settings(report.tenant).variance_threshold)
    return private_bytes_response(content, filename=_name(report, pgettext("file name", "financial-report"), "xlsx"),
                                  content_type=XLSX_TYPE)


def _editable(request: HttpRequest, pk: int) -> ProgressReport:
    report = _report(request, pk)
    decision = can_edit_report(request.actor, report)
    if not decision:
        raise PermissionDenied(decision.reason)
    return report


def _preview_page(request: HttpRequest, report: ProgressReport, *, preview: ImportPreview | None = None,
                  error: str = "", status: int = 200) -> HttpResponse:
    token = ""
    if preview is not None and preview.ok:
        token = preview_token(preview=preview, report_id=report.pk, user_id=request.actor.user.pk,
                              version=report.version)
    return render(request, "grants/report_import.html", {
        "report": report, "award": report.award, "preview": preview, "error": error, "token": token,
    }, status=status)


@require_POST
def report_upload(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """POST the filled template: nothing is saved; the page lists each row and each problem."""
    report = _editable(request, progressreport_pk)
    upload = request.FILES.get("file")
    if upload is None:
        return _preview_page(request, report, error=_("Choose the filled template (an Excel file)."), status=400)
    try:
        detected = validate_upload(upload)
        if detected is not XLSX:
            raise ValidationError(_("This file is %(what)s: upload the Excel template (XLSX)."),
                                  params={"what": detected.label})
        upload.seek(0)
        rows = parse_workbook(upload.read())
    except ValidationError as exc:
        return _preview_page(request, report, error=refusal_text(exc), status=400)
    except NotATemplate as exc:
        return _preview_page(request, report, error=str(exc), status=400)
    preview = validate_rows(rows, lines=report_selectors.report_expenses(report=report),
                            currency=report.award.currency)
    return _preview_page(request, report, preview=preview)


@require_POST
def report_upload_confirm(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """POST the previewed rows (signed): saved with the version they were checked on."""
    actor = request.actor
    report = _editable(request, progressreport_pk)
    try:
        version, expenses = read_token(request.POST.get("token", ""), report_id=report.pk, user_id=actor.user.pk)
    except BadToken:
        return _preview_page(request, report, error=_("This preview expired or was altered. Upload the file again."),
                             status=400)
    try:
        report_save(report=report, actor=actor, expenses=expenses, expected_version=version)
    except Stale:
        return _preview_page(request, report, status=409, error=_(
            "The report was saved from another page since this file was checked: nothing was saved. "
            "Upload the file again to check it against the report as it is now."))
    except Refused as exc:
        if exc.forbidden:
            raise PermissionDenied(refusal_text(exc)) from exc
        return _preview_page(request, report, error=refusal_text(exc), status=409)
    messages.success(request, _("The financial report was filled from your file."))
    return redirect("grants:report_edit", tenant_slug=actor.tenant.slug, progressreport_pk=report.pk)


def report_form_pdf(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """GET: the narrative form to print and fill in by hand."""
    report = _report(request, progressreport_pk)
    content = narrative_form_pdf(report=report, indicators=report_selectors.report_indicators(report=report))
    return private_bytes_response(content, filename=_name(report, pgettext("file name", "report-form"), "pdf"),
                                  content_type="application/pdf", as_attachment=False)


def report_file_pdf(request: HttpRequest, progressreport_pk: int) -> HttpResponse:
    """GET: the report as it stands, for the file; the safety section only for those who may read it."""
    report = _report(request, progressreport_pk)
    content = report_pdf(report=report, indicators=report_selectors.report_indicators(report=report),
                         lines=report_selectors.report_expenses(report=report),
                         sensitive=can_see_sensitive_section(request.actor, report))
    return private_bytes_response(content, filename=_name(report, pgettext("file name", "report"), "pdf"),
                                  content_type="application/pdf", as_attachment=False)
